"""Reddit through PRAW: new posts and comments of the configured subreddits, username mentions and private
messages from the account's inbox; replies, self posts, and removal/approval for moderators.

Ids: posts and comments are stored by their bare base36 id (the ``t3_``/``t1_`` prefix stripped everywhere,
parents included), so a post's id is also its thread id. Private messages keep their ``t4_`` fullname, so
they can never be mistaken for a post; a message chain is one conversation keyed by its first message.

Config: ``subreddits`` (names; or one ``subreddit``), ``inbox`` (read mentions and private messages, default on),
``backfill`` (items per listing on the first sync, default 100), ``limit`` (most items per listing per sync,
default 1000), ``user_agent``; ``api_url``/``auth_url`` point PRAW at another host (a proxy or a test server).
Credentials: ``client_id``, ``client_secret`` and either ``refresh_token`` or ``username``/``password`` (script
apps). The cursor is JSON: the newest ``created_utc`` seen per listing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import praw
import prawcore
from praw.exceptions import PRAWException, RedditAPIException
from praw.models import Comment, Message, Submission

from kapwa import __version__
from kapwa.connectors import http_errors
from kapwa.connectors.base import (
    AuthError,
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    InboundAuthor,
    InboundItem,
    NotSupported,
    RateLimited,
    Sent,
)

log = logging.getLogger("kapwa.connectors.reddit")
WEB = "https://www.reddit.com"
_CONTEXT_LINK = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)


def strip_prefix(fullname: str | None) -> str | None:
    """``t1_abc``/``t3_abc`` → ``abc``; anything else unchanged (``t4_`` messages keep their prefix)."""
    if fullname and fullname[:3] in ("t1_", "t3_"):
        return fullname[3:]
    return fullname


def _when(ts: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(ts or 0), tz=dt.UTC)


def translate(exc: Exception) -> ConnectorError | None:
    """A PRAW/prawcore exception in plain words; None for anything else."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, prawcore.OAuthException):
        return AuthError(f"Reddit refused the app credentials ({exc.error}): check the client id, secret and token")
    if isinstance(exc, prawcore.Redirect):  # Reddit sends unknown subreddits to its search page
        return http_errors.NotFound("Reddit has no such subreddit (it redirected to search): check the names")
    if isinstance(exc, prawcore.ResponseException):
        return http_errors.error_for_response(exc.response, "Reddit", what="subreddit or item")
    if isinstance(exc, prawcore.RequestException):
        return http_errors.from_exception(exc.original_exception, "Reddit")
    if isinstance(exc, RedditAPIException):
        first = exc.items[0]
        if first.error_type == "RATELIMIT":
            return RateLimited(f"Reddit says: {first.message}", retry_after=60.0)
        return http_errors.Rejected(f"Reddit refused: {first.message} ({first.error_type})")
    if isinstance(exc, PRAWException):
        return ConnectorError(f"Reddit client error: {exc}")
    return None


