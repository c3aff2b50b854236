"""Telegram through python-telegram-bot's ``Bot`` (Bot API over HTTPS; no long-running application).

``getUpdates`` with an offset cursor (the last update id + 1: asking with it also tells Telegram the earlier
updates were received). Group messages hang under the message they reply to; in forum supergroups a topic
(``message_thread_id``) is one conversation named after the topic; a private chat with the bot is one direct
conversation. Edits update the stored text. With ``mode: webhook`` Telegram pushes updates to Kapwa's webhook
instead and ``fetch`` reads nothing (Telegram refuses ``getUpdates`` while a webhook is set).

Ids: ``"<chat id>:<message id>"`` (message ids are per chat); topics ``"<chat id>:topic:<thread id>"``; private
chats ``"dm:<chat id>"``. Config: ``chats`` (ids to publish to; the first is the default), ``mode``
(``poll``/``webhook``), ``api_url`` (a local Bot API server or a test server). Credentials: ``bot_token``;
``webhook_secret`` (the ``secret_token`` given to ``setWebhook``).
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

import telegram
from telegram import error as tg_error

from kapwa.connectors.asyncio_bridge import LoopDriver
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
    Unreachable,
)

log = logging.getLogger("kapwa.connectors.telegram")
PAGE = 100
UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post"]


def translate(exc: BaseException) -> ConnectorError | None:
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, tg_error.InvalidToken):  # never echo the library's text: it contains the token
        return AuthError("Telegram refused the bot token: check it with @BotFather")
    if isinstance(exc, tg_error.RetryAfter):
        with warnings.catch_warnings():  # PTB warns that retry_after will become a timedelta; both are handled
            warnings.simplefilter("ignore")
            wait = exc.retry_after
        secs = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return RateLimited(f"Telegram is rate limiting us; retrying in {secs:.0f} s", retry_after=secs)
    if isinstance(exc, tg_error.Forbidden):
        return AuthError(f"Telegram refused: {exc.message}")
    if isinstance(exc, tg_error.Conflict):
        err = ConnectorError("Telegram refuses getUpdates while a webhook is set: set this source to webhook mode, "
                             "or delete the webhook")
        err.transient = False
        return err
    if isinstance(exc, (tg_error.TimedOut, tg_error.NetworkError)):
        return Unreachable(f"cannot reach Telegram: {exc.message.split('. Parsing', 1)[0]}")
    if isinstance(exc, tg_error.TelegramError):
        return ConnectorError(f"Telegram refused: {exc.message}")
    return None


def _author(user: telegram.User | None, chat: telegram.Chat | None = None) -> InboundAuthor | None:
    if user is None:
        if chat is not None and chat.type == "channel":  # a channel post speaks for the channel
            return InboundAuthor(platform_user_id=str(chat.id), handle=chat.username, display_name=chat.title)
        return None
    return InboundAuthor(platform_user_id=str(user.id), handle=user.username, display_name=user.full_name,
                         profile_url=f"https://t.me/{user.username}" if user.username else None, is_bot=user.is_bot,
                         raw={"language_code": user.language_code} if user.language_code else {})


def _url(msg: telegram.Message) -> str | None:
    chat = msg.chat
    if chat.type not in ("supergroup", "channel"):
        return None
    if chat.username:
        return f"https://t.me/{chat.username}/{msg.message_id}"
    return f"https://t.me/c/{str(chat.id).removeprefix('-100')}/{msg.message_id}"


def item_from_update(update: telegram.Update, me_id: int | None = None) -> InboundItem | None:
    """One Update (a new or edited message or channel post) as an InboundItem; None for anything else."""
    msg = update.message or update.edited_message or update.channel_post or update.edited_channel_post
    if msg is None:
        return None
    text = msg.text or msg.caption or ""
    if not text:
        return None  # service messages (joins, pins, topic creation), stickers and bare media carry no words
    chat = msg.chat
    cid = chat.id
    direct = chat.type == "private"
    topic = msg.message_thread_id if (msg.is_topic_message and chat.is_forum) else None
    parent = msg.reply_to_message
    title = None
    if parent is not None and (parent.forum_topic_created is not None or parent.message_id == topic):
        title = parent.forum_topic_created.name if parent.forum_topic_created else None
        parent = None  # in a forum every topic message "replies" to the topic's creation
    thread = f"dm:{cid}" if direct else (f"{cid}:topic:{topic}" if topic else None)
    author = _author(msg.from_user, chat)
    own = bool(me_id and msg.from_user and msg.from_user.id == me_id)
    edited = msg.edit_date if (update.edited_message or update.edited_channel_post) else None
    return InboundItem(
        platform_message_id=f"{cid}:{msg.message_id}", created_at=msg.date.astimezone(dt.UTC), text=text,
        author=author, kind="direct" if direct else ("reply" if parent else "post"),
        direction="outbound" if own else "inbound", thread_id=thread,
        parent_id=f"{cid}:{parent.message_id}" if parent else None, title=title,
        channel=None if direct else chat.title, url=_url(msg), is_direct=direct,
        edited_at=edited.astimezone(dt.UTC) if edited else None,
        raw={"update_id": update.update_id, "chat_type": chat.type})


class TelegramConnector(LoopDriver, BaseConnector):
    kind: ClassVar[str] = "telegram"
    label: ClassVar[str] = "Telegram"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.direct_message,
                              Capability.moderate, Capability.webhook})
    fields = (("bot_token", "Bot token (from @BotFather)", True), ("webhook_secret", "Webhook secret token", True))

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self._bot: telegram.Bot | None = None

    # ---------------------------------------------------------------------------------------- plumbing

    def _run(self, coro_fn, *args, **kw) -> Any:
        """Run a Bot coroutine on this connector's own loop (the token checked first, once); errors in plain words."""
        async def call():
            if self._bot is None:
                token = self.credentials.get("bot_token")
                if not token:
                    raise AuthError("Telegram needs the bot token")
                base = (self.config.get("api_url") or "https://api.telegram.org").rstrip("/")
                self._bot = telegram.Bot(token, base_url=base + "/bot")  # kept even if getMe fails: close()
            await self._bot.initialize()  # getMe once: checks the token (a no-op when already done)
            return await coro_fn(self._bot, *args, **kw)

        return self.drive(call(), translate)

    def close(self) -> None:
        self.close_loop(self._bot.shutdown if self._bot is not None else None)
        self._bot = None

    # ------------------------------------------------------------------------------------------ reading

    def test_connection(self) -> str:
        me = self._run(lambda bot: _value(bot.bot))
        mode = "webhook" if self.config.get("mode") == "webhook" else "polling"
        return f"Connected to Telegram as @{me.username} ({mode})"

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        if self.config.get("mode") == "webhook":
            log.debug("telegram source in webhook mode: nothing to poll")
            return
        offset = int(cursor) if cursor else None
        while True:
            updates = self._run(lambda bot, o=offset: bot.get_updates(offset=o, limit=PAGE, timeout=0,
                                                                       allowed_updates=UPDATES))
            if not updates:
                return
            me_id = self._bot.id if self._bot else None
            items = [it for it in (item_from_update(u, me_id) for u in updates) if it]
            offset = max(u.update_id for u in updates) + 1
            log.info("telegram: %d updates, %d messages", len(updates), len(items))
            yield Batch(items=items, cursor=str(offset))
            if len(updates) < PAGE:
                return

    @classmethod
    def items_from_webhook(cls, payload: dict) -> Batch:
        """One Update as Telegram POSTs it to a webhook."""
        item = item_from_update(telegram.Update.de_json(payload, None))
        return Batch(items=[item] if item else [])

    # ------------------------------------------------------------------------------------------ writing

    def _send(self, chat_id: int | str, text: str, *, reply_to: int | None = None, topic: int | None = None) -> Sent:
        kw: dict[str, Any] = {}
        if reply_to:
            kw["reply_parameters"] = telegram.ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if topic:
            kw["message_thread_id"] = topic
        msg = self._run(lambda bot: bot.send_message(chat_id=chat_id, text=text, **kw))
        return Sent(platform_message_id=f"{msg.chat.id}:{msg.message_id}", url=_url(msg),
                    created_at=msg.date.astimezone(dt.UTC), raw={"chat_id": msg.chat.id})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        topic = None
        chat = None
        if thread_id and ":topic:" in thread_id:
            chat, _, t = thread_id.partition(":topic:")
            topic = int(t)
        elif thread_id and thread_id.startswith("dm:"):
            chat = thread_id[3:]
        reply_to = None
        if parent_id:
            chat, _, mid = parent_id.rpartition(":")
            reply_to = int(mid)
        if chat is None:
            raise ConnectorError("nothing to reply to: no Telegram chat given")
        return self._send(int(chat), text, reply_to=reply_to, topic=topic)

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        chat = channel or next(iter(self.config.get("chats", [])), None)
        if not chat:
            raise ConnectorError("publishing on Telegram needs a chat id")
        return self._send(chat, text)

    def send_direct(self, platform_user_id: str, text: str) -> Sent:
        """Works once the person has started a chat with the bot (Telegram's rule)."""
        return self._send(int(platform_user_id), text)

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        if action not in ("delete", "remove"):
            raise NotSupported(f"Telegram moderation from Kapwa can delete messages, not {action!r}")
        chat, _, mid = platform_message_id.rpartition(":")
        self._run(lambda bot: bot.delete_message(chat_id=int(chat), message_id=int(mid)))
        log.info("telegram deleted %s (%s)", platform_message_id, reason or "no reason given")


async def _value(value):
    return value
