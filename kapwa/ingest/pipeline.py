"""The one inbound path: a batch of InboundItems (and activities) is stored idempotently, in one
transaction together with the cursor that covers it.

Upsert by (source, platform message id); thread linking through parent ids and platform thread ids;
member resolution through identities (new people become members, a verified e-mail already known joins
that member); conversation and member figures kept current; then, after commit, the analysis hook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.connectors.base import Batch, InboundItem
from kapwa.core.events import Event
from kapwa.core.models import Activity, Message, Source, utcnow
from kapwa.core.runtime import Runtime
from kapwa.ingest.people import platform_of, resolve_identities, update_members
from kapwa.ingest.rows import allocate_ids, chunks, update_by_id
from kapwa.ingest.threads import (
    load_conversations,
    save_conversations,
    thread_chat,
    thread_keys,
    title_from,
    update_conversations,
)

__all__ = ["IngestResult", "ingest_batch", "ingest_into", "platform_of"]

log = logging.getLogger("kapwa.ingest")


@dataclass
class IngestResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    members_created: int = 0
    activities: int = 0
    new_message_ids: list[int] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.members_created += other.members_created
        self.activities += other.activities
        self.new_message_ids.extend(other.new_message_ids)


def ingest_batch(rt: Runtime, source_id: int, batch: Batch, *, analyze: bool = True) -> IngestResult:
    """Store one batch and its cursor atomically, then publish the event and run the analysis hook."""
    with rt.db.write_sessions() as s, s.begin():
        src = s.get(Source, source_id)
        if src is None:
            raise LookupError(f"source {source_id} does not exist")
        result = ingest_into(s, src, batch)
        if batch.cursor is not None:
            src.sync_cursor = batch.cursor
    if result.new_message_ids:
        rt.events.publish(Event("messages.ingested", src.workspace_id,
                                {"source_id": source_id, "ids": result.new_message_ids[:1000],
                                 "count": len(result.new_message_ids)}))
        if analyze:
            from kapwa.ingest.analysis_hook import run_analysis

            run_analysis(rt, result.new_message_ids)
    return result


def ingest_into(s: Session, src: Source, batch: Batch) -> IngestResult:
    result = IngestResult()
    items = list({it.platform_message_id: it for it in batch.items}.values())  # last one wins
    authors = [it.author for it in items if it.author and it.direction == "inbound"]
    authors += [a.author for a in batch.activities]
    identities = resolve_identities(s, src, authors, result)

    existing = _existing_messages(s, src.id, [it.platform_message_id for it in items])
    new_items: list[InboundItem] = []
    updates = []
    for it in items:
        row = existing.get(it.platform_message_id)
        if row is None:
            new_items.append(it)
            continue
        changed = row.text != it.text or (it.deleted and row.deleted_at is None) or (row.html != it.html)
        if changed:
            updates.append({"id": row.id, "text": it.text, "html": it.html,
                            "edited_at": it.edited_at or utcnow(),
                            "deleted_at": utcnow() if it.deleted else None})
        else:
            result.unchanged += 1
    if updates:
        update_by_id(s, Message, updates)
        result.updated = len(updates)

    if new_items:
        thread_chat(s, src, new_items)
        _insert_messages(s, src, new_items, identities, existing, result)
    if batch.activities:
        _insert_activities(s, src, batch, identities, result)
    return result


# --------------------------------------------------------------------------------------------- members


# -------------------------------------------------------------------------------------------- messages


def _existing_messages(s: Session, source_id: int, platform_ids: list[str]) -> dict:
    found = {}
    for chunk in chunks(platform_ids):
        for row in s.execute(
            select(Message.id, Message.platform_message_id, Message.text, Message.html, Message.deleted_at,
                   Message.conversation_id, Message.created_at)
            .where(Message.source_id == source_id, Message.platform_message_id.in_(chunk))
        ):
            found[row.platform_message_id] = row
    return found


def _insert_messages(s, src, items, identities, existing, result) -> None:
    items.sort(key=lambda it: it.created_at)
    keys = thread_keys(s, src, items, existing)
    convs = load_conversations(s, src, items, keys, identities)
    now = utcnow()
    ids = allocate_ids(s, Message, len(items))
    id_of = {it.platform_message_id: mid for it, mid in zip(items, ids, strict=True)}
    for pid, row in existing.items():
        id_of.setdefault(pid, row.id)
    _find_parents(s, src, items, id_of)
    rows, late_links, inserted = [], [], set(id_of.values()) - set(ids)
    for it, mid in zip(items, ids, strict=True):
        author = identities.get(it.author.platform_user_id) if it.author and it.direction == "inbound" else None
        parent = id_of.get(it.parent_id) if it.parent_id else None
        if parent is not None and parent not in inserted:  # the parent comes later in this batch
            late_links.append({"id": mid, "parent_id": parent})
            parent = None
        inserted.add(mid)
        rows.append({
            "id": mid, "workspace_id": src.workspace_id, "source_id": src.id,
            "conversation_id": convs[keys[it.platform_message_id]]["id"],
            "platform_message_id": it.platform_message_id, "kind": it.kind, "direction": it.direction,
            "author_identity_id": author[0] if author else None, "member_id": author[1] if author else None,
            "parent_id": parent, "sent_by_user_id": None,
            "text": it.text, "html": it.html, "url": it.url, "created_at": it.created_at, "ingested_at": now,
            "edited_at": it.edited_at, "deleted_at": now if it.deleted else None, "raw": it.raw or {},
            "analysis_versions": {},
        })
    s.execute(Message.__table__.insert(), rows)
    if late_links:
        update_by_id(s, Message, late_links)
    result.inserted += len(ids)
    result.new_message_ids.extend(ids)
    update_conversations(items, rows, convs, keys)
    save_conversations(s, convs)
    update_members(s, rows)
    acts = [{"workspace_id": src.workspace_id, "member_id": r["member_id"], "identity_id": r["author_identity_id"],
             "source_id": src.id, "message_id": mid, "type": "replied" if it.parent_id else "posted",
             "occurred_at": it.created_at, "weight": 1.0, "title": title_from(it.text, 80), "properties": {},
             "created_at": now}
            for it, r, mid in zip(items, rows, ids, strict=True) if r["member_id"]]
    if acts:
        s.execute(Activity.__table__.insert(), acts)


def _find_parents(s, src, items, id_of) -> None:
    """Add the database ids of parents that are neither in this batch nor already looked up."""
    missing = sorted({it.parent_id for it in items if it.parent_id and it.parent_id not in id_of})
    for chunk in chunks(missing):
        for pid, mid in s.execute(select(Message.platform_message_id, Message.id)
                                  .where(Message.source_id == src.id, Message.platform_message_id.in_(chunk))):
            id_of[pid] = mid


def _insert_activities(s, src, batch: Batch, identities, result: IngestResult) -> None:
    acts = list({a.platform_activity_id: a for a in batch.activities}.values())
    seen = set()
    for chunk in chunks([a.platform_activity_id for a in acts]):
        seen |= set(s.scalars(select(Activity.platform_activity_id).where(
            Activity.source_id == src.id, Activity.platform_activity_id.in_(chunk))))
    msg_ids: dict[str, int] = {}
    wanted = sorted({a.message_platform_id for a in acts if a.message_platform_id})
    for chunk in chunks(wanted):
        msg_ids.update(s.execute(select(Message.platform_message_id, Message.id).where(
                Message.source_id == src.id, Message.platform_message_id.in_(chunk))).all())
    now = utcnow()
    rows = []
    for a in acts:
        if a.platform_activity_id in seen:
            continue
        ident_id, member_id = identities[a.author.platform_user_id]
        rows.append({"workspace_id": src.workspace_id, "member_id": member_id, "identity_id": ident_id,
                     "source_id": src.id, "message_id": msg_ids.get(a.message_platform_id or ""),
                     "platform_activity_id": a.platform_activity_id, "type": a.type, "occurred_at": a.occurred_at,
                     "weight": 1.0, "title": a.title, "properties": a.properties or {}, "created_at": now})
    if rows:
        s.execute(Activity.__table__.insert(), rows)
        result.activities += len(rows)


