"""Discord through discord.py's REST client only (``discord.http.HTTPClient``; no gateway websocket).

Reads the configured channels (``GET /channels/{id}/messages?after=…``) and, when a ``guild_id`` is set, the
guild's active threads under them. A message that answers another (``message_reference``) hangs under it; a
thread (channel type 11) is one conversation whose thread id is the thread channel's id, and the message a
thread was started from joins it. Reactions on fetched messages become ``reaction`` activities.

Ids: ``"<channel id>:<message id>"`` — Discord needs the channel to answer or delete a message.
Config: ``channels`` (ids), ``guild_id``, ``reactions`` (default on), ``backfill`` (messages per channel on the
first sync, default 100), ``api_url`` (another API base, e.g. a proxy or a test server).
Credentials: ``bot_token``; ``public_key`` (the application's, for the interactions webhook).
The cursor is JSON: the newest message id per channel.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import aiohttp
import discord
from discord.http import HTTPClient, Route, handle_message_parameters

from kapwa.connectors import http_errors
from kapwa.connectors.asyncio_bridge import LoopDriver
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
    RateLimited,
    Sent,
)

log = logging.getLogger("kapwa.connectors.discord")
THREAD_TYPES = {10, 11, 12}  # announcement, public and private threads
DM_TYPES = {1, 3}
MESSAGE_TYPES = {0, 19, 20, 23}  # default, reply, slash command, context-menu command; not joins, pins…
PAGE = 100


class _HTTP(HTTPClient):
    """discord.py's client with its API base swapped for ``api_url`` (its Route.BASE is a class constant)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, base: str | None):
        super().__init__(loop, max_ratelimit_timeout=30.0)  # longer waits become RateLimited, not sleeps
        self.base = base.rstrip("/") if base else None

    async def request(self, route: Route, **kw: Any) -> Any:
        if self.base and route.url.startswith(Route.BASE):
            route.url = self.base + route.url[len(Route.BASE):]
        return await super().request(route, **kw)


def translate(exc: BaseException, what: str = "Discord") -> ConnectorError | None:
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, discord.LoginFailure):  # a 401 when logging in
        return http_errors.error_for_status(401, "Discord")
    if isinstance(exc, discord.RateLimited):  # a wait longer than max_ratelimit_timeout
        return RateLimited(f"Discord asked Kapwa to slow down (HTTP 429); trying again in "
                           f"{http_errors.in_words(exc.retry_after)}.", retry_after=exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        return http_errors.error_for_status(exc.status, "Discord", headers=exc.response.headers,
                                            detail=http_errors.platform_detail(exc.text), what=what)
    if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return http_errors.from_exception(exc, "Discord")
    return None


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC) if value else None


def _author(user: dict | None) -> InboundAuthor | None:
    if not user or not user.get("id"):
        return None
    avatar = (f"https://cdn.discordapp.com/avatars/{user['id']}/{user['avatar']}.png"
              if user.get("avatar") else None)
    return InboundAuthor(platform_user_id=str(user["id"]), handle=user.get("username"),
                         display_name=user.get("global_name") or user.get("username"), avatar_url=avatar,
                         is_bot=bool(user.get("bot")), raw={k: user.get(k) for k in ("username", "global_name")})


def split_id(platform_id: str) -> tuple[str, str]:
    channel, _, message = platform_id.partition(":")
    if not message:
        raise ConnectorError(f"not a Discord message id: {platform_id!r} (expected channel:message)")
    return channel, message


