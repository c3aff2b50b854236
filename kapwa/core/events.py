"""In-process live events, published only after the transaction that caused them commits.

With ``KAPWA_REDIS_URL`` set, :mod:`kapwa.core.events_redis` relays them between processes (a worker's
ingest reaches the web process's live clients); the web UI streams them as server-sent events
(:mod:`kapwa.inbox.live`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("kapwa.events")


@dataclass(frozen=True)
class Event:
    type: str
    workspace_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None  # the teammate whose action caused it (None: Kapwa itself, a sync, a job)


Listener = Callable[[Event], None]


class EventBus:
    """A tiny publish/subscribe hub. Listeners must be quick; a failing listener is logged, not raised."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self.published: list[Event] = []  # recent history, for diagnostics and tests
        self._keep = 200
        self._closers: list[Callable[[], None]] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
            self.published.append(event)
            del self.published[: -self._keep]
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed for %s", event.type)

    def on_close(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` when the runtime closes (listeners that run threads stop them)."""
        self._closers.append(fn)

    def close(self) -> None:
        for fn in self._closers:
            try:
                fn()
            except Exception:
                log.exception("closing an event listener failed")
