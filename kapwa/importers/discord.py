"""Discord channel exports made with DiscordChatExporter (JSON format).

The path is one export file, or a folder or zip of them (one file per channel or thread). Each file has
``guild``, ``channel`` and ``messages``; a message has ``id``, ``type``, ``timestamp``, ``timestampEdited``,
``content``, ``author`` {id, name, nickname, discriminator, isBot, avatarUrl}, ``reference`` {messageId}
for replies, ``reactions`` [{emoji, count, users?}], ``attachments`` and ``mentions``.

What becomes what:

* ``Default``/``Reply`` (and slash-command) messages become messages; a reply is threaded under the message
  it references. Messages in a thread export (channel type ``Guild*Thread``) join the conversation of the
  message the thread was started from (a thread's id is its starter message's id), as replies to it.
* ``GuildMemberJoin`` becomes a "joined" activity; ``RecipientAdd``/``RecipientRemove`` in a group DM
  become "joined"/"left" for the people added or removed. Other system messages (calls, pins, renames,
  "started a thread") are left out.
* Reactions become "reacted" activities when the export lists who reacted (newer exporter versions);
  otherwise only the per-emoji counts are kept on the message. Discord does not export when a reaction was
  added, so the activity takes the message's time.
* A message id that appears more than once in a file is imported once, from its last occurrence.
* Messages by "Deleted User" are imported without an author (Discord gives every deleted account the same
  placeholder, so they are not one member). The file's ``messageCount`` is ignored; what is there counts.

Each file is read into memory with ``json`` (exports of a few hundred MB need that much RAM).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kapwa.connectors.base import InboundActivity, InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import MAX_ID, MAX_PROFILE_URL, ExportTree, clip, log, parse_datetime, url_or_none
from kapwa.importers.base import BadRecord, Importer, Record

MESSAGE_TYPES = {"Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"}
DIRECT_TYPES = {"DirectTextChat", "DirectGroupTextChat"}
DELETED_USER_IDS = {"456226577798135808"}  # Discord's shared placeholder account for deleted users


def _is_deleted(author: dict) -> bool:
    return str(author.get("id")) in DELETED_USER_IDS or (
        author.get("name") == "Deleted User" and str(author.get("discriminator", "0000")) in ("0000", "0"))


def _author(data: dict | None) -> InboundAuthor | None:
    if not data or not data.get("id") or _is_deleted(data):
        return None
    name = data.get("name") or None
    return InboundAuthor(
        platform_user_id=str(data["id"])[:MAX_ID], handle=clip(name),
        display_name=clip(data.get("nickname") or name),
        avatar_url=url_or_none(data.get("avatarUrl"), MAX_PROFILE_URL),
        is_bot=bool(data.get("isBot")), raw={"discriminator": data.get("discriminator")},
    )


class DiscordExportImporter(Importer):
    format = "discord"
    label = N_("Discord (DiscordChatExporter)")
    platform = "discord"

    def _files(self) -> Iterator[tuple[str, bytes]]:
        if self.path.is_file() and self.path.suffix.lower() == ".json":
            yield str(self.path), self.path.read_bytes()
            return
        with ExportTree(self.path) as tree:
            for name in tree.names():
                if name.lower().endswith(".json"):
                    yield tree.label(name), tree.read_bytes(name)

    def records(self) -> Iterator[Record]:
        for label, data in self._files():
            yield from self._file_records(label, data)

    def _file_records(self, label: str, data: bytes) -> Iterator[Record]:
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Record("file", BadRecord(label, "file", None, f"not valid JSON: {exc}"))
            return
        if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
            yield Record("file", BadRecord(label, "file", "messages",
                                           "not a DiscordChatExporter JSON export (no messages list)"))
            return
        guild = doc.get("guild") or {}
        channel = doc.get("channel") or {}
        ctx = _Channel(guild, channel)
        messages = doc["messages"]
        last = {str(m.get("id")): i for i, m in enumerate(messages) if isinstance(m, dict)}
        repeated = sum(1 for m in messages if isinstance(m, dict)) - len(last)
        if repeated:
            log.info("%s: %d repeated message ids; the last copy of each is imported", Path(label).name,
                     repeated)
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                where = f"message #{i + 1}"
                yield Record(where, BadRecord(label, where, None, "not a JSON object"))
                continue
            mid = str(m.get("id") or "")
            if not mid:
                yield Record(f"message #{i + 1}", BadRecord(label, f"message #{i + 1}", "id", "missing"))
                continue
            if last.get(mid) != i:
                continue
            yield from self._message(label, ctx, mid, m)

    def _message(self, label: str, ctx: _Channel, mid: str, m: dict) -> Iterator[Record]:
        where = f"message {mid}"
        try:
            ts = parse_datetime(m.get("timestamp"))
        except ValueError as exc:
            yield Record(where, BadRecord(label, where, "timestamp", f"timestamp {exc}"))
            return
        mtype = m.get("type") or "Default"
        author = _author(m.get("author"))
        if mtype in ("GuildMemberJoin", "RecipientAdd", "RecipientRemove"):
            people = [author] if mtype == "GuildMemberJoin" else [_author(u) for u in m.get("mentions") or []]
            kind = "left" if mtype == "RecipientRemove" else "joined"
            for person in people:
                if person is not None:
                    yield Record(where, InboundActivity(f"{kind}:{mid}:{person.platform_user_id}", kind, ts,
                                                        person, title=ctx.label,
                                                        properties={"channel": ctx.label}))
            return
        if mtype not in MESSAGE_TYPES:
            return
        edited = None
        if m.get("timestampEdited"):
            try:
                edited = parse_datetime(m["timestampEdited"])
            except ValueError as exc:
                yield Record(where, BadRecord(label, where, "timestampEdited", f"timestampEdited {exc}"))
                return
        attachments = [a for a in m.get("attachments") or [] if isinstance(a, dict)]
        text = m.get("content") or ""
        if not text.strip() and attachments:
            text = " ".join(str(a.get("fileName") or "attachment") for a in attachments)
        ref = (m.get("reference") or {}).get("messageId")
        parent = str(ref) if ref and str(ref) != mid else ctx.thread_id  # in a thread: under its starter
        parent = parent if parent != mid else None
        reactions = [r for r in m.get("reactions") or [] if isinstance(r, dict)]
        raw = {"type": mtype,
               "attachments": [{"fileName": a.get("fileName"), "url": a.get("url")} for a in attachments],
               "mentions": [str(u.get("id")) for u in m.get("mentions") or [] if isinstance(u, dict)],
               "reactions": {_emoji(r): r.get("count") for r in reactions}, "pinned": bool(m.get("isPinned"))}
        if author is None and m.get("author"):
            raw["author"] = {"id": str(m["author"].get("id")), "name": m["author"].get("name")}
        yield Record(where, InboundItem(
            platform_message_id=mid, created_at=ts, text=text, author=author,
            kind="direct" if ctx.is_direct else ("reply" if parent else "post"),
            thread_id=ctx.thread_id, parent_id=parent, channel=ctx.label, url=ctx.url(mid),
            is_direct=ctx.is_direct, edited_at=edited, raw=raw,
        ))
        for r in reactions:
            emoji = _emoji(r)
            for user in r.get("users") or []:
                who = _author(user) if isinstance(user, dict) else None
                if who is not None:
                    yield Record(where, InboundActivity(
                        f"reaction:{mid}:{emoji}:{who.platform_user_id}"[:MAX_ID], "reacted", ts, who,
                        title=emoji, message_platform_id=mid, properties={"emoji": emoji}))


def _emoji(reaction: dict) -> str:
    emoji = reaction.get("emoji") or {}
    return str(emoji.get("name") or emoji.get("id") or "?")


class _Channel:
    def __init__(self, guild: dict, channel: dict):
        self.guild_id = str(guild.get("id") or "0")
        self.channel_id = str(channel.get("id") or "")
        ctype = str(channel.get("type") or "")
        self.is_direct = ctype in DIRECT_TYPES
        name = channel.get("name") or self.channel_id
        if ctype.endswith("Thread"):
            # A thread's id is the id of the message it was started from: its messages join that conversation.
            self.thread_id = self.channel_id or None
            self.label = clip(f"#{channel.get('category') or '?'} › {name}")
        else:
            self.thread_id = None
            self.label = clip(name if self.is_direct else f"#{name}")

    def url(self, mid: str) -> str | None:
        if not self.channel_id:
            return None
        guild = "@me" if self.is_direct or self.guild_id == "0" else self.guild_id
        return f"https://discord.com/channels/{guild}/{self.channel_id}/{mid}"
