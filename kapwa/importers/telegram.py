"""Telegram Desktop exports in JSON (``result.json``; the file, its folder, or a zip of the folder).

Two layouts: a full account export (``{"chats": {"list": [chat, …]}, "left_chats": {...}}``) or a single
chat (``{"name", "type", "id", "messages": […]}``). Messages have ``id``, ``type`` (``message`` or
``service``), ``date_unixtime`` (UTC; ``date`` is the exporting computer's local time and is used, read as
UTC, only when ``date_unixtime`` is missing), ``from``/``from_id`` (``user123``, ``channel123``), ``text``
(a string, or a list of strings and entities, flattened here), ``reply_to_message_id``, ``edited_unixtime``
and ``reactions`` (with the ``recent`` people who reacted, in newer versions; their local ``date`` is
shifted to UTC by the offset between the message's ``date`` and ``date_unixtime``).

* Platform ids are ``<chat id>:<message id>``; replies are threaded under the message they answer. In
  forum groups, messages under a topic join the topic's conversation, titled after it.
* Service messages: joining by link or request becomes "joined"; ``invite_members`` becomes "joined" for
  the invited people whose names can be matched to an author in the same chat (the export lists invited
  people by name only); ``remove_members`` of oneself becomes "left". Others (pins, title changes, calls)
  are left out.
* Telegram user ids are kept without the ``user`` prefix (``user123`` → ``123``), as the Bot API uses them.
  Personal chats are imported as direct messages; "Saved Messages" is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from kapwa.connectors.base import InboundActivity, InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import MAX_ID, ExportTree, clip, from_epoch, parse_datetime
from kapwa.importers.base import BadRecord, Importer, Record

DIRECT = {"personal_chat", "bot_chat"}
JOIN_ACTIONS = {"join_group_by_link", "join_group_by_request"}


def flatten(text) -> str:
    """Telegram's ``text``: a string, or a list of strings and {type, text, href?} entities."""
    if isinstance(text, str):
        return text
    parts = []
    for part in text or []:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            t = str(part.get("text") or "")
            href = part.get("href")
            parts.append(f"{t} ({href})" if href and href != t else t)
    return "".join(parts)


def local_offset(m: dict) -> dt.timedelta:
    """How far the exporting computer's clock (``date``) was ahead of UTC (``date_unixtime``)."""
    try:
        return parse_datetime(m["date"]) - from_epoch(m["date_unixtime"])
    except (KeyError, ValueError):
        return dt.timedelta(0)


def _emoji(reaction: dict) -> str:
    return str(reaction.get("emoji") or reaction.get("document_id") or "?")


def _uid(from_id) -> str | None:
    if from_id is None or from_id == "":
        return None
    value = str(from_id)
    return value[4:] if value.startswith("user") and value[4:].isdigit() else value


class TelegramExportImporter(Importer):
    format = "telegram"
    label = N_("Telegram Desktop export")
    platform = "telegram"

    def _load(self) -> tuple[str, object]:
        if self.path.is_file() and self.path.suffix.lower() == ".json":
            return str(self.path), json.loads(self.path.read_bytes().decode("utf-8-sig"))
        with ExportTree(self.path) as tree:
            name = "result.json" if tree.exists("result.json") else next(
                (n for n in tree.names() if n.endswith("/result.json")), None)
            if name is None:
                raise FileNotFoundError(f"{self.path.name}: no result.json in this export")
            return tree.label(name), json.loads(tree.read_bytes(name).decode("utf-8-sig"))

    def records(self) -> Iterator[Record]:
        try:
            label, doc = self._load()
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Record("file", BadRecord(self.path, "file", None, f"not valid JSON: {exc}"))
            return
        except (OSError, ValueError) as exc:
            yield Record("file", BadRecord(self.path, "file", None, str(exc)))
            return
        if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
            chats = [doc]
        elif isinstance(doc, dict) and isinstance(doc.get("chats"), dict):
            chats = list((doc.get("chats") or {}).get("list") or []) + list(
                (doc.get("left_chats") or {}).get("list") or [])
        else:
            yield Record("file", BadRecord(label, "file", "chats", "not a Telegram Desktop JSON export "
                                                                    "(no chats list and no messages)"))
            return
        for n, chat in enumerate(chats, start=1):
            if not isinstance(chat, dict) or chat.get("type") == "saved_messages":
                continue
            if chat.get("id") is None:
                yield Record(f"chat #{n}", BadRecord(label, f"chat #{n}", "id", "missing"))
                continue
            yield from _Chat(label, chat).records()


