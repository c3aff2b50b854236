"""The live hub of one runtime: event bus → small JSON payloads → every open event stream of the workspace.

* The bus listener runs on the publisher's thread and only queues the event (an action must not wait for
  live clients). A dispatcher thread turns queued events into frames: it looks up, in one read, the few
  fields the browser needs (the conversation of each new message, a conversation's new status and
  assignee, who did it), numbers them ``<epoch>-<seq>``, keeps the last :data:`RING_SIZE` in a ring buffer
  for ``Last-Event-ID`` replay, and hands them to each subscriber's asyncio queue with
  ``loop.call_soon_threadsafe``.
* Each event goes only to streams of its workspace; ``notification.*`` events only to their teammate.
* Payloads carry ids, statuses and names, never message text.
* The dispatcher runs while streams are open and stops :data:`GRACE_SECONDS` after the last one closes;
  a restart starts a new epoch, so a client that comes back with an older id is told to resynchronise.
* Presence (:mod:`kapwa.inbox.live_presence`) is fed from ``presence.ping`` events here too, and expired
  every :data:`SWEEP_SECONDS` while streams are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import queue
import secrets
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass

import jinja2

from kapwa.core.events import Event
from kapwa.core.runtime import Runtime
from kapwa.inbox import live_queries
from kapwa.inbox.live_presence import PresenceStore

log = logging.getLogger("kapwa.inbox.live")

RING_SIZE = 1000
QUEUE_SIZE = 500
MAX_PER_USER = 8
GRACE_SECONDS = 120.0
SWEEP_SECONDS = 5.0
BATCH = 500
MAX_CONVERSATIONS = 200

# Streamed to the browser; anything else on the bus (user.created, source.updated, …) is not.
FORWARDED = {"messages.ingested", "conversation.updated", "conversation.note", "note.created",
             "message.labels_corrected"}
FORWARDED_PREFIXES = ("reply.", "notification.")
PERSONAL_PREFIXES = ("notification.",)  # only for data["user_id"]


class TooManyStreams(Exception):
    pass


@dataclass(frozen=True)
class LiveItem:
    seq: int
    workspace_id: int
    user_id: int | None  # only this teammate; None = everyone in the workspace
    frame: str  # the whole SSE frame, built once for every subscriber


RESYNC = LiveItem(0, 0, None, 'data: {"type": "resync", "data": {}}\n\n')
CLOSE = LiveItem(-1, 0, None, "")  # the server is stopping: end the stream (the browser reconnects later)


class Subscriber:
    """One open event stream: an asyncio queue filled from the dispatcher thread."""

    def __init__(self, workspace_id: int, user_id: int, loop: asyncio.AbstractEventLoop) -> None:
        self.workspace_id = workspace_id
        self.user_id = user_id
        self.loop = loop
        self.queue: asyncio.Queue[LiveItem] = asyncio.Queue(QUEUE_SIZE)
        self.after = 0  # items up to this sequence number were replayed already

    def wants(self, item: LiveItem) -> bool:
        return item.workspace_id == self.workspace_id and item.user_id in (None, self.user_id)

    def push(self, item: LiveItem) -> None:  # any thread
        with contextlib.suppress(RuntimeError):  # a closed loop: the stream is gone
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: LiveItem) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # a stalled client: drop what it missed and tell it to resynchronise
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)


class Live:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.presence = PresenceStore()
        self._lock = threading.Lock()
        self._subs: set[Subscriber] = set()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._running = False
        self._epoch = ""
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._ring: deque[LiveItem] = deque(maxlen=RING_SIZE)
        self._idle_since = 0.0
        self._closed = False
        self.thread: threading.Thread | None = None
        rt.events.subscribe(self._on_event)
        rt.events.on_close(self.close)

    def close(self) -> None:
        """The runtime is closing: end the streams and stop the dispatcher."""
        with self._lock:
            self._closed = True
            subs = list(self._subs)
        for sub in subs:
            sub.push(CLOSE)
        self._inbox.put(None)  # wake the dispatcher

    # ------------------------------------------------------------------------ bus side (publisher's thread)

    def _on_event(self, event: Event) -> None:
        if event.type == "events.gap":  # Redis was unreachable: events from other processes were lost
            with self._lock:
                subs = list(self._subs)
            for sub in subs:
                sub.push(RESYNC)
            return
        if event.workspace_id is None:
            return
        if event.type == "presence.ping":
            d = event.data
            try:
                changed = self.presence.apply(event.workspace_id, int(d["conversation_id"]), int(d["user_id"]),
                                              str(d.get("name") or ""), str(d["state"]), str(d.get("tab") or ""))
            except (KeyError, TypeError, ValueError):
                log.warning("ignored a malformed presence ping")
                return
            if changed:
                self._offer(("presence", event.workspace_id, int(d["conversation_id"]), event.actor_id))
        elif event.type in FORWARDED or event.type.startswith(FORWARDED_PREFIXES):
            self._offer(event)

    def _offer(self, item) -> None:
        if self._running:
            self._inbox.put(item)

    # ----------------------------------------------------------------------------------- stream side

    def streams_of(self, user_id: int) -> int:
        with self._lock:
            return sum(1 for s in self._subs if s.user_id == user_id)

    def connect(self, workspace_id: int, user_id: int, loop: asyncio.AbstractEventLoop,
                last_event_id: str | None) -> tuple[Subscriber, list[LiveItem], bool]:
        """Open a stream: (subscriber, items to replay, whether the client must resynchronise)."""
        with self._lock:
            if sum(1 for s in self._subs if s.user_id == user_id) >= MAX_PER_USER:  # checked again: races
                raise TooManyStreams()
            if not self._running and not self._closed:
                self._start()
            sub = Subscriber(workspace_id, user_id, loop)
            replay, resync = self._replay(last_event_id, sub)
            sub.after = self._last_seq
            self._subs.add(sub)
        return sub, replay, resync

    def current_id(self) -> str:
        """The id of the latest event, for a page being rendered: its stream resumes from there, so nothing
        that happens between the render and the stream opening is lost."""
        with self._lock:
            if not self._running and not self._closed:
                self._start()
            if not self._subs:
                self._idle_since = time.monotonic()  # its stream comes soon: don't stop meanwhile
            return f"{self._epoch}-{self._last_seq}"

    def disconnect(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)
            if not self._subs:
                self._idle_since = time.monotonic()

    def _replay(self, last_event_id: str | None, sub: Subscriber) -> tuple[list[LiveItem], bool]:
        if not last_event_id:
            return [], False
        epoch, _, seq_text = last_event_id.strip().rpartition("-")
        if epoch != self._epoch or not seq_text.isdigit():
            return [], True
        seq = int(seq_text)
        if seq > self._last_seq or (self._ring and seq < self._ring[0].seq - 1):
            return [], True
        return [i for i in self._ring if i.seq > seq and sub.wants(i)], False

    def _start(self) -> None:
        self._epoch = secrets.token_hex(4)
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._ring.clear()
        self._inbox = queue.SimpleQueue()
        self._running = True
        self._idle_since = time.monotonic()
        self.thread = threading.Thread(target=self._run, name="kapwa-live", daemon=True)
        self.thread.start()

    # ----------------------------------------------------------------------------------- dispatcher

    def _run(self) -> None:
        last_sweep = time.monotonic()
        while True:
            batch = []
            try:
                batch.append(self._inbox.get(timeout=SWEEP_SECONDS))
                while len(batch) < BATCH:
                    batch.append(self._inbox.get_nowait())
            except queue.Empty:
                pass
            batch = [x for x in batch if x is not None]
            if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                last_sweep = time.monotonic()
                batch += [("presence", ws, cid, None) for ws, cid in self.presence.expire()]
            if batch:
                try:
                    self._dispatch(batch)
                except Exception:
                    log.exception("live events could not be delivered")
            with self._lock:
                if self._closed or (not self._subs and time.monotonic() - self._idle_since > GRACE_SECONDS):
                    self._running = False
                    return

    def _dispatch(self, batch: list) -> None:
        built = self._payloads(batch)
        items = []
        with self._lock:
            for ws, user_id, type_, payload in built:
                seq = next(self._seq)
                body = json.dumps({"type": type_, "data": payload}, separators=(",", ":"), default=str)
                items.append(LiveItem(seq, ws, user_id, f"id: {self._epoch}-{seq}\ndata: {body}\n\n"))
                self._last_seq = seq
            self._ring.extend(items)
            subs = list(self._subs)
        for item in items:
            for sub in subs:
                if sub.wants(item):
                    sub.push(item)

    def _payloads(self, batch: list) -> list[tuple[int, int | None, str, dict]]:
        """(workspace, only-for-user, type, payload) per item, with one database read for the whole batch."""
        msg_ids: dict[int, list[int]] = {}
        conv_ids: dict[int, set[int]] = {}
        actors: dict[int, set[int]] = {}
        for x in batch:
            if isinstance(x, Event):
                if x.type == "messages.ingested":
                    msg_ids.setdefault(x.workspace_id, []).extend(_ints(x.data.get("ids")))
                elif x.type == "conversation.updated" and isinstance(x.data.get("id"), int):
                    conv_ids.setdefault(x.workspace_id, set()).add(x.data["id"])
                if x.actor_id:
                    actors.setdefault(x.workspace_id, set()).add(x.actor_id)
        new, states, names = {}, {}, {}
        if msg_ids or conv_ids or actors:
            with self.rt.db.sessions() as s:
                for ws, ids in msg_ids.items():
                    new[ws] = live_queries.new_messages(s, ws, ids)
                for ws, ids in conv_ids.items():
                    states[ws] = live_queries.conversation_states(s, ws, list(ids))
                for ws, ids in actors.items():
                    names[ws] = live_queries.user_names(s, ws, ids)
        out = []
        for x in batch:
            if not isinstance(x, Event):  # ("presence", workspace, conversation, actor)
                _, ws, cid, _actor = x
                out.append((ws, None, "presence.changed",
                            {"conversation_id": cid, "present": self.presence.present(ws, cid)}))
                continue
            ws, data = x.workspace_id, x.data
            payload = _small(data)
            if x.type == "messages.ingested":
                convs = new.get(ws, {})
                payload = {"source_id": data.get("source_id"),
                           "count": sum(len(c["inbound"]) for c in convs.values()),
                           "conversations": [{"id": cid, "messages": c["inbound"], "outbound": c["outbound"]}
                                             for cid, c in list(convs.items())[:MAX_CONVERSATIONS]]}
            elif x.type == "conversation.updated":
                state = states.get(ws, {}).get(data.get("id"))
                if state is None:
                    continue  # deleted meanwhile
                payload.update(state)
            if x.actor_id:
                payload["actor_id"] = x.actor_id
                payload["actor_name"] = names.get(ws, {}).get(x.actor_id, "")
            target = None
            if x.type.startswith(PERSONAL_PREFIXES):
                target = data.get("user_id") if isinstance(data.get("user_id"), int) else None
                if target is None:
                    continue
            out.append((ws, target, x.type, payload))
        return out


def _ints(value) -> list[int]:
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]


def _small(data: dict) -> dict:
    """Only ids, flags, numbers and short strings go to the browser."""
    out = {}
    for key, value in data.items():
        if value is None or isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= 300):
            out[key] = value
        elif isinstance(value, list | tuple) and len(value) <= 1000 and all(
                isinstance(v, int | float) or (isinstance(v, str) and len(v) <= 60) for v in value):
            out[key] = list(value)
    return out


# ------------------------------------------------------------------------------------------- registry

_lock = threading.Lock()
_by_engine: weakref.WeakValueDictionary[int, Live] = weakref.WeakValueDictionary()


def close_streams() -> None:
    """End every open event stream of this process (``kapwa serve`` stopping: don't wait for them)."""
    for live in list(_by_engine.values()):
        with live._lock:
            subs = list(live._subs)
        for sub in subs:
            sub.push(CLOSE)


def live_for(rt: Runtime) -> Live:
    """The runtime's hub (made on first use; it lives as long as the runtime's event bus)."""
    live = getattr(rt.events, "_kapwa_live", None)
    if live is None:
        with _lock:
            live = getattr(rt.events, "_kapwa_live", None)
            if live is None:
                live = Live(rt)
                rt.events._kapwa_live = live
                _by_engine[id(rt.db.engine)] = live
    return live


def register(env) -> None:
    """Template global ``live_event_id()`` (base.html puts it on <body> for live.js)."""
    env.globals["live_event_id"] = _live_event_id


@jinja2.pass_context
def _live_event_id(ctx) -> str:
    request = ctx.get("request")
    if ctx.get("viewer") is None or request is None:
        return ""
    return live_for(request.app.state.rt).current_id()


def live_for_session(session) -> Live | None:
    """The hub of the runtime a database session belongs to (conversation panels only get a session)."""
    return _by_engine.get(id(session.get_bind()))
