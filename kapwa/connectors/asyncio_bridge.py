"""Async client libraries (discord.py, python-telegram-bot) behind Kapwa's synchronous connector API.

A connector that mixes in :class:`LoopDriver` owns one event loop, made on first use. ``drive(coro)`` runs a
coroutine to completion on it, from plain sync code (the sync worker) or from a thread that already runs a
loop (an async web handler), in which case a one-thread pool runs it so the loops never nest; with
``translate`` the library's exceptions come out as ConnectorErrors (see ``http_errors.translating``).
``close_loop(aclose)`` runs the client's own close coroutine on the loop, then closes the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import Any

from kapwa.connectors.http_errors import translating

Translate = Callable[[BaseException], BaseException | None]


class LoopDriver:
    """Mixin for a connector: its own event loop, ``drive`` to run coroutines on it, ``close_loop`` to end it."""

    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """This connector's loop (made on first use)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def drive(self, coro: Awaitable[Any], translate: Translate | None = None) -> Any:
        """Run a coroutine to completion on this connector's loop, from sync code or from inside a running loop;
        with ``translate``, exceptions are mapped through it."""
        loop = self.loop
        if translate is not None:
            coro = _translated(coro, translate)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return loop.run_until_complete(coro)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(loop.run_until_complete, coro).result()

    def close_loop(self, aclose: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Run ``aclose()`` (the client's close, if there is a client) on the loop, then close the loop.
        Nothing to do when no loop was made."""
        if self._loop is not None:
            if aclose is not None:
                self.drive(aclose())
            self._loop.close()
        self._loop = None


async def _translated(coro: Awaitable[Any], translate: Translate) -> Any:
    with translating(translate):
        return await coro