class DiscordConnector(LoopDriver, BaseConnector):
    kind: ClassVar[str] = "discord"
    label: ClassVar[str] = "Discord"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.moderate,
                              Capability.webhook})
    fields = (("bot_token", "Bot token", True), ("public_key", "Application public key (interactions)", False))

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self._http: _HTTP | None = None
        self._me: dict | None = None

    # ---------------------------------------------------------------------------------------- plumbing

    def _run(self, coro_fn, *args, what: str = "Discord"):
        """Run one coroutine on this connector's own loop (logging in first, once); errors in plain words."""
        async def call():
            if self._http is None:
                token = self.credentials.get("bot_token")
                if not token:
                    raise AuthError("Discord needs the bot token")
                self._http = _HTTP(self.loop, self.config.get("api_url"))
                self._me = await self._http.static_login(token)
            return await coro_fn(*args)

        return self.drive(call(), lambda exc: translate(exc, what))

    def close(self) -> None:
        self.close_loop(self._http.close if self._http is not None else None)
        self._http = None

    # ------------------------------------------------------------------------------------------ reading

    def test_connection(self) -> str:
        self._run(self._whoami)  # logs in: GET /users/@me
        names = []
        for cid in self.config.get("channels", []):
            ch = self._run(self._http.get_channel, str(cid), what=f"channel {cid}")
            names.append("#" + (ch.get("name") or str(cid)))
        me = self._me or {}
        return f"Signed in to Discord as {me.get('username')}" + (f"; reading {', '.join(names)}" if names else "")

    async def _whoami(self) -> dict | None:
        return self._me

    async def _channels(self) -> list[dict]:
        wanted = [str(c) for c in self.config.get("channels", [])]
        channels = [await self._http.get_channel(cid) for cid in wanted]
        if self.config.get("guild_id"):
            active = await self._http.get_active_threads(str(self.config["guild_id"]))
            channels += [t for t in active.get("threads", []) if not wanted or str(t.get("parent_id")) in wanted]
        return channels

    async def _messages(self, channel_id: str, after: str | None) -> list[dict]:
        if after is None:
            return await self._http.logs_from(channel_id, int(self.config.get("backfill", PAGE)))
        found: list[dict] = []
        while True:
            page = await self._http.logs_from(channel_id, PAGE, after=after)
            found += page
            if len(page) < PAGE:
                return found
            after = max(page, key=lambda m: int(m["id"]))["id"]

    async def _reactions(self, channel_id: str, msg: dict) -> list[InboundActivity]:
        acts = []
        for reaction in msg.get("reactions") or []:
            emoji = reaction.get("emoji") or {}
            key = f"{emoji['name']}:{emoji['id']}" if emoji.get("id") else emoji.get("name")
            if not key:
                continue
            for user in await self._http.get_reaction_users(channel_id, msg["id"], key, 100):
                author = _author(user)
                if author is None or str(user["id"]) == str((self._me or {}).get("id")):
                    continue
                acts.append(InboundActivity(
                    platform_activity_id=f"{channel_id}:{msg['id']}:{key}:{user['id']}", type="reaction",
                    occurred_at=_when(msg["timestamp"]), author=author, title=emoji.get("name"),
                    message_platform_id=f"{channel_id}:{msg['id']}", properties={"emoji": emoji.get("name")}))
        return acts

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state: dict[str, str] = json.loads(cursor) if cursor else {}
        for channel in self._run(self._channels, what="the configured channels"):
            cid = str(channel["id"])
            msgs = self._run(self._messages, cid, state.get(cid), what=f"channel {cid}")
            msgs.sort(key=lambda m: int(m["id"]))
            items = [it for it in (self.to_item(m, channel) for m in msgs) if it]
            acts: list[InboundActivity] = []
            if self.config.get("reactions", True):
                for m in msgs:
                    if m.get("reactions"):
                        acts += self._run(self._reactions, cid, m, what=f"reactions in channel {cid}")
            if msgs:
                state[cid] = msgs[-1]["id"]
            log.info("discord channel %s: %d messages, %d reactions", cid, len(items), len(acts))
            yield Batch(items=items, activities=acts, cursor=json.dumps(state, sort_keys=True))

    def to_item(self, msg: dict, channel: dict | None = None) -> InboundItem | None:
        """One Discord message object (as the REST API returns it) as an InboundItem."""
        if msg.get("type", 0) not in MESSAGE_TYPES:
            return None
        channel = channel or {}
        cid = str(msg.get("channel_id") or channel.get("id"))
        ctype = channel.get("type", 0)
        in_thread = ctype in THREAD_TYPES
        direct = ctype in DM_TYPES
        author = _author(msg.get("author"))
        own = bool(author and self._me and author.platform_user_id == str(self._me.get("id")))
        ref = msg.get("message_reference") or {}
        parent = f"{ref.get('channel_id') or cid}:{ref['message_id']}" if ref.get("message_id") else None
        thread = cid if in_thread else (str(msg["thread"]["id"]) if msg.get("thread") else None)
        if direct:
            thread = f"dm:{cid}"
        guild = msg.get("guild_id") or channel.get("guild_id") or "@me"
        kind = "direct" if direct else ("reply" if parent else ("comment" if in_thread else "post"))
        text = msg.get("content") or ""
        if not text and msg.get("attachments"):
            text = " ".join(a.get("url", "") for a in msg["attachments"])
        return InboundItem(
            platform_message_id=f"{cid}:{msg['id']}", created_at=_when(msg["timestamp"]), text=text, author=author,
            kind=kind, direction="outbound" if own else "inbound", thread_id=thread, parent_id=parent,
            title=(channel.get("name") if in_thread else None) or (msg.get("thread") or {}).get("name"),
            channel=f"#{channel['name']}" if channel.get("name") and not in_thread else None,
            url=f"https://discord.com/channels/{guild}/{cid}/{msg['id']}", is_direct=direct,
            edited_at=_when(msg.get("edited_timestamp")), raw={"id": msg["id"], "type": msg.get("type", 0)})

    @classmethod
    def items_from_webhook(cls, payload: dict) -> Batch:
        """An interaction (a slash or context-menu command, type 2) as an item; other interactions carry no text."""
        if payload.get("type") != 2:
            return Batch()
        data = payload.get("data") or {}
        user = (payload.get("member") or {}).get("user") or payload.get("user")
        options = " ".join(str(o.get("value")) for o in data.get("options") or [] if "value" in o)
        cid = str(payload.get("channel_id") or (payload.get("channel") or {}).get("id") or "")
        direct = not payload.get("guild_id")
        snowflake = int(payload["id"])
        created = dt.datetime.fromtimestamp(((snowflake >> 22) + 1420070400000) / 1000, tz=dt.UTC)
        item = InboundItem(
            platform_message_id=f"{cid}:{payload['id']}", created_at=created,
            text=f"/{data.get('name', '')} {options}".strip(), author=_author(user),
            kind="direct" if direct else "post", thread_id=f"dm:{cid}" if direct else None, is_direct=direct,
            channel=f"#{payload['channel']['name']}" if (payload.get("channel") or {}).get("name") else None,
            raw={"interaction": payload["id"], "command": data.get("name")})
        return Batch(items=[item])

    # ------------------------------------------------------------------------------------------ writing

    def _send(self, channel_id: str, text: str, reply_to: str | None = None) -> Sent:
        ref = {"message_id": reply_to, "channel_id": channel_id, "fail_if_not_exists": False} if reply_to else None
        params = handle_message_parameters(
            content=text, message_reference=ref if ref else discord.utils.MISSING,
            allowed_mentions=discord.AllowedMentions(everyone=False, users=True, roles=False, replied_user=True))
        msg = self._run(self._http_send, channel_id, params, what=f"channel {channel_id}")
        return Sent(platform_message_id=f"{channel_id}:{msg['id']}", created_at=_when(msg.get("timestamp")),
                    url=f"https://discord.com/channels/{msg.get('guild_id') or '@me'}/{channel_id}/{msg['id']}",
                    raw={"id": msg["id"]})

    async def _http_send(self, channel_id, params):
        return await self._http.send_message(channel_id, params=params)

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        if parent_id:
            channel, message = split_id(parent_id)
            return self._send(channel, text, reply_to=message)
        if thread_id:
            return self._send(thread_id.removeprefix("dm:").partition(":")[0], text)
        raise ConnectorError("nothing to reply to: no thread or parent given")

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        channel = channel or next(iter(self.config.get("channels", [])), None)
        if not channel:
            raise ConnectorError("publishing on Discord needs a channel")
        return self._send(str(channel).lstrip("#"), text)

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        if action not in ("delete", "remove"):
            raise NotSupported(f"Discord moderation from Kapwa can delete messages, not {action!r}")
        channel, message = split_id(platform_message_id)
        self._run(self._delete, channel, message, reason, what=f"message {message}")
        log.info("discord deleted %s (%s)", platform_message_id, reason or "no reason given")

    async def _delete(self, channel, message, reason):
        await self._http.delete_message(channel, message, reason=reason)
