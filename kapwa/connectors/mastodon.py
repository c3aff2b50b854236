"""Mastodon (and compatible servers) through Mastodon.py, with an account's access token.

Reads, per stream, everything newer than the last status/notification seen (``since_id``, paging back with
``max_id`` until the gap is closed; the cursor moves only when the whole gap is stored):

* ``notifications`` — mentions (``visibility: direct`` ones are direct messages), favourites and boosts
  (→ "reacted" activities) and ``update`` (a status was edited → the stored message is updated);
* ``conversations`` — direct-message threads (their latest status);
* ``hashtag`` (optional, config ``hashtag``) — the public tag timeline.

A status that replies to something is placed in its thread through ``GET /api/v1/statuses/:id/context``:
the thread id is the root status id, and the ancestors are stored too, so replies have their parents.
Replies keep the visibility of what they answer and mention its author; DMs are ``direct`` statuses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

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
    NotSupported,
    Sent,
)
from kapwa.connectors.rss import html_to_text

log = logging.getLogger("kapwa.connectors.mastodon")

PLATFORM = "Mastodon"
PAGE = 40
MAX_PAGES = 10  # per stream and sync: 400 notifications; more are picked up by the next sync
MAX_CONTEXTS = 25  # thread look-ups per sync
BATCH = 100
NOTIFICATION_TYPES = ["mention", "favourite", "reblog", "update"]
REACTIONS = {"favourite": "favourite", "reblog": "boost"}


def _id_key(value: Any) -> tuple[int, str]:
    text = str(value)
    return (len(text), text)  # Mastodon ids are decimal strings: longer is newer


def _load_cursor(cursor: str | None) -> dict:
    """A cursor Kapwa cannot read (an older format) starts over rather than stopping the source."""
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        log.warning("unreadable Mastodon cursor %r; starting from the newest", cursor[:80])
        return {}
    return state if isinstance(state, dict) else {}


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class MastodonConnector(BaseConnector):
    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.read, Capability.reply, Capability.publish, Capability.direct_message})
    fields: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("instance_url", "Instance URL, e.g. https://mastodon.social", False),
        ("access_token", "Access token (read, write:statuses)", True),
    )

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.instance_url = str(self.config.get("instance_url") or "").rstrip("/")
        self._api: Mastodon | None = None
        self._last_response = None
        self._me: dict | None = None
        self._roots: dict[str, str | None] = {}
        self._contexts_left = MAX_CONTEXTS

    # ------------------------------------------------------------------------------------- plumbing

    def api(self) -> Mastodon:
        if self._api is None:
            if urlsplit(self.instance_url).scheme not in ("http", "https"):
                raise ConnectorError("Set the instance URL of the Mastodon server, e.g. https://mastodon.social")
            token = self.credentials.get("access_token")
            if not token:
                raise AuthError("No Mastodon access token is set for this source.")
            api = Mastodon(api_base_url=self.instance_url, ratelimit_method="throw", request_timeout=30,
                           version_check_mode="none", user_agent="Kapwa")
            api.access_token = token  # set after construction: Mastodon.py would read a file of that name
            api.session.hooks["response"].append(self._remember)
            self._api = api
        return self._api

    def _remember(self, response, *args, **kwargs):
        self._last_response = response
        return response

    @contextmanager
    def _calls(self, what: str | None = None):
        """Mastodon.py exceptions → plain-words ConnectorErrors."""
        try:
            yield
        except ConnectorError:
            raise
        except MastodonRatelimitError as exc:
            headers = getattr(self._last_response, "headers", None)
            raise http_errors.error_for_status(429, PLATFORM, headers=headers) from exc
        except MastodonNetworkError as exc:
            raise http_errors.from_message(str(exc), PLATFORM, host=http_errors.host_of(self.instance_url)) from exc
        except MastodonAPIError as exc:
            args = exc.args
            if len(args) >= 2 and isinstance(args[1], int):
                detail = args[3] if len(args) > 3 and isinstance(args[3], str) else None
                headers = getattr(self._last_response, "headers", None)
                hint = ("It may have been deleted." if what in ("status", "account")
                        else "Check the address in the source settings.")
                raise http_errors.error_for_status(args[1], PLATFORM, headers=headers, hint=hint,
                                                   detail=http_errors.platform_detail(detail), what=what) from exc
            raise ConnectorError(f"Mastodon sent an answer Kapwa could not read ({args[0] if args else exc}).") from exc
        except MastodonError as exc:
            raise ConnectorError(f"Mastodon request failed: {exc}") from exc

    def me(self) -> dict:
        if self._me is None:
            with self._calls("account"):
                acc = self.api().account_verify_credentials()
            self._me = {"id": str(acc["id"]), "acct": acc["acct"]}
        return self._me

    def close(self) -> None:
        if self._api is not None:
            self._api.session.close()
            self._api = None

    def test_connection(self) -> str:
        me = self.me()
        return f"Signed in as @{me['acct']} on {http_errors.host_of(self.instance_url)}"

    # ---------------------------------------------------------------------------------------- reading

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state = _load_cursor(cursor)
        api = self.api()
        self.me()
        streams: list[tuple[str, Callable, Callable]] = [
            ("notifications", lambda **kw: api.notifications(types=NOTIFICATION_TYPES, **kw), lambda n: n["id"]),
            ("conversations", lambda **kw: api.conversations(**kw),
             lambda c: c["last_status"]["id"] if c.get("last_status") else None),
        ]
        tag = str(self.config.get("hashtag") or "").lstrip("#").strip()
        if tag:
            streams.append((f"tag:{tag}", lambda **kw: api.timeline_hashtag(tag, **kw), lambda s: s["id"]))
        for name, call, id_of in streams:
            entries, newest = self._gap(call, id_of, state.get(name))
            items, activities = self._convert(name, entries)
            if newest is not None:
                state[name] = newest
            yield from self._batches(items, activities, json.dumps(state, sort_keys=True))

    def _gap(self, call: Callable, id_of: Callable, since: str | None) -> tuple[list, str | None]:
        """Everything newer than ``since`` (one page when there is no cursor yet), newest first."""
        out: list = []
        max_id = None
        pages = MAX_PAGES if since else int(self.config.get("backfill_pages", 1))
        for _ in range(max(1, pages)):
            kwargs: dict[str, Any] = {"limit": PAGE}
            if since:
                kwargs["since_id"] = since
            if max_id:
                kwargs["max_id"] = max_id
            with self._calls():
                page = list(call(**kwargs))
            ids = [str(i) for i in (id_of(e) for e in page) if i is not None]
            out.extend(page)
            if len(page) < PAGE or not ids:
                break
            max_id = min(ids, key=_id_key)
        else:
            if since:
                log.warning("more than %d pages of new entries; the oldest wait for the next sync", MAX_PAGES)
        ids = [str(i) for i in (id_of(e) for e in out) if i is not None]
        newest = max(ids, key=_id_key) if ids else since
        return out, newest

    def _convert(self, stream: str, entries: list) -> tuple[list[InboundItem], list[InboundActivity]]:
        items: dict[str, InboundItem] = {}
        activities: list[InboundActivity] = []
        for entry in entries:
            if stream == "notifications":
                kind, status = entry["type"], entry.get("status")
                if kind in REACTIONS and status:
                    activities.append(self._reaction(entry))
                    continue
                if not status:
                    continue
                hint = "mention" if kind == "mention" else "post"
            elif stream == "conversations":
                status, hint = entry.get("last_status"), "direct"
                if not status:
                    continue
            else:
                status, hint = entry.get("reblog") or entry, "post"
            for it in self._with_thread(status, hint, channel=None if ":" not in stream else f"#{stream[4:]}"):
                items[it.platform_message_id] = it
        return list(items.values()), activities

    def _batches(self, items, activities, cursor) -> Iterator[Batch]:
        items.sort(key=lambda it: it.created_at)
        chunks = [items[i:i + BATCH] for i in range(0, len(items), BATCH)] or [[]]
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            yield Batch(items=chunk, activities=activities if last else [], cursor=cursor if last else None)

    def _with_thread(self, status, hint: str, channel: str | None) -> list[InboundItem]:
        """The status, and — for a reply — its ancestors, all carrying the root status id as thread id."""
        sid = str(status["id"])
        parent = status.get("in_reply_to_id")
        if not parent:
            return [self._item(status, hint, root=sid, channel=channel)]
        out = []
        if sid not in self._roots and self._contexts_left > 0:
            self._contexts_left -= 1
            try:
                with self._calls("status"):
                    context = self.api().status_context(sid)
            except http_errors.NotFound:
                context = {"ancestors": []}
            ancestors = list(context.get("ancestors") or [])
            root = str(ancestors[0]["id"]) if ancestors and not ancestors[0].get("in_reply_to_id") else None
            for anc in ancestors:
                self._roots[str(anc["id"])] = root
                out.append(self._item(anc, "post", root=root, channel=channel))
            self._roots[sid] = root
        out.append(self._item(status, hint, root=self._roots.get(sid), channel=channel))
        return out

    def _item(self, status, hint: str, *, root: str | None, channel: str | None) -> InboundItem:
        account = status["account"]
        me = self.me()
        direct = status.get("visibility") == "direct"
        if direct:
            kind = "direct"
        elif status.get("in_reply_to_id"):
            kind = "reply"
        else:
            kind = "mention" if hint == "mention" else "post"
        html = status.get("content") or ""
        text = html_to_text(html)
        if status.get("spoiler_text"):
            text = f"Content warning: {status['spoiler_text']}\n\n{text}"
        parent = status.get("in_reply_to_id")
        return InboundItem(
            platform_message_id=str(status["id"]), created_at=_utc(status["created_at"]), text=text,
            author=self._author(account), kind=kind,
            direction="outbound" if str(account["id"]) == me["id"] else "inbound",
            thread_id=root, parent_id=str(parent) if parent else None, channel=channel,
            url=status.get("url") or status.get("uri"), html=html or None, is_direct=direct,
            edited_at=_utc(status.get("edited_at")),
            raw={"uri": status.get("uri"), "visibility": status.get("visibility"),
                 "in_reply_to_account_id": str(status.get("in_reply_to_account_id") or "") or None,
                 "language": status.get("language"), "replies_count": status.get("replies_count")},
        )

    @staticmethod
    def _author(account) -> InboundAuthor:
        return InboundAuthor(
            platform_user_id=str(account["id"]), handle=account.get("acct"),
            display_name=account.get("display_name") or account.get("username"),
            profile_url=account.get("url"), avatar_url=account.get("avatar"), is_bot=bool(account.get("bot")),
            raw={"acct": account.get("acct"), "username": account.get("username"), "url": account.get("url")},
        )

    def _reaction(self, notification) -> InboundActivity:
        kind = REACTIONS[notification["type"]]
        status = notification["status"]
        return InboundActivity(
            platform_activity_id=f"notification:{notification['id']}", type="reacted",
            occurred_at=_utc(notification["created_at"]), author=self._author(notification["account"]),
            title="Favourited a post" if kind == "favourite" else "Boosted a post",
            message_platform_id=str(status["id"]),
            properties={"reaction": kind, "status_url": status.get("url")},
        )

    # ---------------------------------------------------------------------------------------- writing

    @staticmethod
    def _idempotency(*parts: str) -> str:
        """Same reply sent twice within an hour (a retried job) → one status; Mastodon keeps keys 1 h."""
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]

    def _post(self, text: str, **kwargs) -> Sent:
        with self._calls("status"):
            status = self.api().status_post(text, idempotency_key=self._idempotency(text, repr(sorted(kwargs.items()))),
                                            **kwargs)
        return Sent(platform_message_id=str(status["id"]), url=status.get("url"),
                    created_at=_utc(status.get("created_at")), raw={"visibility": status.get("visibility")})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        target = parent_id or thread_id
        if not target:
            raise http_errors.Rejected("A Mastodon reply needs the status it answers.")
        with self._calls("status"):
            parent = self.api().status(target)
        me = self.me()
        accts = [parent["account"]["acct"]] + [m["acct"] for m in parent.get("mentions") or []]
        missing = [a for a in dict.fromkeys(accts) if a != me["acct"] and f"@{a}".lower() not in text.lower()]
        body = " ".join(f"@{a}" for a in missing) + (" " if missing else "") + text
        return self._post(body, in_reply_to_id=str(parent["id"]), visibility=parent.get("visibility") or "public")

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        body = f"{title}\n\n{text}" if title else text
        return self._post(body, visibility=str(self.config.get("visibility") or "public"))

    def send_direct(self, platform_user_id: str, text: str) -> Sent:
        with self._calls("account"):
            account = self.api().account(platform_user_id)
        return self._post(f"@{account['acct']} {text}", visibility="direct")

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        raise NotSupported("Kapwa cannot moderate Mastodon posts: removing or hiding a status needs the "
                           "server's own moderation tools (an admin account). Report it there instead.")
