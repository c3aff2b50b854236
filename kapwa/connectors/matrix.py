"""Matrix: read rooms and direct messages, reply, publish, send DMs and redact, through matrix-nio.

Settings ``{"homeserver": "https://matrix.example.org", "rooms": ["#help:example.org", "!id:example.org"]}``
(``rooms`` empty: every joined room; DM rooms are read as well unless ``"read_direct": false``, and DM
invitations are accepted; optional ``history_limit``, 500 events per room on the first sync, and
``timeout``, 30 s). Credentials ``{"user_id": "@kapwa:example.org", "access_token": "…"}``, or ``user_id`` +
``password`` (logs in, and out again on close). End-to-end encrypted rooms cannot be read (logged).

Ids: a message is its event id. A conversation id (``platform_thread_id``) always carries its room, since
the Matrix API cannot look up an event without it:

* ``"{room_id}|{root_event_id}"`` — a Matrix thread (``m.thread``): its replies, each with the root (or the
  message it answers) as parent. The root itself stays in the conversation it was posted in.
* ``"{room_id}:{YYYY-MM-DD}"`` — all other messages of a room (DMs too), one conversation per room per UTC
  day until a disentanglement step splits them. A rich reply (``m.in_reply_to``) joins the conversation of
  the message it answers, so Tuesday's answer to Monday's question reopens Monday's conversation.

``reply(thread_id, parent_id, text)`` reads room and thread root back from these ids (for other ids it
looks for the parent event in the joined rooms). Cursor: JSON ``{"since": sync next_batch, "backfill":
[rooms whose history is still to read], "seen": newest origin_server_ts read}``. The first sync reads each
room's latest history backwards; later ones read the sync delta, filling ``limited`` gaps back to the
previous token. Edits update the original; redactions delete it (text removed) when Kapwa may have it (it is
older than "seen"); reactions and joins are activities.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import re
import socket
import threading
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import nio

from kapwa.connectors.base import (
    AuthError,
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    NotSupported,
    RateLimited,
    Sent,
    Unreachable,
)
from kapwa.connectors.matrix_events import MatrixEvents, link, q

log = logging.getLogger("kapwa.connectors.matrix")

API = "/_matrix/client/v3"
READ_TYPES = ["m.room.message", "m.reaction", "m.room.redaction", "m.room.member", "m.room.encrypted"]
DAY = re.compile(r"^(?P<room>!.+):(?P<day>\d{4}-\d{2}-\d{2})$")


class MatrixConnector(MatrixEvents, BaseConnector):
    kind = "matrix"
    label = "Matrix"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.direct_message,
                              Capability.moderate})
    fields = (("homeserver", "Homeserver URL", False), ("user_id", "User id (@kapwa:example.org)", False),
              ("access_token", "Access token", True), ("password", "Password (instead of a token)", True))

    def __init__(self, config: dict[str, Any], credentials: dict[str, Any], *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.homeserver = str(self.config.get("homeserver") or "").rstrip("/")
        if not self.homeserver.startswith(("http://", "https://")):
            raise ValueError("homeserver: must be a URL like https://matrix.example.org")
        rooms = self.config.get("rooms") or []
        self.rooms = [r.strip() for r in (rooms.split(",") if isinstance(rooms, str) else rooms) if r.strip()]
        self.read_direct = bool(self.config.get("read_direct", True))
        self.history_limit = int(self.config.get("history_limit", 500))
        self.timeout = float(self.config.get("timeout", 30))
        self.user_id: str | None = None
        self._token: str | None = None
        self._password_login = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: nio.AsyncClient | None = None
        self._direct: set[str] = set()

    # ---------------------------------------------------------------------------------------- plumbing

    def _run(self, coro):
        """Run a coroutine on this connector's own event loop thread (safe from sync and async callers)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="kapwa-matrix", daemon=True)
            self._thread.start()
        try:
            return asyncio.run_coroutine_threadsafe(self._guard(coro), self._loop).result(self.timeout * 3)
        except TimeoutError:
            raise Unreachable(f"cannot reach {self.homeserver}: no answer within {self.timeout:g} s") from None

    async def _guard(self, coro):
        try:
            return await coro
        except aiohttp.ClientConnectorError as exc:
            err = exc.os_error
            why = ("connection refused" if isinstance(err, ConnectionRefusedError) else "host not found"
                   if isinstance(err, socket.gaierror) else (getattr(err, "strerror", None) or str(exc)))
            raise Unreachable(f"cannot reach {self.homeserver}: {why}") from None
        except TimeoutError:
            raise Unreachable(f"cannot reach {self.homeserver}: no answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise Unreachable(f"cannot reach {self.homeserver}: {exc}") from None

    async def _nio_client(self) -> nio.AsyncClient:
        if self._client is None:
            cfg = nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=self.timeout)
            self._client = nio.AsyncClient(self.homeserver, self.credentials.get("user_id") or "", config=cfg)
            self._client.client_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        if self._token:
            self._client.access_token, self._client.user_id = self._token, self.user_id or ""
        return self._client

    def _error(self, status: int, data: dict, retry_header: str | None = None) -> ConnectorError:
        code, msg = data.get("errcode") or f"HTTP {status}", (data.get("error") or "").strip()
        if code == "M_UNKNOWN_TOKEN":
            return AuthError("the access token was refused (M_UNKNOWN_TOKEN)")
        if code == "M_MISSING_TOKEN":
            return AuthError("no access token was sent (M_MISSING_TOKEN)")
        if status == 429 or code == "M_LIMIT_EXCEEDED":
            wait = data.get("retry_after_ms")
            wait = wait / 1000 if wait else float(retry_header) if (retry_header or "").isdigit() else 5.0
            return RateLimited("the homeserver asked Kapwa to slow down (M_LIMIT_EXCEEDED): wait at least "
                               f"{max(wait, 1):.0f} s", retry_after=wait)
        if status >= 500:
            return Unreachable(f"{self.homeserver} answered {status}: {msg or code}")
        if status in (404, 405) and not data.get("errcode"):
            return NotSupported(f"{self.homeserver} does not look like a Matrix homeserver (HTTP {status} for "
                                "the client API)")
        if code == "M_FORBIDDEN" or status in (401, 403):
            return AuthError(f"the homeserver refused: {msg or 'forbidden'} ({code})")
        err = ConnectorError(f"the homeserver answered {status}: {msg or 'error'} ({code})")
        err.transient = False
        return err

    def _api(self, method: str, path: str, body: dict | None = None, query: dict | None = None,
             missing_ok: bool = False) -> Any:
        """A raw client-API call (JSON in and out) over nio's HTTP session; None if missing_ok and 403/404."""
        async def call():
            client = await self._nio_client()
            headers = {"Content-Type": "application/json"} | (
                {"Authorization": f"Bearer {self._token}"} if self._token else {})
            url = API + path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
            async with await client.send(method, url, None if body is None else json.dumps(body), headers) as r:
                raw = await r.read()
                return r.status, raw, r.headers.get("Retry-After")

        status, raw, retry = self._run(call())
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if status < 300:
            return data
        if missing_ok and status in (403, 404):
            return None
        raise self._error(status, data if isinstance(data, dict) else {}, retry)

    def _nio(self, method: str, *args, **kwargs):
        """A nio AsyncClient call; its ErrorResponse becomes a ConnectorError."""
        async def call():
            return await getattr(await self._nio_client(), method)(*args, **kwargs)

        resp = self._run(call())
        if isinstance(resp, nio.ErrorResponse):
            tr = resp.transport_response
            raise self._error(tr.status if tr is not None else 400, {"errcode": resp.status_code, "error":
                              resp.message, "retry_after_ms": resp.retry_after_ms},
                              tr.headers.get("Retry-After") if tr is not None else None)
        return resp

    def _login(self) -> str:
        if self.user_id:
            return self.user_id
        token, user = self.credentials.get("access_token"), self.credentials.get("user_id")
        if token:
            self._token = token
            self.user_id = self._api("GET", "/account/whoami")["user_id"]
        elif user and self.credentials.get("password"):
            try:
                resp = self._nio("login", self.credentials["password"], device_name="Kapwa")
            except AuthError:
                raise AuthError("the homeserver refused the user id or password (M_FORBIDDEN)") from None
            self._token, self.user_id, self._password_login = resp.access_token, resp.user_id, True
        else:
            raise AuthError("Matrix needs an access token, or a user id and password")
        return self.user_id

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            if self._password_login:
                self._nio("logout")  # no Kapwa devices piling up on the account
                self._password_login, self.user_id = False, None
            if self._client is not None:
                self._run(self._client.close())
        except ConnectorError as exc:
            log.warning("closing the connection to %s: %s", self.homeserver, exc)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()
            self._loop = self._client = None

    # ------------------------------------------------------------------------------------------ rooms

    def _dm_map(self) -> dict[str, list[str]]:
        """The account's m.direct: who → their DM rooms."""
        data = self._api("GET", f"/user/{q(self._login())}/account_data/m.direct", missing_ok=True) or {}
        self._direct = {r for rooms in data.values() if isinstance(rooms, list) for r in rooms}
        return data

    def _mark_direct(self, user_id: str, room_id: str) -> None:
        data = self._dm_map()
        if room_id not in data.get(user_id, []):
            data[user_id] = [*data.get(user_id, []), room_id]
            self._api("PUT", f"/user/{q(self._login())}/account_data/m.direct", data)
        self._direct.add(room_id)

    def _resolve(self, ref: str) -> str:
        if ref.startswith("!"):
            return ref
        if data := self._api("GET", f"/directory/room/{q(ref)}", missing_ok=True):
            return data["room_id"]
        err = ConnectorError(f"the room {ref} does not exist on {self.homeserver} (M_NOT_FOUND)")
        err.transient = False
        raise err

    def _joined(self) -> set[str]:
        return set(self._api("GET", "/joined_rooms")["joined_rooms"])

    def _selected(self, joined: set[str]) -> list[str]:
        """The rooms to read: the configured ones (joining them if need be), else all joined; plus DMs."""
        rooms = []
        for ref in self.rooms:
            room_id = self._resolve(ref)
            if room_id not in joined:
                try:
                    self._nio("join", room_id)
                except ConnectorError as exc:
                    raise AuthError(f"cannot read {ref}: Kapwa's Matrix account is not in that room and could "
                                    f"not join it ({exc.message})") from None
                joined.add(room_id)
            rooms.append(room_id)
        rooms = rooms or sorted(joined)
        if self.read_direct:
            rooms += sorted((self._direct & joined) - set(rooms))
        return list(dict.fromkeys(rooms))

    def _accept_dm_invites(self, invites: dict) -> list[str]:
        accepted = []
        for room_id, info in invites.items():
            mine = [e for e in (info.get("invite_state") or {}).get("events", [])
                    if e.get("type") == "m.room.member" and e.get("state_key") == self.user_id]
            if self.read_direct and mine and (mine[-1].get("content") or {}).get("is_direct"):
                self._nio("join", room_id)
                self._mark_direct(mine[-1].get("sender"), room_id)
                accepted.append(room_id)
        return accepted

    # ---------------------------------------------------------------------------------------- reading

    def fetch(self, cursor: str | None):
        state = json.loads(cursor) if (cursor or "").startswith("{") else {"since": cursor} if cursor else {}
        since, backfill, self._seen_before = state.get("since"), list(state.get("backfill") or []), state.get("seen")
        self._seen = self._seen_before or 0
        self._login()
        self._dm_map()
        no = {"not_types": ["*"]}
        flt = {"presence": no, "account_data": no, "room": {
            "timeline": {"limit": 100 if since else 1, "types": READ_TYPES}, "state": no, "ephemeral": no,
            "account_data": no}}
        sync = self._api("GET", "/sync", query={"timeout": 0, "filter": json.dumps(flt)} | (
            {"since": since} if since else {}))
        new_since, rooms_data = sync["next_batch"], sync.get("rooms") or {}
        accepted = self._accept_dm_invites(rooms_data.get("invite") or {})
        rooms = self._selected(self._joined())
        backfill = rooms if since is None else [r for r in dict.fromkeys(backfill + accepted) if r in rooms]
        for room_id, data in (rooms_data.get("join") or {}).items():
            if since is None or room_id not in rooms or room_id in backfill:
                continue
            timeline = data.get("timeline") or {}
            events = timeline.get("events") or []
            if timeline.get("limited") and timeline.get("prev_batch"):
                events = self._history(room_id, timeline["prev_batch"], stop=since) + events
            yield from self._batches(room_id, events, None)
        for i, room_id in enumerate(backfill):  # from the latest event: the sync token may be a cached one
            yield from self._batches(room_id, self._history(room_id), lambda i=i: self._cursor(
                new_since, backfill[i + 1:]))
        if not backfill:
            yield Batch(cursor=self._cursor(new_since, []))

    def _cursor(self, since: str, backfill: list[str]) -> str:
        return json.dumps({"since": since, "backfill": backfill, "seen": self._seen})

    def _history(self, room_id: str, start: str | None = None, stop: str | None = None) -> list[dict]:
        """Up to history_limit events before ``start`` (default: the latest) and after ``stop``, oldest first."""
        events: list[dict] = []
        token, flt = start, json.dumps({"types": READ_TYPES})
        while len(events) < self.history_limit:
            query = {"dir": "b", "limit": min(100, self.history_limit - len(events)), "filter": flt} | (
                {"from": token} if token else {}) | ({"to": stop} if stop else {})
            data = self._api("GET", f"/rooms/{q(room_id)}/messages", query=query)
            events.extend(data.get("chunk") or [])
            if not data.get("chunk") or not data.get("end") or data["end"] == token:
                break
            token = data["end"]
        return events[::-1]


    # ---------------------------------------------------------------------------------------- writing

    def test_connection(self) -> str:
        user = self._login()
        return f"connected to {self.homeserver} as {user} ({len(self._joined())} joined rooms)"

    def _send(self, room_id: str, content: dict) -> Sent:
        self._login()
        resp = self._nio("room_send", room_id, "m.room.message", content)
        self._where[resp.event_id] = room_id
        return Sent(resp.event_id, link(room_id, resp.event_id), dt.datetime.now(dt.UTC), raw={"room_id": room_id})

    def _find_room(self, event_id: str) -> str | None:
        if event_id not in self._where:
            for room_id in self._joined():
                if self._event(room_id, event_id):
                    self._where[event_id] = room_id
                    break
        return self._where.get(event_id)

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        self._login()
        room, sep, root = (thread_id or "").rpartition("|")
        day = DAY.match(thread_id or "")
        if not (sep and room.startswith("!")):
            room, root = (day["room"] if day else thread_id if (thread_id or "")[:1] == "!" else None), None
        for candidate in (parent_id, thread_id):
            if room is None and candidate and candidate.startswith("$"):
                room = self._find_room(candidate)
        if room is None:
            raise NotSupported(f"cannot tell which Matrix room conversation {thread_id or parent_id!r} is in")
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if root:
            real = bool(parent_id and parent_id != root)  # a reply to a message in the thread, not to the thread
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": root, "is_falling_back": not real,
                                       "m.in_reply_to": {"event_id": parent_id if real else root}}
        elif parent_id:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": parent_id}}
        if parent_id and (parent := self._event(room, parent_id)) and parent.get("sender") != self.user_id:
            content["m.mentions"] = {"user_ids": [parent["sender"]]}  # notifies the person answered
        return self._send(room, content)

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        """Post in ``channel``: a room id, an alias, or the name of a configured (else joined) room."""
        self._login()
        if channel and channel[:1] in "!#":
            rooms = [self._resolve(channel)]
        else:
            rooms = [self._resolve(r) for r in self.rooms] or sorted(self._joined())
            if channel:
                rooms = [r for r in rooms if channel.lower() in
                         {(self._room(r).name or "").lower(), (self._room(r).alias or "").lower()}]
        if len(rooms) != 1:
            raise NotSupported(f"choose the Matrix room to publish to ({channel or 'no room given'} matches "
                               f"{len(rooms)} rooms)")
        content = {"msgtype": "m.text", "body": f"{title}\n\n{text}" if title else text}
        if title:
            content |= {"format": "org.matrix.custom.html", "formatted_body": f"<h3>{html.escape(title)}</h3><p>"
                        + html.escape(text).replace("\n", "<br>") + "</p>"}
        return self._send(rooms[0], content)

    def send_direct(self, platform_user_id: str, text: str) -> Sent:
        """Write in the DM room with that person (the one in the account's m.direct), creating it if need be."""
        self._login()
        joined = self._joined()
        for room_id in self._dm_map().get(platform_user_id, []):
            member = self._api("GET", f"/rooms/{q(room_id)}/state/m.room.member/{q(platform_user_id)}",
                               missing_ok=True) or {}
            if room_id in joined and member.get("membership") in ("join", "invite"):
                return self._send(room_id, {"msgtype": "m.text", "body": text})
        created = self._nio("room_create", is_direct=True, invite=[platform_user_id],
                            preset=nio.RoomPreset.trusted_private_chat)
        self._mark_direct(platform_user_id, created.room_id)
        return self._send(created.room_id, {"msgtype": "m.text", "body": text})

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        if action not in ("delete", "redact", "remove"):
            raise NotSupported(f"Matrix moderation from Kapwa can delete (redact) messages, not {action!r}")
        self._login()
        if (room_id := self._find_room(platform_message_id)) is None:
            raise NotSupported(f"message {platform_message_id} is not in any room Kapwa's Matrix account is in")
        self._nio("room_redact", room_id, platform_message_id, reason=reason)
