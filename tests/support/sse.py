"""A server-sent-events client for tests: reads ``GET /events`` of a live server in a thread.

    stream = EventStream(base_url, cookie)           # signed in with this session cookie
    stream.wait_open()
    event = stream.next("messages.ingested")        # {"id", "type", "data"}; fails after a timeout
    stream.close()
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import threading
import time
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.support.factories import PASSWORD
from tests.support.web import csrf_of, login


def session_of(app, user, password: str = PASSWORD) -> tuple[str, str]:
    """Sign ``user`` in through the login form; return (session cookie value, CSRF token)."""
    client = TestClient(app, base_url="https://testserver")
    r = login(client, user.email, password)
    assert r.status_code == 303, r.text
    return client.cookies.get("kapwa_session"), csrf_of(client)


class EventStream:
    def __init__(self, base_url: str, cookie: str | None, last_event_id: str | None = None,
                 headers: dict | None = None) -> None:
        self.events: queue.Queue = queue.Queue()
        self.comments: list[str] = []
        self.retry: int | None = None
        self.status: int | None = None
        self.body = ""
        self.opened = threading.Event()
        self.ended = threading.Event()
        hdrs = {"Accept": "text/event-stream", **(headers or {})}
        if cookie:
            hdrs["Cookie"] = f"kapwa_session={cookie}"
        if last_event_id:
            hdrs["Last-Event-ID"] = last_event_id
        url = urlsplit(base_url)
        self._conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        self._thread = threading.Thread(target=self._read, args=(hdrs,), daemon=True)
        self._thread.start()

    def _read(self, headers: dict) -> None:
        try:
            self._conn.request("GET", "/events", headers=headers)
            r = self._conn.getresponse()
            self.status = r.status
            if r.status != 200:
                self.body = r.read().decode()
                return
            self._conn.sock.settimeout(None)  # events may be far apart; close() interrupts the read
            fields: dict[str, str] = {}
            while raw := r.readline():
                line = raw.decode().rstrip("\r\n")
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    self.opened.set()
                elif line.startswith("retry:"):
                    self.retry = int(line[6:].strip())
                elif line == "":
                    if "data" in fields:
                        msg = json.loads(fields["data"])
                        self.events.put({"id": fields.get("id"), "type": msg["type"], "data": msg["data"]})
                    fields = {}
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
        except (OSError, http.client.HTTPException, ValueError, AttributeError):
            pass  # closed by the test
        finally:
            self.opened.set()
            self.ended.set()

    def wait_open(self, timeout: float = 10) -> EventStream:
        assert self.opened.wait(timeout), "the event stream did not open"
        assert self.status == 200, f"the event stream answered {self.status}: {self.body}"
        return self

    def next(self, type_: str | None = None, timeout: float = 10) -> dict:
        """The next event (of ``type_``, skipping others); fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"no {type_ or 'event'} within {timeout} s") from None
            if type_ is None or event["type"] == type_:
                return event

    def drain(self, wait: float = 0.5) -> list[dict]:
        """Every event that arrives within ``wait`` seconds."""
        out = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.events.get(timeout=left))
            except queue.Empty:
                break
        return out

    def close(self) -> None:
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reader thread at once
        self._conn.close()
        self._thread.join(5)
