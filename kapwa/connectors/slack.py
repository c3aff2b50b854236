"""Slack through slack_sdk's WebClient: channel history, thread replies and direct messages.

``conversations.history`` (with ``oldest``) reads each configured channel; a message with replies is a thread
(``thread_ts``) whose replies come from ``conversations.replies``. Threads stay watched for ``thread_days``
(default 7), so a late reply to an older thread is still found. Authors come from ``users.info`` (cached).
Direct-message channels (``im``) become direct conversations, one per person.

Ids: ``"<channel>:<ts>"`` (a ts is unique only inside its channel); a thread is ``"<channel>:<thread_ts>"``.
Config: ``channels`` (ids), ``direct_messages`` (also read the app's DMs), ``backfill`` (messages per channel on
the first sync, default 100), ``thread_days``, ``api_url`` (another Web API base).
Credentials: ``bot_token``; ``signing_secret`` (Events API webhook).
The cursor is JSON: per channel the newest ts read and the threads still watched.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

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

log = logging.getLogger("kapwa.connectors.slack")
TOKEN_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                "org_login_required", "ekm_access_denied"}
SKIP_SUBTYPES = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
                 "channel_archive", "channel_unarchive", "group_join", "group_leave", "pinned_item",
                 "unpinned_item", "bot_add", "bot_remove", "reminder_add", "tombstone"}
PAGE = 200


def translate(exc: BaseException, channel: str | None = None) -> ConnectorError | None:
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, SlackApiError):
        resp = exc.response
        status, error = resp.status_code, (resp.data.get("error") if isinstance(resp.data, dict) else None) or ""
        if status == 429 or error == "ratelimited":
            return http_errors.error_for_status(429, "Slack", headers=resp.headers)
        if error in TOKEN_ERRORS:
            return AuthError(f"Slack refused the token ({error})")
        if error == "missing_scope":
            return AuthError(f"missing scope {resp.data.get('needed') or '(Slack did not say which)'}")
        where = f"channel {channel}" if channel else "the channel"
        if error == "channel_not_found":
            return AuthError(f"Slack cannot find {where} (channel_not_found): check the id, or invite the app to it")
        if error == "not_in_channel":
            return AuthError(f"the Slack app is not in {where} (not_in_channel): invite it with /invite")
        if status != 200:
            return http_errors.error_for_status(status, "Slack", headers=resp.headers,
                                                detail=error if status < 500 else None)
        return http_errors.Rejected(f"Slack refused the request ({error})")
    if isinstance(exc, URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason  # urllib wraps the socket error that says what went wrong
    if isinstance(exc, (OSError, SlackClientError)):
        return http_errors.from_exception(exc, "Slack")
    return None


def when(ts: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)


class SlackConnector(BaseConnector):
    kind: ClassVar[str] = "slack"
    label: ClassVar[str] = "Slack"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.direct_message,
                              Capability.moderate, Capability.webhook})
    fields = (("bot_token", "Bot token (xoxb-…)", True), ("signing_secret", "Signing secret", True))

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self._client: WebClient | None = None
        self._users: dict[str, InboundAuthor] = {}
        self._auth: dict | None = None
        self._lenient = False  # webhooks: a failed name lookup never loses the message

    @property
    def client(self) -> WebClient:
        if self._client is None:
            token = self.credentials.get("bot_token")
            if not token:
                raise AuthError("Slack needs the bot token")
            kw: dict[str, Any] = {"token": token, "timeout": int(self.config.get("timeout", 30)),
                                  "logger": logging.getLogger("kapwa.connectors.slack.sdk")}
            if self.config.get("api_url"):
                kw["base_url"] = self.config["api_url"].rstrip("/") + "/"
            self._client = WebClient(**kw)
        return self._client

    def _call(self, method: str, where: str | None = None, /, **kw) -> dict:
        """Call a WebClient method; ``where`` (a channel id) only names the place in error messages."""
        with http_errors.translating(translate, where):
            return getattr(self.client, method)(**kw).data

    def _identity(self) -> dict:
        if self._auth is None:
            self._auth = self._call("auth_test")
        return self._auth

    # ------------------------------------------------------------------------------------------ reading

    def test_connection(self) -> str:
        me = self._identity()
        for cid in self.config.get("channels", []):
            self._call("conversations_history", cid, channel=cid, limit=1)  # needs channels:history, membership
        return f"Connected to Slack workspace {me.get('team')} as {me.get('user')}"

    def author(self, user_id: str | None, msg: dict | None = None) -> InboundAuthor | None:
        if not user_id:
            if msg and msg.get("bot_id"):
                profile = msg.get("bot_profile") or {}
                return InboundAuthor(platform_user_id=msg["bot_id"], handle=msg.get("username") or profile.get("name"),
                                     display_name=msg.get("username") or profile.get("name"), is_bot=True)
            return None
        if user_id not in self._users:
            try:
                user = self._call("users_info", user=user_id)["user"]
            except ConnectorError as exc:
                if isinstance(exc, RateLimited) and not self._lenient:
                    raise
                log.warning("slack users.info %s failed: %s", user_id, exc.message)
                return InboundAuthor(platform_user_id=user_id)
            profile = user.get("profile") or {}
            self._users[user_id] = InboundAuthor(
                platform_user_id=user_id, handle=user.get("name"),
                display_name=profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name"),
                email=profile.get("email"), avatar_url=profile.get("image_192") or profile.get("image_72"),
                is_bot=bool(user.get("is_bot")), raw={"team_id": user.get("team_id"), "tz": user.get("tz")})
        return self._users[user_id]

    def to_item(self, msg: dict, channel: dict, *, kind: str | None = None) -> InboundItem | None:
        """One Slack message event/object (as history, replies and the Events API give it) as an InboundItem."""
        if msg.get("subtype") in SKIP_SUBTYPES or not msg.get("ts"):
            return None
        cid = channel["id"]
        im = bool(channel.get("is_im"))
        ts, thread_ts = msg["ts"], msg.get("thread_ts")
        me = self._auth or {}
        author = self.author(msg.get("user"), msg)
        own = bool(author and author.platform_user_id in {me.get("user_id"), me.get("bot_id")})
        reply = bool(thread_ts and thread_ts != ts)
        thread = f"{cid}:{thread_ts}" if thread_ts else (f"dm:{cid}" if im else None)
        edited = msg.get("edited") or {}
        team_url = (me.get("url") or "").rstrip("/")
        return InboundItem(
            platform_message_id=f"{cid}:{ts}", created_at=when(ts), text=msg.get("text") or "", author=author,
            kind=kind or ("direct" if im else "reply" if reply else "post"),
            direction="outbound" if own else "inbound", thread_id=thread,
            parent_id=f"{cid}:{thread_ts}" if reply else None,
            channel=None if im else (f"#{channel['name']}" if channel.get("name") else None),
            url=f"{team_url}/archives/{cid}/p{ts.replace('.', '')}" if team_url else None, is_direct=im,
            edited_at=when(edited["ts"]) if edited.get("ts") else None,
            raw={k: msg[k] for k in ("ts", "thread_ts", "subtype", "reply_count") if k in msg})

    def _channels(self) -> list[dict]:
        found = []
        for cid in self.config.get("channels", []):
            found.append(self._call("conversations_info", cid, channel=cid)["channel"])
        if self.config.get("direct_messages"):
            cursor = None
            while True:
                page = self._call("conversations_list", types="im", limit=PAGE, cursor=cursor)
                found += [c for c in page.get("channels", []) if c["id"] not in {f["id"] for f in found}]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        return found

    def _pages(self, method: str, cid: str, **kw) -> list[dict]:
        out: list[dict] = []
        cursor = None
        while True:
            page = self._call(method, cid, channel=cid, cursor=cursor, **kw)
            out += page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or not page.get("has_more", True):
                return out

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state: dict[str, dict] = json.loads(cursor) if cursor else {}
        self._identity()
        days = float(self.config.get("thread_days", 7))
        for channel in self._channels():
            cid = channel["id"]
            st = state.setdefault(cid, {"ts": None, "threads": {}})
            if st["ts"] is None:  # first sync: the newest messages only
                msgs = self._call("conversations_history", cid, channel=cid,
                                  limit=int(self.config.get("backfill", 100))).get("messages", [])
            else:
                msgs = self._pages("conversations_history", cid, oldest=st["ts"], limit=PAGE)
            read = [m["ts"] for m in msgs]  # the channel cursor moves over history, not over thread replies
            threads: dict[str, str | None] = dict(st["threads"])
            latest: dict[str, str] = {}  # threads in this history page: always read
            for m in msgs:
                if m.get("reply_count") and m.get("thread_ts") == m["ts"]:
                    threads.setdefault(m["ts"], None)
                    latest[m["ts"]] = m.get("latest_reply") or m["ts"]
            # Older threads stay watched while they are within thread_days of the channel's newest message.
            newest = max([float(m["ts"]) for m in msgs] + [float(st["ts"] or 0)])
            for thread_ts, seen in sorted(threads.items()):
                if thread_ts not in latest and float(thread_ts) < newest - 86400 * days:
                    threads.pop(thread_ts)
                    continue
                if seen and thread_ts in latest and float(latest[thread_ts]) <= float(seen):
                    continue  # history says nothing new was added to this thread
                kw = {"oldest": seen} if seen else {}
                replies = [r for r in self._pages("conversations_replies", cid, ts=thread_ts, limit=PAGE, **kw)
                           if r["ts"] != thread_ts]
                msgs += replies
                if replies:
                    threads[thread_ts] = max([r["ts"] for r in replies] + ([seen] if seen else []), key=float)
            items = [it for it in (self.to_item(m, channel) for m in msgs) if it]
            if read:
                st["ts"] = max(read + ([st["ts"]] if st["ts"] else []), key=float)
            st["threads"] = threads
            log.info("slack channel %s: %d messages", cid, len(items))
            yield Batch(items=items, cursor=json.dumps(state, sort_keys=True))

    def items_from_webhook(self, payload: dict) -> Batch:
        """An Events API ``event_callback``: new, edited and deleted messages, and app mentions."""
        event = payload.get("event") or {}
        if payload.get("type") != "event_callback" or event.get("type") not in ("message", "app_mention"):
            return Batch()
        self._lenient = True
        if self.credentials.get("bot_token"):
            try:
                self._identity()
            except ConnectorError as exc:  # still store the message, just without names
                log.warning("slack auth.test failed during a webhook: %s", exc.message)
                self._auth = {}
        else:
            self._auth = {}
        channel = {"id": event.get("channel"), "is_im": event.get("channel_type") == "im"}
        kind = "mention" if event["type"] == "app_mention" else None
        subtype = event.get("subtype")
        if subtype == "message_changed":
            msg = dict(event.get("message") or {})
            msg.setdefault("edited", {"ts": event.get("event_ts") or event.get("ts")})
            item = self.to_item(msg, channel)
        elif subtype == "message_deleted":
            prev = event.get("previous_message") or {"ts": event.get("deleted_ts")}
            item = self.to_item(prev, channel)
            if item:
                item.deleted = True
        else:
            item = self.to_item(event, channel, kind=kind)
        return Batch(items=[item] if item else [])

    # ------------------------------------------------------------------------------------------ writing

    def _post(self, channel: str, text: str, thread_ts: str | None = None) -> Sent:
        kw: dict[str, Any] = {"channel": channel, "text": text}
        if thread_ts:
            kw["thread_ts"] = thread_ts
        data = self._call("chat_postMessage", channel, **kw)
        cid, ts = data.get("channel", channel), data["ts"]
        return Sent(platform_message_id=f"{cid}:{ts}", created_at=when(ts), raw={"channel": cid, "ts": ts})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        """In a channel: into the parent's thread. In a DM conversation: a plain message to that DM."""
        if thread_id and thread_id.startswith("dm:"):
            return self._post(thread_id[3:], text)
        ref = thread_id or parent_id
        if not ref or ":" not in ref:
            raise ConnectorError("nothing to reply to: no Slack thread or parent given")
        channel, ts = ref.split(":", 1)
        return self._post(channel, text, thread_ts=ts)

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        channel = channel or next(iter(self.config.get("channels", [])), None)
        if not channel:
            raise ConnectorError("publishing on Slack needs a channel")
        return self._post(channel, text)

    def send_direct(self, platform_user_id: str, text: str) -> Sent:
        im = self._call("conversations_open", users=platform_user_id)["channel"]["id"]
        return self._post(im, text)

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        if action not in ("delete", "remove"):
            raise NotSupported(f"Slack moderation from Kapwa can delete messages, not {action!r}")
        channel, _, ts = platform_message_id.partition(":")
        self._call("chat_delete", channel, channel=channel, ts=ts)
        log.info("slack deleted %s (%s)", platform_message_id, reason or "no reason given")

    def close(self) -> None:
        self._client = None
