"""Live events across processes: the EventBus of every Kapwa process relayed through Redis pub/sub.

With ``KAPWA_REDIS_URL`` set, ingest runs in ``kapwa worker`` processes while browsers hold their live
connection to a ``kapwa serve`` process. :class:`RedisBridge` (started by the runtime) publishes every local
event to one Redis channel and re-publishes, on the local bus, the events other processes sent, so a
listener sees each event exactly once whichever process emitted it.

* Sending never blocks the action that emitted the event: events go through a bounded queue to a sender
  thread (dropped with a warning when Redis is unreachable for long). ``stop()`` flushes what is queued,
  so a short-lived command (``kapwa import``) still delivers its events.
* Receiving runs in a thread that resubscribes with backoff after a Redis outage, then publishes
  ``events.gap`` locally (the live hub tells its browsers to resynchronise).
* Only JSON crosses Redis: ``{"o": origin, "t": type, "w": workspace id, "a": actor id, "d": data}``;
  an event whose data is not plain JSON is dropped with a warning.

Pub/sub is fire-and-forget: a web process that is down misses what was sent meanwhile; its live clients
resynchronise (see docs/live.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
import uuid

import redis

from kapwa.core.events import Event, EventBus

log = logging.getLogger("kapwa.events")

CHANNEL = "kapwa:events"
GAP = "events.gap"  # published locally after Redis was unreachable: events from other processes were lost
QUEUE_SIZE = 10_000
_STOP = object()


class RedisBridge:
    def __init__(self, bus: EventBus, url: str, channel: str = CHANNEL) -> None:
        self.bus = bus
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self.subscribed = threading.Event()  # set while the receiver is subscribed (tests wait on it)
        self._client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
        self._outbox: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._relaying = threading.local()
        self._stopping = threading.Event()
        self._last_warning = 0.0
        self._unsubscribe = bus.subscribe(self._outgoing)
        self._sender = threading.Thread(target=self._send_loop, name="kapwa-events-redis-send", daemon=True)
        self._receiver = threading.Thread(target=self._receive_loop, name="kapwa-events-redis-recv", daemon=True)
        self._sender.start()
        self._receiver.start()

    # ----------------------------------------------------------------------------------------- sending

    def _outgoing(self, event: Event) -> None:
        if getattr(self._relaying, "active", False):
            return  # came from Redis: don't send it back
        try:
            message = json.dumps({"o": self.origin, "t": event.type, "w": event.workspace_id,
                                  "a": event.actor_id, "d": event.data}, allow_nan=False)
        except (TypeError, ValueError) as exc:
            self._warn("event %s is not plain JSON, not relayed to other processes: %s", event.type, exc)
            return
        try:
            self._outbox.put_nowait(message)
        except queue.Full:
            self._warn("Redis event queue full: live events are being dropped")

    def _send_loop(self) -> None:
        while True:
            message = self._outbox.get()
            if message is _STOP:
                return
            for attempt in range(3):
                try:
                    self._client.publish(self.channel, message)
                    break
                except redis.RedisError as exc:
                    if attempt == 2 or self._stopping.is_set():
                        self._warn("could not relay a live event through Redis: %s", exc)
                        break
                    time.sleep(0.5 * (attempt + 1))

    # --------------------------------------------------------------------------------------- receiving

    def _receive_loop(self) -> None:
        backoff = 0.5
        lost = False
        while not self._stopping.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self.subscribed.set()
                backoff = 0.5
                if lost:  # what other processes sent meanwhile is gone: tell local listeners
                    lost = False
                    self._publish_locally(Event(GAP, None))
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message and message.get("type") == "message":
                        self._incoming(message["data"])
            except (redis.RedisError, OSError) as exc:
                self.subscribed.clear()
                lost = True
                if self._stopping.is_set():
                    break
                self._warn("Redis live-event subscription lost (%s); retrying in %.1f s", exc, backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 30)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(Exception):  # closing a broken connection
                    pubsub.close()

    def _incoming(self, raw: bytes | str) -> None:
        try:
            msg = json.loads(raw)
            if msg.get("o") == self.origin:
                return
            event = Event(str(msg["t"]), msg.get("w"), dict(msg.get("d") or {}), msg.get("a"))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("ignored a malformed live event from Redis")
            return
        self._publish_locally(event)

    def _publish_locally(self, event: Event) -> None:
        self._relaying.active = True
        try:
            self.bus.publish(event)
        finally:
            self._relaying.active = False

    # ------------------------------------------------------------------------------------------- misc

    def _warn(self, msg: str, *args) -> None:
        now = time.monotonic()
        if now - self._last_warning > 60:  # an outage must not flood the log
            self._last_warning = now
            log.warning(msg, *args)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop relaying; events already queued are sent first (up to ``timeout`` seconds)."""
        if self._stopping.is_set():
            return
        self._unsubscribe()
        with contextlib.suppress(queue.Full):
            self._outbox.put(_STOP, timeout=timeout)
        self._sender.join(timeout)
        self._stopping.set()
        self._receiver.join(timeout)
        self._client.close()