class RedditConnector(BaseConnector):
    kind: ClassVar[str] = "reddit"
    label: ClassVar[str] = "Reddit"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.moderate})
    fields = (("client_id", "App client ID", False), ("client_secret", "App secret", True),
              ("refresh_token", "Refresh token", True), ("username", "Username (script apps only)", False),
              ("password", "Password (script apps only)", True))

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self._reddit: praw.Reddit | None = None
        self._me: str | None = None

    # ----------------------------------------------------------------------------------------- client

    @property
    def reddit(self) -> praw.Reddit:
        if self._reddit is None:
            c = self.credentials
            if not c.get("client_id"):
                raise AuthError("Reddit needs the app's client id")
            kw: dict[str, Any] = {
                "client_id": c["client_id"], "client_secret": c.get("client_secret") or None,
                "user_agent": self.config.get("user_agent") or f"kapwa:community:{__version__}",
                "check_for_updates": False, "timeout": int(self.config.get("timeout", 16)),
            }
            if c.get("refresh_token"):
                kw["refresh_token"] = c["refresh_token"]
            elif c.get("username") and c.get("password"):
                kw["username"], kw["password"] = c["username"], c["password"]
            else:
                raise AuthError("Reddit needs a refresh token, or a username and password for a script app")
            if self.config.get("api_url"):
                kw["oauth_url"] = self.config["api_url"].rstrip("/")
            if self.config.get("auth_url"):
                kw["reddit_url"] = self.config["auth_url"].rstrip("/")
            self._reddit = praw.Reddit(**kw)
        return self._reddit

    def subreddits(self) -> list[str]:
        """``subreddits`` (a list, or names separated by commas) or a single ``subreddit``; without ``r/``."""
        value = self.config.get("subreddits") or self.config.get("subreddit") or []
        names = value.split(",") if isinstance(value, str) else value
        return [str(n).strip().removeprefix("/").removeprefix("r/") for n in names if str(n).strip()]

    def _own_name(self) -> str:
        if self._me is None:
            self._me = self.credentials.get("username") or self.reddit.user.me().name
        return self._me

    def _call(self, fn, *args, **kw):
        with http_errors.translating(translate):
            return fn(*args, **kw)

    # ------------------------------------------------------------------------------------------ reading

    def test_connection(self) -> str:
        name = self._call(self._own_name)
        subs = self.subreddits()
        for sub in subs:
            self._call(getattr, self.reddit.subreddit(sub), "id")  # loads r/<sub>/about: exists and visible
        return f"Signed in to Reddit as u/{name}" + (f"; reading {', '.join('r/' + s for s in subs)}" if subs else "")

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state: dict[str, float] = json.loads(cursor) if cursor else {}
        me = self._call(self._own_name)
        streams: list[tuple[str, Any]] = []
        for sub in self.subreddits():
            subreddit = self.reddit.subreddit(sub)
            streams.append((f"r/{sub}/new", subreddit.new))
            streams.append((f"r/{sub}/comments", subreddit.comments))
        if self.config.get("inbox", True):
            streams.append(("inbox/mentions", self.reddit.inbox.mentions))
            streams.append(("inbox/messages", self.reddit.inbox.messages))
        for key, listing in streams:
            since = state.get(key)
            limit = int(self.config.get("limit", 1000) if since is not None else self.config.get("backfill", 100))
            things = self._call(self._newer, listing(limit=limit, request_limit=100), since)
            items = [it for it in (self.to_item(t, me, mention=key == "inbox/mentions") for t in things) if it]
            if things:
                state[key] = max([since or 0.0] + [float(vars(t).get("created_utc") or 0) for t in things])
            log.info("reddit %s: %d new", key, len(items))
            yield Batch(items=items, cursor=json.dumps(state, sort_keys=True))

    @staticmethod
    def _newer(listing: Iterable, since: float | None) -> list:
        """Listings run newest first; stop at the first thing older than the cursor (equal ones are kept: the
        upsert ignores what it already has)."""
        out = []
        for thing in listing:
            if since is not None and float(vars(thing).get("created_utc") or 0) < since:
                break
            out.append(thing)
        return out

    @staticmethod
    def _author(d: dict) -> InboundAuthor | None:
        name = str(d.get("author") or "")
        if not name or name == "[deleted]":
            return None
        return InboundAuthor(platform_user_id=name, handle=name, display_name=name,
                             profile_url=f"{WEB}/user/{name}", raw={"fullname": d.get("author_fullname")})

    def to_item(self, thing: Any, me: str | None = None, *, mention: bool = False) -> InboundItem | None:
        """One PRAW Submission, Comment or Message as an InboundItem (attributes read without lazy fetches)."""
        d = vars(thing)
        author = self._author(d)
        outbound = bool(me and author and author.platform_user_id.lower() == me.lower())
        raw = {k: v for k, v in d.items() if not k.startswith("_") and isinstance(v, (str, int, float, bool))}
        edited = _when(d["edited"]) if d.get("edited") not in (None, False) else None
        if isinstance(thing, Submission):
            text = d.get("selftext") or ("" if d.get("is_self", True) else d.get("url") or "")
            return InboundItem(
                platform_message_id=d["id"], created_at=_when(d.get("created_utc")), text=text, author=author,
                kind="post", direction="outbound" if outbound else "inbound", thread_id=d["id"],
                title=d.get("title"), channel=f"r/{d['subreddit']}" if d.get("subreddit") else None,
                url=WEB + d["permalink"] if d.get("permalink") else None, edited_at=edited,
                deleted=d.get("removed_by_category") is not None or text in ("[deleted]", "[removed]"), raw=raw)
        if isinstance(thing, Comment):
            parent = strip_prefix(d.get("parent_id"))
            thread = strip_prefix(d.get("link_id"))
            if not thread and d.get("context"):
                found = _CONTEXT_LINK.search(d["context"])
                thread = found.group(1) if found else None
            body = d.get("body") or ""
            kind = "mention" if mention else ("comment" if parent == thread else "reply")
            link = d.get("permalink") or d.get("context")
            return InboundItem(
                platform_message_id=d["id"], created_at=_when(d.get("created_utc")), text=body, author=author,
                kind=kind, direction="outbound" if outbound else "inbound", thread_id=thread, parent_id=parent,
                title=d.get("link_title"), channel=f"r/{d['subreddit']}" if d.get("subreddit") else None,
                url=WEB + link if link else None, edited_at=edited, deleted=body in ("[deleted]", "[removed]"),
                raw=raw)
        if isinstance(thing, Message):
            name = d.get("name") or f"t4_{d['id']}"
            first = d.get("first_message_name") or name
            parent = d.get("parent_id")
            return InboundItem(
                platform_message_id=name, created_at=_when(d.get("created_utc")), text=d.get("body") or "",
                author=author, kind="direct", direction="outbound" if outbound else "inbound", thread_id=first,
                parent_id=parent if parent and parent != name else None, title=d.get("subject"),
                is_direct=True, url=f"{WEB}/message/messages/{d['id']}", raw=raw)
        return None

    # ------------------------------------------------------------------------------------------ writing

    def _sent(self, thing: Any) -> Sent:
        d = vars(thing)
        name = d.get("name") or ""
        pid = name if name.startswith("t4_") else d["id"]
        return Sent(platform_message_id=pid, url=WEB + d["permalink"] if d.get("permalink") else d.get("url"),
                    created_at=_when(d["created_utc"]) if d.get("created_utc") else None,
                    raw={k: v for k, v in d.items() if isinstance(v, (str, int, float, bool)) and k[0] != "_"})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        """Reply to a comment, a post (when the parent is the thread itself) or a private message."""
        target = parent_id or thread_id
        if not target:
            raise ConnectorError("nothing to reply to: no thread or parent given")
        if target.startswith("t4_"):
            thing = Message(self.reddit, {"id": target[3:], "name": target})
        elif target == strip_prefix(thread_id):
            thing = self.reddit.submission(id=target)
        else:
            thing = self.reddit.comment(id=strip_prefix(target))
        made = self._call(thing.reply, text)
        if made is None:
            raise ConnectorError("Reddit accepted the reply but did not return it (the thread may be locked)")
        return self._sent(made)

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        sub = (channel or next(iter(self.subreddits()), "")).removeprefix("r/")
        if not sub:
            raise ConnectorError("publishing on Reddit needs a subreddit")
        lines = text.strip().splitlines()
        title = (title or (lines[0] if lines else ""))[:300]
        if not title:
            raise ConnectorError("a Reddit post needs a title")
        made = self._call(self.reddit.subreddit(sub).submit, title, selftext=text)
        d = vars(made)
        return Sent(platform_message_id=d["id"], url=f"{WEB}/r/{sub}/comments/{d['id']}/",
                    raw={"name": d.get("name")})

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        """``remove``, ``spam`` (remove as spam) or ``approve`` a post or comment; needs moderator rights."""
        if action not in ("remove", "spam", "approve"):
            raise NotSupported(f"Reddit moderation supports remove, spam and approve, not {action!r}")
        if platform_message_id.startswith("t4_"):
            raise NotSupported("private messages cannot be moderated on Reddit")
        pid = strip_prefix(platform_message_id)
        found = self._call(lambda: list(self.reddit.info(fullnames=[f"t1_{pid}", f"t3_{pid}"])))
        if not found:
            raise ConnectorError(f"Reddit has no post or comment {pid} (was it deleted?)")
        thing = found[0]
        if action == "approve":
            self._call(thing.mod.approve)
        else:
            self._call(thing.mod.remove, spam=action == "spam")
        log.info("reddit %s %s (%s)", action, thing.fullname, reason or "no reason given")

    def close(self) -> None:
        if self._reddit is not None:
            core = getattr(self._reddit, "_core", None)  # PRAW has no public close; prawcore's session does
            if core is not None:
                core.close()
            self._reddit = None
