"""Slack workspace exports (the zip from *Workspace settings → Import/Export*, or that zip unpacked).

Layout: ``users.json``; ``channels.json`` (public channels), ``groups.json`` (private channels),
``mpims.json`` (group DMs) and ``dms.json`` (DMs) — each optional; then one folder per conversation (named
after the channel, or its id for DMs) holding one JSON file per day, each a list of messages.

* Platform ids are ``<channel id>:<ts>`` (``ts`` is unique within a channel); a message with ``thread_ts``
  belongs to the thread ``<channel id>:<thread_ts>`` and, unless it is the thread's first message, replies
  to it.
* ``channel_join``/``group_join`` become "joined" activities, ``channel_leave``/``group_leave`` "left";
  reactions with their ``users`` become "reacted" activities (at the message's time: Slack does not export
  when a reaction was added).
* ``tombstone`` (a deleted thread parent) and ``message_deleted`` mark the message deleted;
  ``message_changed`` updates its text; ``edited.ts`` is kept as the edit time.
* Bot messages (``bot_message``, or a ``bot_id``) are imported with a bot author.
* User ids are resolved through ``users.json``; ``<@U123>`` mentions become ``@name``, ``<#C1|general>``
  becomes ``#general``, ``<url|label>`` becomes ``label (url)`` and ``&amp;``/``&lt;``/``&gt;`` are decoded.
  Attached files are listed by title when a message has no text.
* Channel topics, purposes, pins and other system messages are left out.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

from kapwa.connectors.base import InboundActivity, InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import MAX_ID, MAX_PROFILE_URL, ExportTree, clip, from_epoch, log, url_or_none
from kapwa.importers.base import BadRecord, Importer, Record

LISTS = (("channels.json", "#"), ("groups.json", "#"), ("mpims.json", ""), ("dms.json", ""))
MESSAGE_SUBTYPES = {None, "", "bot_message", "thread_broadcast", "file_share", "me_message", "tombstone",
                    "reply_broadcast"}
JOIN = {"channel_join": "joined", "group_join": "joined", "channel_leave": "left", "group_leave": "left"}
_MARKUP = re.compile(r"<([^<>]+)>")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\.json$")


class SlackExportImporter(Importer):
    format = "slack"
    label = N_("Slack export")
    platform = "slack"

    def records(self) -> Iterator[Record]:
        with ExportTree(self.path) as tree:
            try:
                users = self._users(tree)
                channels = self._channels(tree)
            except (UnicodeDecodeError, ValueError, TypeError, AttributeError) as exc:
                yield Record("file", BadRecord(self.path, "users.json or channels.json", None,
                                               f"not a readable Slack export list: {exc}"))
                return
            days: dict[str, list[str]] = {}
            for path in tree.names():  # sorted, so each folder's days come in date order
                if "/" in path and _DAY.search(path):
                    days.setdefault(path.split("/", 1)[0], []).append(path)
            for cid, name, direct, folder in channels:
                for day in days.get(folder, []):
                    yield from self._day(tree, day, cid, name, direct, users)

    # ---------------------------------------------------------------------------------------------- lists

    def _users(self, tree: ExportTree) -> dict[str, dict]:
        if not tree.exists("users.json"):
            return {}
        out = {}
        for u in json.loads(tree.read_bytes("users.json").decode("utf-8-sig")) or []:
            if isinstance(u, dict) and u.get("id"):
                prof = u.get("profile") or {}
                out[u["id"]] = {
                    "name": (prof.get("display_name") or prof.get("real_name") or u.get("real_name")
                             or u.get("name")),
                    "handle": u.get("name"), "bot": bool(u.get("is_bot")), "deleted": bool(u.get("deleted")),
                    "avatar": prof.get("image_72"),
                }
        return out

    def _channels(self, tree: ExportTree) -> list[tuple[str, str, bool, str]]:
        """(channel id, label, is direct, folder) of every conversation with a folder, in a stable order."""
        folders = {n.split("/", 1)[0] for n in tree.names() if "/" in n}
        out, seen = [], set()
        for fname, prefix in LISTS:
            if not tree.exists(fname):
                continue
            for ch in json.loads(tree.read_bytes(fname).decode("utf-8-sig")) or []:
                if not isinstance(ch, dict) or not ch.get("id"):
                    continue
                cid, name = str(ch["id"]), ch.get("name")
                folder = name if name in folders else cid
                if folder in folders and folder not in seen:
                    seen.add(folder)
                    direct = fname in ("dms.json", "mpims.json")
                    out.append((cid, clip(f"{prefix}{name or cid}"), direct, folder))
        for folder in sorted(folders - seen):  # a channel folder the lists do not mention: use its name
            log.info("slack export: folder %s is not in channels.json; its name is used as the channel id",
                     folder)
            out.append((folder, clip(f"#{folder}"), False, folder))
        return out

    # ------------------------------------------------------------------------------------------- messages

    def _day(self, tree, day: str, cid: str, channel: str, direct: bool, users: dict) -> Iterator[Record]:
        label = tree.label(day)
        try:
            messages = json.loads(tree.read_bytes(day).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Record(day, BadRecord(label, "file", None, f"not valid JSON: {exc}"))
            return
        if not isinstance(messages, list):
            yield Record(day, BadRecord(label, "file", None, "expected a list of messages"))
            return
        for i, m in enumerate(messages, start=1):
            where = f"channel {day.split('/', 1)[0]}, message {i}" + (
                f" (ts {m.get('ts')})" if isinstance(m, dict) and m.get("ts") else "")
            if not isinstance(m, dict):
                yield Record(where, BadRecord(label, where, None, "not a JSON object"))
                continue
            try:
                yield from self._message(label, where, m, cid, channel, direct, users)
            except _Bad as bad:
                yield Record(where, BadRecord(label, where, bad.field, bad.problem))

    def _message(self, label, where, m: dict, cid, channel, direct, users) -> Iterator[Record]:
        subtype = m.get("subtype")
        if subtype == "message_changed" or subtype == "message_deleted":
            inner = m.get("message") if subtype == "message_changed" else m.get("previous_message")
            ts = (inner or {}).get("ts") or m.get("deleted_ts")
            if not isinstance(inner, dict) and subtype == "message_changed":
                raise _Bad("message", "message_changed without the changed message")
            inner = dict(inner or {"ts": ts, "text": ""})
            inner.setdefault("ts", ts)
            if subtype == "message_deleted":
                inner["subtype"] = "tombstone"
            yield from self._message(label, where, inner, cid, channel, direct, users)
            return
        ts_text = m.get("ts")
        if not ts_text:
            raise _Bad("ts", "missing")
        try:
            created = from_epoch(ts_text)
        except ValueError:
            raise _Bad("ts", f"not a Slack timestamp: {str(ts_text)[:30]!r}") from None
        pid = f"{cid}:{ts_text}"
        if len(pid) > MAX_ID:
            raise _Bad("ts", "too long")
        if subtype in JOIN:
            who = self._author(m, users)
            if who is not None:
                yield Record(where, InboundActivity(f"{JOIN[subtype]}:{pid}:{who.platform_user_id}"[:MAX_ID],
                                                    JOIN[subtype], created, who, title=channel,
                                                    properties={"channel": channel}))
            return
        if subtype not in MESSAGE_SUBTYPES:
            return
        thread_ts = m.get("thread_ts")
        thread = f"{cid}:{thread_ts}" if thread_ts else None
        parent = thread if thread_ts and thread_ts != ts_text else None
        edited = None
        if isinstance(m.get("edited"), dict) and m["edited"].get("ts"):
            try:
                edited = from_epoch(m["edited"]["ts"])
            except ValueError:
                raise _Bad("edited.ts", f"not a Slack timestamp: {str(m['edited']['ts'])[:30]!r}") from None
        files = [f for f in m.get("files") or [] if isinstance(f, dict)]
        text = render_text(m.get("text") or "", users)
        if not text.strip() and files:
            text = " ".join(str(f.get("title") or f.get("name") or "file") for f in files)
        deleted = subtype == "tombstone"
        reactions = [r for r in m.get("reactions") or [] if isinstance(r, dict) and r.get("name")]
        yield Record(where, InboundItem(
            platform_message_id=pid, created_at=created, text=text, author=self._author(m, users),
            kind="direct" if direct else ("reply" if parent else "post"), thread_id=thread, parent_id=parent,
            channel=channel, is_direct=direct, edited_at=edited, deleted=deleted,
            raw={"subtype": subtype, "reactions": {r["name"]: r.get("count") for r in reactions},
                 "files": [{"name": f.get("name"), "title": f.get("title")} for f in files]},
        ))
        for r in reactions:
            for uid in r.get("users") or []:
                who = self._user(str(uid), users)
                aid = f"reaction:{pid}:{r['name']}:{uid}"[:MAX_ID]
                yield Record(where, InboundActivity(aid, "reacted", created, who, title=f":{r['name']}:",
                                                    message_platform_id=pid,
                                                    properties={"emoji": r["name"]}))

    def _author(self, m: dict, users: dict) -> InboundAuthor | None:
        is_bot = bool(m.get("bot_id")) or m.get("subtype") == "bot_message"
        if m.get("user"):
            author = self._user(str(m["user"]), users)
            author.is_bot = author.is_bot or is_bot
            return author
        if is_bot:
            bot = m.get("bot_profile") or {}
            return InboundAuthor(platform_user_id=f"bot:{m.get('bot_id') or m.get('username')}"[:MAX_ID],
                                 display_name=clip(m.get("username") or bot.get("name")), is_bot=True)
        return None

    @staticmethod
    def _user(uid: str, users: dict) -> InboundAuthor:
        u = users.get(uid) or {}
        return InboundAuthor(platform_user_id=uid[:MAX_ID], handle=clip(u.get("handle")),
                             display_name=clip(u.get("name") or u.get("handle") or uid),
                             avatar_url=url_or_none(u.get("avatar"), MAX_PROFILE_URL),
                             is_bot=bool(u.get("bot")),
                             raw={"deleted": True} if u.get("deleted") else {})


class _Bad(Exception):
    def __init__(self, field: str | None, problem: str):
        super().__init__(problem)
        self.field, self.problem = field, problem


def render_text(text: str, users: dict) -> str:
    """Slack markup → readable text: mentions by name, channel links by name, links with their label."""

    def repl(match: re.Match) -> str:
        body = match.group(1)
        target, _, label = body.partition("|")
        if target.startswith("@"):
            u = users.get(target[1:]) or {}
            return "@" + (label or u.get("name") or u.get("handle") or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            return label or ("@" + special if special in ("here", "channel", "everyone") else special)
        return f"{label} ({target})" if label and label != target else target

    return html.unescape(_MARKUP.sub(repl, text))
