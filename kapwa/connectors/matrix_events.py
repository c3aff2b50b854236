"""Matrix events (client-server API JSON) → :class:`InboundItem` and :class:`InboundActivity`.

The reading half of :class:`kapwa.connectors.matrix.MatrixConnector`, as a mixin: messages, edits, redactions,
reactions and joins, each message given its conversation id (the id scheme is documented in
:mod:`kapwa.connectors.matrix`), in batches.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from kapwa.connectors.base import Batch, InboundActivity, InboundAuthor, InboundItem

log = logging.getLogger("kapwa.connectors.matrix")

MEDIA = {"m.image": "image", "m.file": "file", "m.video": "video", "m.audio": "audio"}
BATCH = 200


def _ts(ev: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ev.get("origin_server_ts") or 0) / 1000, tz=dt.UTC)


def _day(room_id: str, ev: dict) -> str:
    return f"{room_id}:{_ts(ev).date().isoformat()}"


def link(room_id: str, event_id: str | None = None) -> str:
    return f"https://matrix.to/#/{room_id}" + (f"/{event_id}" if event_id else "")


def q(value: str) -> str:
    return quote(value, safe="")


def _redacted(ev: dict) -> bool:
    return bool(ev.get("redacted_because") or (ev.get("unsigned") or {}).get("redacted_because"))


def _text_of(content: dict, is_reply: bool = False) -> tuple[str, str | None] | None:
    """(plain text, HTML) of a message content, without the quoted reply fallback."""
    body, msgtype = content.get("body"), content.get("msgtype") or ""
    if not isinstance(body, str) or msgtype.startswith("m.key."):
        return None
    if is_reply and body.startswith(">"):
        lines = body.split("\n")
        while lines and lines[0].startswith(">"):
            lines.pop(0)
        body = "\n".join(lines).lstrip("\n")
    formatted = content.get("formatted_body") if content.get("format") == "org.matrix.custom.html" else None
    if formatted:
        formatted = re.sub(r"<mx-reply>.*?</mx-reply>", "", formatted, flags=re.DOTALL)
    return (f"[{MEDIA[msgtype]}] {body}" if msgtype in MEDIA else body), formatted


@dataclass
class Room:
    id: str
    name: str | None = None
    alias: str | None = None
    members: dict[str, str | None] = field(default_factory=dict)
    direct: bool = False
    warned: bool = False  # about end-to-end encryption

    @property
    def label(self) -> str:
        return self.name or self.alias or self.id


class MatrixEvents:
    """Rooms' events → batches of items and activities, for the connector, which provides ``user_id``,
    ``_api`` (a client-API call) and ``_direct`` (the ids of DM rooms)."""

    user_id: str | None
    _direct: set[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rooms: dict[str, Room] = {}
        self._events: dict[tuple[str, str], dict | None] = {}  # fetched events; None: not visible
        self._items: dict[str, InboundItem] = {}  # event id → the item built for it
        self._keys: dict[str, str] = {}  # event id → conversation id
        self._where: dict[str, str] = {}  # event id → room id
        self._seen_before: int | None = None  # "seen" of the cursor: Kapwa may have events up to here
        self._seen = 0

    def _room(self, room_id: str) -> Room:
        if room_id not in self._rooms:
            state = f"/rooms/{q(room_id)}/state"
            name = (self._api("GET", f"{state}/m.room.name", missing_ok=True) or {}).get("name")
            alias = (self._api("GET", f"{state}/m.room.canonical_alias", missing_ok=True) or {}).get("alias")
            joined = self._api("GET", f"/rooms/{q(room_id)}/joined_members")["joined"]
            members = {uid: (info or {}).get("display_name") for uid, info in joined.items()}
            direct = room_id in self._direct or (len(members) == 2 and not name and not alias)
            self._rooms[room_id] = Room(room_id, name, alias, members, direct)
        return self._rooms[room_id]

    def _batches(self, room_id: str, events: list[dict], cursor):
        items, acts = self._convert(self._room(room_id), events)
        chunks = [items[i:i + BATCH] for i in range(0, len(items), BATCH)] or [[]]
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            if chunk or (last and (acts or cursor)):
                yield Batch(chunk, acts if last else [], cursor() if last and cursor else None)

    def _convert(self, room: Room, events: list[dict]) -> tuple[list[InboundItem], list[InboundActivity]]:
        out: dict[str, InboundItem] = {}
        acts: list[InboundActivity] = []
        for ev in events:
            eid, kind, sender = ev.get("event_id", ""), ev.get("type"), ev.get("sender", "")
            content = ev.get("content") or {}
            rel = content.get("m.relates_to") or {}
            self._where[eid] = room.id
            self._seen = max(self._seen, int(ev.get("origin_server_ts") or 0))
            it = None
            if kind == "m.room.message":
                it = (self._deleted(room, ev) if _redacted(ev) else self._edit(room, ev)
                      if rel.get("rel_type") == "m.replace" else self._item(room, ev))
            elif kind == "m.room.redaction" and (target := content.get("redacts") or ev.get("redacts")):
                it = self._deleted(room, out.get(target) or self._items.get(target) or self._event(room.id, target))
            elif _redacted(ev):
                continue
            elif kind == "m.reaction" and rel.get("rel_type") == "m.annotation" and sender != self.user_id:
                key = str(rel.get("key") or "")
                acts.append(InboundActivity(eid, "reacted", _ts(ev), self._author(room, sender),
                                            title=f"Reacted {key}".strip(), message_platform_id=rel.get("event_id"),
                                            properties={"key": key, "room_id": room.id}))
            elif kind == "m.room.member" and ev.get("state_key") == sender and content.get("membership") == "join":
                room.members[sender] = content.get("displayname") or room.members.get(sender)
                prev = (ev.get("unsigned") or {}).get("prev_content") or ev.get("prev_content") or {}
                if prev.get("membership") != "join" and sender != self.user_id:
                    acts.append(InboundActivity(eid, "joined", _ts(ev), self._author(room, sender),
                                                title=f"Joined {room.label}",
                                                properties={"room_id": room.id, "room": room.label}))
            elif kind == "m.room.encrypted" and not room.warned:
                room.warned = True
                log.warning("room %s is end-to-end encrypted; Kapwa cannot read its messages", room.label)
            if it is not None:
                out[it.platform_message_id] = it
        return list(out.values()), acts

    def _author(self, room: Room, mxid: str) -> InboundAuthor:
        return InboundAuthor(platform_user_id=mxid, handle=mxid, display_name=room.members.get(mxid),
                             profile_url=link(mxid), is_bot=mxid == self.user_id)

    def _event(self, room_id: str, event_id: str) -> dict | None:
        if (room_id, event_id) not in self._events:
            self._events[room_id, event_id] = self._api(
                "GET", f"/rooms/{q(room_id)}/event/{q(event_id)}", missing_ok=True)
        return self._events[room_id, event_id]

    def _key(self, room: Room, ev: dict, depth: int = 0) -> str:
        """An event's conversation: its thread, else that of the message it replies to, else its day's."""
        eid = ev.get("event_id", "")
        if eid not in self._keys:
            rel = (ev.get("content") or {}).get("m.relates_to") or {}
            parent = (rel.get("m.in_reply_to") or {}).get("event_id")
            key = _day(room.id, ev)
            if rel.get("rel_type") == "m.thread" and rel.get("event_id"):
                key = f"{room.id}|{rel['event_id']}"
            elif parent and depth < 5 and (pev := self._event(room.id, parent) if parent not in self._keys
                                           else {"event_id": parent}):
                key = self._key(room, pev, depth + 1)
            self._keys[eid] = key
        return self._keys[eid]

    def _item(self, room: Room, ev: dict) -> InboundItem | None:
        content, eid, sender, me = ev.get("content") or {}, ev["event_id"], ev.get("sender", ""), self.user_id or ""
        rel = content.get("m.relates_to") or {}
        reply_to = (rel.get("m.in_reply_to") or {}).get("event_id")
        root = rel.get("event_id") if rel.get("rel_type") == "m.thread" else None
        if (text := _text_of(content, bool(reply_to))) is None:
            return None
        (body, formatted), edited_at = text, None
        edit = ((ev.get("unsigned") or {}).get("m.relations") or {}).get("m.replace")
        if edit and edit.get("sender") == sender and (new := _text_of(
                (edit.get("content") or {}).get("m.new_content") or {})):  # the server's bundled latest edit
            (body, formatted), edited_at = new, _ts(edit)
        parent = (reply_to if reply_to and not rel.get("is_falling_back") else root) if root else reply_to
        mentioned = bool(me) and (me in ((content.get("m.mentions") or {}).get("user_ids") or []) or me in body
                                  or me in (formatted or "") or quote(me) in (formatted or ""))
        kind = "direct" if room.direct else "mention" if mentioned and sender != me else "reply" if parent else "post"
        title = None
        if root:
            root_item = self._items.get(root)
            title = root_item.text if root_item else (_text_of(
                (self._event(room.id, root) or {}).get("content") or {}) or ("",))[0]
        it = InboundItem(eid, _ts(ev), body, self._author(room, sender), kind=kind, html=formatted,
                         direction="outbound" if sender == me else "inbound", thread_id=self._key(room, ev),
                         parent_id=parent, title=title.split("\n")[0][:120] if title else None, channel=room.label,
                         url=link(room.id, eid), thread_url=link(room.id, root) if root else None,
                         is_direct=room.direct, edited_at=edited_at,
                         raw={"room_id": room.id, "msgtype": content.get("msgtype")})
        self._items[eid] = it
        return it

    def _edit(self, room: Room, ev: dict) -> InboundItem | None:
        target = ((ev.get("content") or {}).get("m.relates_to") or {}).get("event_id")
        base = self._items.get(target)
        if base is None and (original := self._event(room.id, target)) and original.get("type") == "m.room.message" \
                and not _redacted(original):
            base = self._item(room, original)
        new = _text_of((ev.get("content") or {}).get("m.new_content") or {})
        if (base is None or new is None or base.author.platform_user_id != ev.get("sender")
                or (base.edited_at and _ts(ev) < base.edited_at)):
            return None  # unknown or deleted original, someone else's "edit", or older than what we have
        self._items[target] = replace(base, text=new[0], html=new[1], edited_at=_ts(ev))
        return self._items[target]

    def _deleted(self, room: Room, original: InboundItem | dict | None) -> InboundItem | None:
        """A redacted message, text removed: only if Kapwa may have stored it (an item built in this run, or
        an event no newer than what earlier syncs read); one deleted before Kapwa saw it is left out."""
        if isinstance(original, InboundItem):
            return replace(original, text="", html=None, deleted=True)
        if (not original or original.get("type") != "m.room.message" or self._seen_before is None
                or int(original.get("origin_server_ts") or 0) > self._seen_before):
            return None
        sender = original.get("sender", "")
        return InboundItem(original["event_id"], _ts(original), "", self._author(room, sender), deleted=True,
                           direction="outbound" if sender == self.user_id else "inbound", is_direct=room.direct,
                           kind="direct" if room.direct else "post", thread_id=_day(room.id, original),
                           channel=room.label, url=link(room.id, original["event_id"]))
