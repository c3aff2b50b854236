"""Mastodon account archives (*Preferences → Import and export → Request your archive*): the zip, the unpacked
folder, or just ``outbox.json``.

``outbox.json`` is an ActivityStreams ``OrderedCollection`` whose ``orderedItems`` are ``Create`` activities
with a ``Note`` (``id``, ``published``, ``updated``, ``content`` HTML, ``inReplyTo``, ``url``, ``to``/``cc``)
and ``Announce`` activities (boosts, left out: they are other people's posts). ``actor.json`` names the
account.

* The archive is the brand's own account, so its posts are imported as **outbound** (written by the brand:
  they count as responses and create no member). Pass ``options={"direction": "inbound"}`` to import
  someone else's archive as a member's posts instead.
* Platform ids are the Note ids (URLs); a reply is threaded under ``inReplyTo`` (a post not in the archive
  then names the conversation).
* Visibility comes from ``to``/``cc``: public, unlisted, followers-only or direct; direct posts are
  imported as direct messages. It is kept in the message's raw data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kapwa.connectors.base import InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import (
    MAX_ID,
    MAX_PROFILE_URL,
    ExportTree,
    clip,
    html_to_text,
    parse_datetime,
    url_or_none,
)
from kapwa.importers.base import BadRecord, Importer, Record

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
POST_TYPES = {"Note", "Question", "Article", "Page"}


def _list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def visibility(obj: dict) -> str:
    to, cc = _list(obj.get("to")), _list(obj.get("cc"))
    if PUBLIC in to or "as:Public" in to or "Public" in to:
        return "public"
    if PUBLIC in cc or "as:Public" in cc or "Public" in cc:
        return "unlisted"
    if any(t.endswith("/followers") for t in to):
        return "private"
    return "direct"


class MastodonArchiveImporter(Importer):
    format = "mastodon"
    label = N_("Mastodon archive")
    platform = "mastodon"

    def _load(self) -> tuple[str, dict, dict]:
        if self.path.is_file() and self.path.suffix.lower() == ".json":
            actor_path = self.path.with_name("actor.json")
            actor = json.loads(actor_path.read_text("utf-8-sig")) if actor_path.is_file() else {}
            return str(self.path), json.loads(self.path.read_bytes().decode("utf-8-sig")), actor
        with ExportTree(self.path) as tree:
            if not tree.exists("outbox.json"):
                raise FileNotFoundError(f"{self.path.name}: no outbox.json in this archive")
            actor = {}
            if tree.exists("actor.json"):
                actor = json.loads(tree.read_bytes("actor.json").decode("utf-8-sig"))
            outbox = json.loads(tree.read_bytes("outbox.json").decode("utf-8-sig"))
            return tree.label("outbox.json"), outbox, actor

    def records(self) -> Iterator[Record]:
        try:
            label, outbox, actor = self._load()
        except (OSError, ValueError) as exc:
            yield Record("file", BadRecord(self.path, "file", None, str(exc)))
            return
        items = outbox.get("orderedItems") if isinstance(outbox, dict) else None
        if not isinstance(items, list):
            yield Record("file", BadRecord(label, "file", "orderedItems", "not an ActivityStreams outbox"))
            return
        direction = "inbound" if self.options.get("direction") == "inbound" else "outbound"
        owner = self._owner(actor if isinstance(actor, dict) else {})
        for n, act in enumerate(items, start=1):
            where = f"item {n}"
            if not isinstance(act, dict):
                yield Record(where, BadRecord(label, where, None, "not a JSON object"))
                continue
            obj = act.get("object")
            if act.get("type") != "Create" or not isinstance(obj, dict) or obj.get("type") not in POST_TYPES:
                continue  # boosts, likes, deletes…
            pid = str(obj.get("id") or "")
            if not pid:
                yield Record(where, BadRecord(label, where, "object.id", "missing"))
                continue
            if len(pid) > MAX_ID:
                yield Record(where, BadRecord(label, where, "object.id", f"longer than {MAX_ID} characters"))
                continue
            try:
                created = parse_datetime(obj.get("published") or act.get("published"))
                edited = parse_datetime(obj["updated"]) if obj.get("updated") else None
            except ValueError as exc:
                yield Record(where, BadRecord(label, where, "object.published", f"published {exc}"))
                continue
            vis = visibility(obj)
            parent = obj.get("inReplyTo")
            parent = str(parent) if parent and len(str(parent)) <= MAX_ID else None
            html = str(obj.get("content") or "")
            text = html_to_text(html)
            if obj.get("summary"):  # content warning
                text = f"[{html_to_text(str(obj['summary']))}]\n{text}"
            author = owner
            if obj.get("attributedTo") and owner and obj["attributedTo"] != owner.platform_user_id:
                author = InboundAuthor(platform_user_id=str(obj["attributedTo"])[:MAX_ID])
            yield Record(where, InboundItem(
                platform_message_id=pid, created_at=created, text=text, html=html or None, author=author,
                kind="direct" if vis == "direct" else ("reply" if parent else "post"), direction=direction,
                parent_id=parent, url=url_or_none(obj.get("url") if isinstance(obj.get("url"), str) else pid),
                is_direct=vis == "direct", edited_at=edited,
                raw={"visibility": vis, "sensitive": bool(obj.get("sensitive")),
                     "attachments": [a.get("url") for a in obj.get("attachment") or []
                                     if isinstance(a, dict)]},
            ))

    @staticmethod
    def _owner(actor: dict) -> InboundAuthor | None:
        if not actor.get("id"):
            return None
        url = actor.get("url") if isinstance(actor.get("url"), str) else None
        host = str(actor["id"]).split("/")[2] if str(actor["id"]).count("/") >= 2 else ""
        handle = f"{actor.get('preferredUsername')}@{host}" if actor.get("preferredUsername") else None
        icon = actor.get("icon") if isinstance(actor.get("icon"), dict) else {}
        return InboundAuthor(platform_user_id=str(actor["id"])[:MAX_ID], handle=clip(handle),
                             display_name=clip(actor.get("name") or actor.get("preferredUsername")),
                             profile_url=url_or_none(url, MAX_PROFILE_URL),
                             avatar_url=url_or_none(icon.get("url"), MAX_PROFILE_URL))

    def count_hint(self) -> int | None:
        return None