class _Chat:
    def __init__(self, label: str, chat: dict):
        self.label = label
        self.id = str(chat["id"])
        self.direct = chat.get("type") in DIRECT
        self.channel = clip(chat.get("name") or f"chat {self.id}")
        self.messages = [m for m in chat.get("messages") or [] if isinstance(m, dict)]
        self.topics = {str(m.get("id")): m.get("title") for m in self.messages
                       if m.get("type") == "service" and m.get("action") == "topic_created"}
        names: dict[str, set[str]] = {}
        for m in self.messages:
            if m.get("from") and _uid(m.get("from_id")):
                names.setdefault(m["from"], set()).add(_uid(m["from_id"]))
        self.name_to_id = {name: next(iter(ids)) for name, ids in names.items() if len(ids) == 1}

    def records(self) -> Iterator[Record]:
        for m in self.messages:
            where = f"chat {self.id}, message {m.get('id')}"
            if m.get("id") is None:
                yield Record(where, BadRecord(self.label, where, "id", "missing"))
                continue
            field = "date_unixtime" if m.get("date_unixtime") else "date"
            try:
                when = from_epoch(m[field]) if field == "date_unixtime" else parse_datetime(m.get("date"))
            except ValueError as exc:
                yield Record(where, BadRecord(self.label, where, field, f"date {exc}"))
                continue
            if m.get("type") == "service":
                yield from self._service(m, where, when)
            elif m.get("type", "message") == "message":
                yield from self._message(m, where, when)

    def _author(self, name, from_id) -> InboundAuthor | None:
        uid = _uid(from_id)
        if uid is None:
            return None
        return InboundAuthor(platform_user_id=uid[:MAX_ID], display_name=clip(name or "Deleted Account"),
                             is_bot=False, raw={"from_id": str(from_id)})

    def _service(self, m: dict, where: str, when) -> Iterator[Record]:
        action, mid = m.get("action"), f"{self.id}:{m['id']}"
        people: list[tuple[str, InboundAuthor | None]] = []
        if action in JOIN_ACTIONS:
            people = [("joined", self._author(m.get("actor"), m.get("actor_id")))]
        elif action == "invite_members":
            for name in m.get("members") or []:
                uid = self.name_to_id.get(name)
                people.append(("joined", self._author(name, uid) if uid else None))
        elif action == "remove_members" and (m.get("members") or []) == [m.get("actor")]:
            people = [("left", self._author(m.get("actor"), m.get("actor_id")))]
        for kind, who in people:
            if who is not None:
                aid = f"{kind}:{mid}:{who.platform_user_id}"[:MAX_ID]
                yield Record(where, InboundActivity(aid, kind, when, who, title=self.channel,
                                                    properties={"chat": self.channel}))

    def _message(self, m: dict, where: str, when) -> Iterator[Record]:
        pid = f"{self.id}:{m['id']}"
        edited = None
        if m.get("edited_unixtime") or m.get("edited"):
            try:
                edited = (from_epoch(m["edited_unixtime"]) if m.get("edited_unixtime")
                          else parse_datetime(m["edited"]))
            except ValueError as exc:
                yield Record(where, BadRecord(self.label, where, "edited", f"edited {exc}"))
                return
        text = flatten(m.get("text"))
        if not text.strip():
            media = (m.get("media_type") or ("photo" if m.get("photo") else None)
                     or ("file" if m.get("file") else None))
            if media:
                text = f"[{media}{' ' + m['sticker_emoji'] if m.get('sticker_emoji') else ''}]"
        reply = m.get("reply_to_message_id")
        topic = self.topics.get(str(reply)) if reply is not None else None
        thread = f"{self.id}:{reply}" if topic is not None else None
        parent = f"{self.id}:{reply}" if reply is not None and topic is None else None
        reactions = [r for r in m.get("reactions") or [] if isinstance(r, dict)]
        raw = {"reactions": {_emoji(r): r.get("count") for r in reactions}}
        for key in ("forwarded_from", "media_type", "via_bot"):
            if m.get(key):
                raw[key] = m[key]
        yield Record(where, InboundItem(
            platform_message_id=pid, created_at=when, text=text,
            author=self._author(m.get("from"), m.get("from_id")),
            kind="direct" if self.direct else ("reply" if parent else "post"), thread_id=thread,
            parent_id=parent,
            title=clip(topic, 300) if topic else None, channel=self.channel, is_direct=self.direct,
            edited_at=edited, raw=raw,
        ))
        for r in reactions:
            emoji = _emoji(r)
            for person in r.get("recent") or []:
                if not isinstance(person, dict):
                    continue
                who = self._author(person.get("from"), person.get("from_id"))
                if who is None:
                    continue
                try:  # "date" here is local time; shift it by the offset the message's own dates show
                    at = parse_datetime(person["date"]) - local_offset(m) if person.get("date") else when
                except ValueError:
                    at = when
                yield Record(where, InboundActivity(f"reaction:{pid}:{emoji}:{who.platform_user_id}"[:MAX_ID],
                                                    "reacted", at, who, title=emoji, message_platform_id=pid,
                                                    properties={"emoji": emoji}))
