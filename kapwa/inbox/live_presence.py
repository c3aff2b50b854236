"""Who has a conversation open right now: "Ana is viewing", "Ana is replying…" (collision detection).

Kept in memory with a time to live: every open conversation page pings every :data:`PING_SECONDS`, and an
entry not refreshed within :data:`TTL_SECONDS` is gone (a closed laptop, a lost network). Entries are per
browser tab, so one teammate with two tabs shows once, as "replying" if either tab has a draft.

The store is fed only by ``presence.ping`` events on the runtime's event bus, never written directly:
with Redis every process receives every ping (see :mod:`kapwa.core.events_redis`), so all web processes
hold the same picture; without Redis it is this process's picture.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TTL_SECONDS = 45.0
PING_SECONDS = 20
STATES = ("viewing", "replying")
LEFT = "left"

Key = tuple[int, int]  # (workspace id, conversation id)


@dataclass
class _Tab:
    user_id: int
    name: str
    state: str
    since: float  # when this tab arrived (wall clock): the list is shown in arrival order
    expires: float  # monotonic


class PresenceStore:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock  # tests move time forward instead of waiting
        self._lock = threading.Lock()
        self._tabs: dict[Key, dict[tuple[int, str], _Tab]] = {}

    def apply(self, workspace_id: int, conversation_id: int, user_id: int, name: str, state: str,
              tab: str = "") -> bool:
        """Record one ping (state viewing / replying / left); True when what others see has changed."""
        key = (workspace_id, conversation_id)
        now = self.clock()
        with self._lock:
            before = self._summary(key, now)
            tabs = self._tabs.setdefault(key, {})
            if state == LEFT:
                tabs.pop((user_id, tab), None)
            elif state in STATES:
                old = tabs.get((user_id, tab))
                since = old.since if old and old.expires > now else time.time()
                tabs[(user_id, tab)] = _Tab(user_id, name[:80], state, since, now + self.ttl)
            if not tabs:
                del self._tabs[key]
            return self._summary(key, now) != before

    def present(self, workspace_id: int, conversation_id: int) -> list[dict]:
        """``[{"user_id", "name", "state"}, …]``: one entry per teammate, in order of arrival."""
        with self._lock:
            return self._summary((workspace_id, conversation_id), self.clock())

    def in_workspace(self, workspace_id: int) -> dict[int, list[dict]]:
        """Every conversation of the workspace someone has open: ``{conversation id: present(…)}``."""
        now = self.clock()
        with self._lock:
            keys = [k for k in self._tabs if k[0] == workspace_id]
            out = {k[1]: self._summary(k, now) for k in keys}
        return {cid: people for cid, people in out.items() if people}

    def expire(self) -> list[Key]:
        """Forget tabs that stopped pinging; return the conversations whose presence changed."""
        now = self.clock()
        changed: list[Key] = []
        with self._lock:
            for key in list(self._tabs):
                tabs = self._tabs[key]
                stale = [tab for tab, entry in tabs.items() if entry.expires <= now]
                if not stale:
                    continue
                before = self._summary_of(tabs.values())  # as last shown: stale tabs included
                for tab in stale:
                    del tabs[tab]
                if self._summary_of(tabs.values()) != before:
                    changed.append(key)
                if not tabs:
                    del self._tabs[key]
        return changed

    def _summary(self, key: Key, now: float) -> list[dict]:
        return self._summary_of(t for t in self._tabs.get(key, {}).values() if t.expires > now)

    @staticmethod
    def _summary_of(tabs) -> list[dict]:
        people: dict[int, dict] = {}
        for t in sorted(tabs, key=lambda t: (t.since, t.user_id)):
            person = people.setdefault(t.user_id, {"user_id": t.user_id, "name": t.name, "state": t.state})
            if t.state == "replying":
                person["state"] = "replying"
        return list(people.values())
