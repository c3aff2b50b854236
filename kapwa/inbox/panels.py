"""Panels on the conversation page, contributed by the desk's features (reply composer, service levels,
suggested answers, who else is here…).

A feature registers a panel for a slot with :func:`panel`; the conversation page calls
:func:`collect` and the template includes each panel's template with its context as ``p``. A panel that
fails is logged and left out, so one broken feature never takes the page down.

Slots: ``header`` (under the title), ``thread_after`` (below the messages: the composer), ``aside_top``
and ``aside`` (the side column, above and below the details card).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("kapwa.inbox")
SLOTS = ("header", "thread_after", "aside_top", "aside")
# Modules that register panels; imported once, on first use.
PANEL_MODULES = ("kapwa.inbox.replies.panel", "kapwa.inbox.sla", "kapwa.inbox.suggest", "kapwa.inbox.live",
                 "kapwa.inbox.priority_panel")


@dataclass(frozen=True)
class Panel:
    slot: str
    order: int
    template: str
    context: Callable[..., dict[str, Any] | None]  # (session, viewer, conversation, messages) -> ctx; None hides


_PANELS: list[Panel] = []
_loaded = False


def panel(slot: str, template: str, order: int = 100):
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}")

    def register(fn):
        _PANELS.append(Panel(slot, order, template, fn))
        _PANELS.sort(key=lambda p: (SLOTS.index(p.slot), p.order))
        return fn

    return register


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in PANEL_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            log.exception("conversation panels from %s are unavailable", name)


def collect(session, viewer, conversation, messages) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """``{slot: [(template, context), …]}`` for this conversation and viewer."""
    _load()
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {slot: [] for slot in SLOTS}
    for p in _PANELS:
        try:
            ctx = p.context(session, viewer, conversation, messages)
        except Exception:
            log.exception("panel %s failed on conversation %s", p.template, conversation.id)
            continue
        if ctx is not None:
            out[p.slot].append((p.template, ctx))
    return out
