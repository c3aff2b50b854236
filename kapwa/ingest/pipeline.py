"""The one inbound path: a batch of InboundItems (and activities) is stored idempotently, in one
transaction together with the cursor that covers it.

Upsert by (source, platform message id); thread linking through parent ids and platform thread ids;
member resolution through identities (new people become members, a verified e-mail already known joins
that member); conversation and member figures kept current; then, after commit, the analysis hook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.events import Event
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Source, utcnow
from kapwa.core.runtime import Runtime

log = logging.getLogger("kapwa.ingest")
CHUNK = 500


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


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _update_by_id(s: Session, model, rows: list[dict]) -> None:
    """UPDATE … WHERE id = :id for many rows in one executemany (Core; no per-row ORM bookkeeping)."""
    if not rows:
        return
    table = model.__table__
    names = [k for k in rows[0] if k != "id"]
    stmt = table.update().where(table.c.id == bindparam("_id")).values(
        {name: bindparam(f"_{name}", type_=table.c[name].type) for name in names})
    s.execute(stmt, [{f"_{k}": v for k, v in row.items()} for row in rows])


def _allocate_ids(s: Session, model, n: int) -> list[int]:
    """Reserve n primary keys, so rows can be inserted with executemany and linked before insert.

    SQLite: the write transaction holds the database lock (BEGIN IMMEDIATE), so max(id)+1… is ours.
    PostgreSQL: take n values from the table's sequence.
    """
    if n == 0:
        return []
    if s.get_bind().dialect.name == "sqlite":
        start = (s.scalar(select(func.max(model.id))) or 0) + 1
        return list(range(start, start + n))
    table = model.__table__.name
    return list(s.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                               "FROM generate_series(1, :n)").bindparams(n=n)))


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
    identities = _resolve_identities(s, src, authors, result)

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
        _update_by_id(s, Message, updates)
        result.updated = len(updates)

    if new_items:
        _thread_chat(s, src, new_items)
        _insert_messages(s, src, new_items, identities, existing, result)
    if batch.activities:
        _insert_activities(s, src, batch, identities, result)
    return result


# --------------------------------------------------------------------------------------------- members


def _resolve_identities(s: Session, src: Source, authors: list[InboundAuthor], result: IngestResult) -> dict:
    """platform_user_id → (identity id, member id), creating members and identities that are new."""
    by_id: dict[str, InboundAuthor] = {}
    for a in authors:
        by_id.setdefault(a.platform_user_id, a)
    known: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(list(by_id)):
        for ident_id, member_id, puid in s.execute(
            select(Identity.id, Identity.member_id, Identity.platform_user_id).where(
                Identity.source_id == src.id, Identity.platform_user_id.in_(chunk)
            )
        ):
            known[puid] = (ident_id, member_id)
    missing = [a for puid, a in by_id.items() if puid not in known]
    if not missing:
        return known
    # A verified e-mail we already know belongs to that member (automatic merge).
    emails = sorted({a.email.lower() for a in missing if a.email and a.email_verified})
    by_email: dict[str, int] = {}
    for chunk in _chunks(emails):
        for email, member_id in s.execute(
            select(Identity.email, Identity.member_id)
            .join(Member, Member.id == Identity.member_id)
            .where(Member.workspace_id == src.workspace_id, Identity.email_verified.is_(True),
                   Identity.email.in_(chunk))
        ):
            by_email.setdefault(email.lower(), member_id)
    now = utcnow()
    need_member = [a for a in missing if not (a.email and a.email_verified and a.email.lower() in by_email)]
    member_ids: list[int] = []
    if need_member:
        rows = [{"workspace_id": src.workspace_id, "display_name": (a.display_name or a.handle or a.platform_user_id)[:200],
                 "email": a.email.lower() if a.email else None, "avatar_url": a.avatar_url,
                 "message_count": 0, "is_vip": False, "is_blocked": False, "created_at": now}
                for a in need_member]
        member_ids = _allocate_ids(s, Member, len(rows))
        for row, mid in zip(rows, member_ids, strict=True):
            row["id"] = mid
        s.execute(Member.__table__.insert(), rows)
        result.members_created += len(member_ids)
    new_member = dict(zip([a.platform_user_id for a in need_member], member_ids, strict=True))
    ident_rows = []
    platform = platform_of(src)
    for a in missing:
        member_id = new_member.get(a.platform_user_id) or by_email[a.email.lower()]
        ident_rows.append({
            "member_id": member_id, "source_id": src.id, "platform": platform,
            "platform_user_id": a.platform_user_id, "handle": a.handle, "display_name": a.display_name,
            "email": a.email.lower() if a.email else None, "email_verified": a.email_verified,
            "profile_url": a.profile_url, "avatar_url": a.avatar_url, "raw": a.raw or {}, "created_at": now,
        })
    ident_ids = _allocate_ids(s, Identity, len(ident_rows))
    for row, ident_id in zip(ident_rows, ident_ids, strict=True):
        row["id"] = ident_id
    s.execute(Identity.__table__.insert(), ident_rows)
    for row, ident_id in zip(ident_rows, ident_ids, strict=True):
        known[row["platform_user_id"]] = (ident_id, row["member_id"])
    return known


# -------------------------------------------------------------------------------------------- messages


def _existing_messages(s: Session, source_id: int, platform_ids: list[str]) -> dict:
    found = {}
    for chunk in _chunks(platform_ids):
        for row in s.execute(
            select(Message.id, Message.platform_message_id, Message.text, Message.html, Message.deleted_at,
                   Message.conversation_id, Message.created_at)
            .where(Message.source_id == source_id, Message.platform_message_id.in_(chunk))
        ):
            found[row.platform_message_id] = row
    return found


def _thread_keys(s: Session, src: Source, items: list[InboundItem], existing: dict) -> dict[str, str]:
    """platform message id → platform thread id, following parents inside the batch and in the database."""
    parents_needed = {it.parent_id for it in items if it.parent_id and not it.thread_id} - {
        it.platform_message_id for it in items} - set(existing)
    parent_threads: dict[str, str] = {}
    for chunk in _chunks(sorted(parents_needed)):
        for pid, thread in s.execute(
            select(Message.platform_message_id, Conversation.platform_thread_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.source_id == src.id, Message.platform_message_id.in_(chunk))
        ):
            parent_threads[pid] = thread
    conv_thread: dict[int, str] = {}
    existing_conv_ids = {row.conversation_id for row in existing.values()}
    if existing_conv_ids:
        for cid, thread in s.execute(select(Conversation.id, Conversation.platform_thread_id)
                                     .where(Conversation.id.in_(existing_conv_ids))):
            conv_thread[cid] = thread
    for pid, row in existing.items():
        parent_threads[pid] = conv_thread.get(row.conversation_id, pid)
    in_batch = {it.platform_message_id: it for it in items}
    keys: dict[str, str] = {}

    def key_of(it: InboundItem, depth: int = 0) -> str:
        if it.platform_message_id in keys:
            return keys[it.platform_message_id]
        if it.thread_id:
            k = it.thread_id
        elif it.parent_id and it.parent_id in parent_threads:
            k = parent_threads[it.parent_id]
        elif it.parent_id and it.parent_id in in_batch and depth < 200:
            k = key_of(in_batch[it.parent_id], depth + 1)
        else:
            k = it.parent_id or it.platform_message_id
        keys[it.platform_message_id] = k
        return k

    for it in items:
        key_of(it)
    return keys


def _insert_messages(s, src, items, identities, existing, result) -> None:
    items.sort(key=lambda it: it.created_at)
    keys = _thread_keys(s, src, items, existing)
    convs = _load_conversations(s, src, items, keys, identities)
    now = utcnow()
    ids = _allocate_ids(s, Message, len(items))
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
        _update_by_id(s, Message, late_links)
    result.inserted += len(ids)
    result.new_message_ids.extend(ids)
    _update_conversations(items, rows, convs, keys)
    _save_conversations(s, convs)
    _update_members(s, rows)
    acts = [{"workspace_id": src.workspace_id, "member_id": r["member_id"], "identity_id": r["author_identity_id"],
             "source_id": src.id, "message_id": mid, "type": "replied" if it.parent_id else "posted",
             "occurred_at": it.created_at, "weight": 1.0, "title": _title_from(it.text, 80), "properties": {},
             "created_at": now}
            for it, r, mid in zip(items, rows, ids, strict=True) if r["member_id"]]
    if acts:
        s.execute(Activity.__table__.insert(), acts)


def _find_parents(s, src, items, id_of) -> None:
    """Add the database ids of parents that are neither in this batch nor already looked up."""
    missing = sorted({it.parent_id for it in items if it.parent_id and it.parent_id not in id_of})
    for chunk in _chunks(missing):
        for pid, mid in s.execute(select(Message.platform_message_id, Message.id)
                                  .where(Message.source_id == src.id, Message.platform_message_id.in_(chunk))):
            id_of[pid] = mid


CONV_FIELDS = ("id", "platform_thread_id", "message_count", "first_message_at", "last_message_at",
               "last_inbound_at", "first_response_at", "resolved_at", "started_by_member_id", "needs_answer", "status")


def _load_conversations(s, src, items, keys, identities) -> dict[str, dict]:
    """Conversations touched by this batch, as plain dicts; new ones inserted with reserved ids."""
    convs: dict[str, dict] = {}
    cols = [getattr(Conversation, f) for f in CONV_FIELDS]
    lock = s.get_bind().dialect.name != "sqlite"
    for chunk in _chunks(sorted(set(keys.values()))):
        q = select(*cols).where(Conversation.source_id == src.id, Conversation.platform_thread_id.in_(chunk))
        for row in s.execute(q.with_for_update() if lock else q):
            convs[row.platform_thread_id] = dict(row._mapping)
    new_rows = []
    for it in items:
        k = keys[it.platform_message_id]
        if k in convs:
            continue
        author = identities.get(it.author.platform_user_id) if it.author and it.direction == "inbound" else None
        row = {"workspace_id": src.workspace_id, "source_id": src.id, "platform_thread_id": k,
               "title": (it.title or _title_from(it.text))[:300], "channel": it.channel,
               "url": it.thread_url or it.url, "is_direct": it.is_direct,
               "started_by_member_id": author[1] if author else None, "status": "new", "priority": "normal",
               "message_count": 0, "needs_answer": False, "first_message_at": None, "last_message_at": None,
               "last_inbound_at": None, "first_response_at": None, "resolved_at": None, "created_at": utcnow()}
        convs[k] = row
        new_rows.append(row)
    for row, cid in zip(new_rows, _allocate_ids(s, Conversation, len(new_rows)), strict=True):
        row["id"] = cid
    if new_rows:
        s.execute(Conversation.__table__.insert(), new_rows)
    return convs


def _save_conversations(s, convs: dict[str, dict]) -> None:
    _update_by_id(s, Conversation, [{f: c[f] for f in CONV_FIELDS if f != "platform_thread_id"}
                                     for c in convs.values()])


def _update_conversations(items, rows, convs, keys) -> None:
    for it, row in zip(items, rows, strict=True):
        c = convs[keys[it.platform_message_id]]
        ts = it.created_at
        c["message_count"] = (c["message_count"] or 0) + 1
        if c["first_message_at"] is None or ts < c["first_message_at"]:
            c["first_message_at"] = ts
        if c["last_message_at"] is None or ts > c["last_message_at"]:
            c["last_message_at"] = ts
        if it.direction == "inbound":
            if c["last_inbound_at"] is None or ts > c["last_inbound_at"]:
                c["last_inbound_at"] = ts
            if c["started_by_member_id"] is None and row["member_id"] and not it.parent_id:
                c["started_by_member_id"] = row["member_id"]
        starter = c["started_by_member_id"]
        is_response = it.direction == "outbound" or (
            row["member_id"] is not None and starter is not None and row["member_id"] != starter)
        if is_response and c["first_message_at"] and ts > c["first_message_at"]:
            if c["first_response_at"] is None or ts < c["first_response_at"]:
                c["first_response_at"] = ts
            c["needs_answer"] = False
        elif not it.parent_id and "?" in it.text and c["first_response_at"] is None:
            c["needs_answer"] = True
        if it.direction == "inbound" and c["status"] == "resolved" and ts > (c["resolved_at"] or ts):
            c["status"] = "open"


def _update_members(s, rows) -> None:
    stats: dict[int, list] = {}
    for r in rows:
        if r["member_id"]:
            st = stats.setdefault(r["member_id"], [0, r["created_at"], r["created_at"]])
            st[0] += 1
            st[1] = min(st[1], r["created_at"])
            st[2] = max(st[2], r["created_at"])
    if not stats:
        return
    lock = s.get_bind().dialect.name != "sqlite"  # SQLite's write transaction already holds the lock
    changes = []
    for chunk in _chunks(sorted(stats)):
        q = select(Member.id, Member.message_count, Member.first_seen_at, Member.last_active_at).where(
            Member.id.in_(chunk))
        for mid, count, seen, active in s.execute(q.with_for_update() if lock else q):
            n, first, last = stats[mid]
            changes.append({"id": mid, "message_count": (count or 0) + n,
                            "first_seen_at": first if seen is None else min(seen, first),
                            "last_active_at": last if active is None else max(active, last)})
    _update_by_id(s, Member, changes)


def _insert_activities(s, src, batch: Batch, identities, result: IngestResult) -> None:
    acts = list({a.platform_activity_id: a for a in batch.activities}.values())
    seen = set()
    for chunk in _chunks([a.platform_activity_id for a in acts]):
        seen |= set(s.scalars(select(Activity.platform_activity_id).where(
            Activity.source_id == src.id, Activity.platform_activity_id.in_(chunk))))
    msg_ids: dict[str, int] = {}
    wanted = sorted({a.message_platform_id for a in acts if a.message_platform_id})
    for chunk in _chunks(wanted):
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


CHAT_PLATFORMS = ("discord", "slack", "telegram", "matrix", "irc")


def _thread_chat(s: Session, src: Source, items: list[InboundItem]) -> None:
    """Chat platforms often have no threads: group loose channel messages into conversations
    (kapwa.ingest.disentangle), with the channel's latest stored messages as context so a conversation
    carries on across batches."""
    if platform_of(src) not in CHAT_PLATFORMS:
        return
    starters = {it.thread_id for it in items if it.thread_id}  # a message that starts a platform thread keeps it
    loose = [it for it in items if not it.thread_id and not it.parent_id and not it.is_direct and it.channel
             and it.platform_message_id not in starters]
    if not loose:
        return
    from kapwa.ingest.disentangle import assign_threads

    context: list[InboundItem] = []
    for channel in sorted({it.channel for it in loose}):
        rows = s.execute(
            select(Message.platform_message_id, Message.text, Message.created_at, Conversation.platform_thread_id,
                   Identity.platform_user_id, Identity.handle, Identity.display_name)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .outerjoin(Identity, Identity.id == Message.author_identity_id)
            .where(Message.source_id == src.id, Conversation.channel == channel)
            .order_by(Message.created_at.desc()).limit(100)
        )
        for r in rows:
            author = InboundAuthor(r.platform_user_id, handle=r.handle, display_name=r.display_name) \
                if r.platform_user_id else None
            context.append(InboundItem(r.platform_message_id, r.created_at, r.text or "", author,
                                       thread_id=r.platform_thread_id, channel=channel))
    assign_threads(loose, context=context)


def platform_of(src: Source) -> str:
    """The identity namespace: the platform itself, or for a file import the platform it was exported from."""
    return (src.config or {}).get("platform") or src.kind


def _title_from(text: str, limit: int = 80) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
