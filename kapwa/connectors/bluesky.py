"""Bluesky (AT Protocol) through the atproto SDK, signed in with a handle and an app password.

Reads ``app.bsky.notification.listNotifications`` newest first until it reaches the newest notification
already stored (its ``indexedAt`` is the cursor; the listing's own ``cursor`` pages backwards):
mentions, replies and quotes become messages (the ``at://`` URI is the message id, the reply's root URI
the thread id), likes and reposts become "reacted" activities. With config ``own_threads`` it also reads
the account's recent posts (``app.bsky.feed.getAuthorFeed``) and their reply trees
(``app.bsky.feed.getPostThread``). Notifications are never marked as seen: Kapwa only reads.

Replies are ``app.bsky.feed.post`` records with a reply ref (root + parent, URI and CID, looked up with
``app.bsky.feed.getPosts``), written through ``com.atproto.repo.createRecord``; links, tags and @handles
become facets. ``createSession`` is limited (30 per 5 minutes, 300 a day), so a session is kept per worker
process and refreshed rather than signing in on every sync.

The atproto SDK takes seconds to import, so it is imported on first use, not when Kapwa loads its connectors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from atproto import Client

from kapwa.connectors import http_errors
from kapwa.connectors.base import (
    AuthError,
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    InboundActivity,
    InboundAuthor,
    InboundItem,
    Sent,
)

log = logging.getLogger("kapwa.connectors.bluesky")

PLATFORM = "Bluesky"
DEFAULT_SERVICE = "https://bsky.social"
PAGE = 50
MAX_PAGES = 10
BATCH = 100
MESSAGE_REASONS = {"mention": "mention", "reply": "reply", "quote": "mention"}
REACTION_REASONS = {"like": "like", "repost": "repost"}
AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing",
               "AccountTakedown", "AccountDeactivated"}
T = TypeVar("T")

# One session per (service, handle, password) and process: createSession is heavily rate limited.
_sessions: dict[str, str] = {}
_sessions_lock = threading.Lock()


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _dump(obj: Any) -> Any:
    return obj.model_dump(by_alias=True, exclude_none=True) if hasattr(obj, "model_dump") else obj


def rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class BlueskyConnector(BaseConnector):
    kind: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.read, Capability.reply, Capability.publish})
    fields: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("service_url", "Service (PDS) URL, default https://bsky.social", False),
        ("handle", "Handle, e.g. kapwa.bsky.social", False),
        ("app_password", "App password (Settings → Privacy and security → App passwords)", True),
    )

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.service_url = str(self.config.get("service_url") or DEFAULT_SERVICE).rstrip("/")
        self.handle = str(self.credentials.get("handle") or self.config.get("handle") or "").lstrip("@")
        self._password = str(self.credentials.get("app_password") or self.credentials.get("password") or "")
        self._client: Client | None = None
        self._from_cache = False

    # ------------------------------------------------------------------------------------- plumbing

    @property
    def _session_key(self) -> str:
        digest = hashlib.sha256(self._password.encode()).hexdigest()
        return f"{self.service_url}|{self.handle.lower()}|{digest}"

    def client(self) -> Client:
        if self._client is not None:
            return self._client
        if not self.handle or not self._password:
            raise AuthError("Set the Bluesky handle and an app password for this source.")
        from atproto import Client
        from atproto_client.request import Request

        client = Client(base_url=self.service_url, request=Request(timeout=30))
        key = self._session_key

        def keep(_event, session) -> None:
            with _sessions_lock:
                _sessions[key] = session.export()

        client.on_session_change(keep)
        with _sessions_lock:
            saved = _sessions.get(key)
        with self._calls():
            if saved:
                client.login(session_string=saved, fetch_bsky_profile=False)
                self._from_cache = True
            else:
                client.login(self.handle, self._password, fetch_bsky_profile=False)
        self._client = client
        return client

    def _relogin(self) -> None:
        with _sessions_lock:
            _sessions.pop(self._session_key, None)
        if self._client is not None:
            self._client.request.close()
        self._client, self._from_cache = None, False
        self.client()

    @property
    def did(self) -> str:
        return self.client()._session.did

    @contextmanager
    def _calls(self, what: str | None = None):
        from atproto_client.exceptions import LoginRequiredError, ModelError, RequestErrorBase
        from atproto_core.exceptions import AtProtocolError

        try:
            yield
        except ConnectorError:
            raise
        except LoginRequiredError as exc:
            raise AuthError("Bluesky needs Kapwa to sign in again; check the handle and app password.") from exc
        except RequestErrorBase as exc:
            raise self._error(exc, what) from exc
        except ModelError as exc:
            raise ConnectorError(f"Bluesky sent an answer Kapwa could not read ({str(exc)[:150]}).") from exc
        except AtProtocolError as exc:
            raise ConnectorError(f"Bluesky request failed: {str(exc)[:200]}") from exc

    def _error(self, exc, what: str | None) -> ConnectorError:
        response = exc.response
        if response is None:
            return http_errors.from_exception(exc.__cause__ or exc, PLATFORM, url=self.service_url)
        content = response.content
        if hasattr(content, "error") and not isinstance(content, dict | bytes):  # XrpcError
            content = {"error": content.error, "message": getattr(content, "message", None)}
        code = content.get("error") if isinstance(content, dict) else None
        detail = http_errors.platform_detail(content)
        if code in AUTH_ERRORS:
            return AuthError(f"Bluesky did not accept the sign-in (HTTP {response.status_code}: {detail}). "
                             "Check the handle and app password and connect the source again.")
        if response.status_code == 400 and code == "NotFound":
            return http_errors.NotFound(f"Bluesky has no such {what or 'record'} ({detail}).")
        return http_errors.error_for_status(response.status_code, PLATFORM, headers=response.headers,
                                            detail=detail, what=what)

    def _xrpc(self, call: Callable[[Client], T], what: str | None = None) -> T:
        """Run one request; a stale kept session gets one fresh sign-in and a second try."""
        client = self.client()
        try:
            with self._calls(what):
                return call(client)
        except AuthError:
            if not self._from_cache:
                raise
            log.info("kept Bluesky session for %s no longer accepted; signing in again", self.handle)
            self._relogin()
            with self._calls(what):
                return call(self.client())

    def close(self) -> None:
        if self._client is not None:
            self._client.request.close()
            self._client = None

    def test_connection(self) -> str:
        self._from_cache = False
        with _sessions_lock:
            _sessions.pop(self._session_key, None)
        session = self.client()._session
        return f"Signed in as @{session.handle} ({session.did})"

    # ---------------------------------------------------------------------------------------- reading

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        try:
            state = json.loads(cursor) if cursor else {}
        except ValueError:
            log.warning("unreadable Bluesky cursor %r; starting from the newest", cursor[:80])
            state = {}
        seen = state.get("seen") if isinstance(state, dict) else None
        notes, newest = self._notifications(seen)
        items: dict[str, InboundItem] = {}
        activities: list[InboundActivity] = []
        for n in notes:
            reason = n.get("reason")
            if reason in MESSAGE_REASONS and n.get("record", {}).get("$type", "app.bsky.feed.post") == "app.bsky.feed.post":
                it = self._item(n["uri"], n["author"], n["record"], n.get("indexedAt"), MESSAGE_REASONS[reason])
                items[it.platform_message_id] = it
            elif reason in REACTION_REASONS:
                activities.append(self._reaction(n))
        if self.config.get("own_threads"):
            for it in self._own_threads():
                items.setdefault(it.platform_message_id, it)
        ordered = sorted(items.values(), key=lambda it: it.created_at)
        new_cursor = json.dumps({"seen": newest or seen})
        chunks = [ordered[i:i + BATCH] for i in range(0, len(ordered), BATCH)] or [[]]
        for k, chunk in enumerate(chunks):
            last = k == len(chunks) - 1
            yield Batch(items=chunk, activities=activities if last else [], cursor=new_cursor if last else None)

    def _notifications(self, seen: str | None) -> tuple[list[dict], str | None]:
        out: list[dict] = []
        page_cursor = None
        seen_at = _parse_time(seen)
        pages = MAX_PAGES if seen else int(self.config.get("backfill_pages", 1))
        for _ in range(max(1, pages)):
            params: dict[str, Any] = {"limit": PAGE}
            if page_cursor:
                params["cursor"] = page_cursor
            page = _dump(self._xrpc(lambda c, p=params: c.app.bsky.notification.list_notifications(params=p),
                                    "notifications"))
            reached = False
            for n in page.get("notifications", []):
                when = _parse_time(n.get("indexedAt"))
                if seen_at and when and when <= seen_at:
                    reached = True
                    break
                out.append(n)
            page_cursor = page.get("cursor")
            if reached or not page_cursor or not page.get("notifications"):
                break
        newest = max((n["indexedAt"] for n in out), key=lambda v: _parse_time(v) or dt.datetime.min.replace(
            tzinfo=dt.UTC), default=None)
        return out, newest

    def _own_threads(self) -> Iterator[InboundItem]:
        limit = int(self.config.get("thread_posts", 10))
        feed = _dump(self._xrpc(lambda c: c.app.bsky.feed.get_author_feed(
            params={"actor": self.did, "limit": limit, "filter": "posts_no_replies"}), "posts"))
        for entry in feed.get("feed", []):
            post = entry.get("post") or {}
            if entry.get("reason") or not post.get("replyCount"):
                continue
            thread = _dump(self._xrpc(lambda c, u=post["uri"]: c.app.bsky.feed.get_post_thread(
                params={"uri": u, "depth": 10}), "post"))
            yield from self._walk(thread.get("thread") or {})

    def _walk(self, node: dict) -> Iterator[InboundItem]:
        post = node.get("post")
        if not post:  # notFoundPost / blockedPost
            return
        yield self._item(post["uri"], post["author"], post.get("record") or {}, post.get("indexedAt"), "post")
        for child in node.get("replies") or []:
            yield from self._walk(child)

    def _item(self, uri: str, author: dict, record: dict, indexed_at: str | None, kind: str) -> InboundItem:
        reply = record.get("reply") or {}
        parent = (reply.get("parent") or {}).get("uri")
        root = (reply.get("root") or {}).get("uri")
        created = _parse_time(record.get("createdAt"))
        indexed = _parse_time(indexed_at)
        if created is None or (indexed and created > indexed + dt.timedelta(minutes=5)):
            created = indexed or dt.datetime.now(dt.UTC)  # createdAt is what the author's app claims
        handle = author.get("handle") or author["did"]
        own = author["did"] == self.did
        return InboundItem(
            platform_message_id=uri, created_at=created, text=record.get("text") or "",
            author=self._author(author), kind="reply" if parent else kind,
            direction="outbound" if own else "inbound", thread_id=root or uri, parent_id=parent,
            url=f"https://bsky.app/profile/{handle}/post/{rkey(uri)}",
            raw={"uri": uri, "langs": record.get("langs"), "root": root, "indexedAt": indexed_at},
        )

    @staticmethod
    def _author(author: dict) -> InboundAuthor:
        handle = author.get("handle")
        return InboundAuthor(
            platform_user_id=author["did"], handle=handle,
            display_name=author.get("displayName") or handle, avatar_url=author.get("avatar"),
            profile_url=f"https://bsky.app/profile/{handle or author['did']}",
            is_bot=any(lbl.get("val") == "bot" for lbl in author.get("labels") or []),
            raw={"did": author["did"], "handle": handle},
        )

    def _reaction(self, n: dict) -> InboundActivity:
        kind = REACTION_REASONS[n["reason"]]
        subject = n.get("reasonSubject") or (n.get("record", {}).get("subject") or {}).get("uri")
        return InboundActivity(
            platform_activity_id=n["uri"], type="reacted",
            occurred_at=_parse_time(n.get("record", {}).get("createdAt")) or _parse_time(n["indexedAt"]),
            author=self._author(n["author"]), title="Liked a post" if kind == "like" else "Reposted a post",
            message_platform_id=subject, properties={"reaction": kind},
        )

    # ---------------------------------------------------------------------------------------- writing

    def _send(self, text: str, reply_to=None) -> Sent:
        langs = self.config.get("langs") or None
        facets = self._xrpc(lambda c: c.detect_facets(text)) or None
        created = self._xrpc(lambda c: c.send_post(text, profile_identify=self.did, reply_to=reply_to,
                                                    langs=langs, facets=facets), "post")
        return Sent(platform_message_id=created.uri, url=f"https://bsky.app/profile/{self.handle}/post/{rkey(created.uri)}",
                    created_at=dt.datetime.now(dt.UTC), raw={"uri": created.uri, "cid": created.cid})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        from atproto import models

        target = parent_id or thread_id
        if not target:
            raise http_errors.Rejected("A Bluesky reply needs the post it answers.")
        posts = _dump(self._xrpc(lambda c: c.app.bsky.feed.get_posts(params={"uris": [target]}), "post"))
        if not posts.get("posts"):
            raise http_errors.NotFound("Bluesky no longer has the post this replies to (deleted or hidden).")
        parent = posts["posts"][0]
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent["uri"], cid=parent["cid"])
        root = (parent.get("record", {}).get("reply") or {}).get("root")
        root_ref = models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"]) if root else parent_ref
        return self._send(text, models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref))

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        return self._send(f"{title}\n\n{text}" if title else text)
