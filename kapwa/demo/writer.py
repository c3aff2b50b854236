"""Write a :class:`~kapwa.demo.model.Plan` into one open write transaction with bulk INSERTs.

Ids are always assigned by the database, so PostgreSQL sequences stay correct: small tables use
``INSERT … RETURNING`` in parameter order; conversations and messages (where RETURNING makes PostgreSQL
several times slower) are read back by their unique platform ids. Only portable SQL is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from kapwa.core.models import (
    Activity,
    Conversation,
    Identity,
    Member,
    Message,
    Note,
    Source,
    Tag,
    Task,
    conversation_tags,
    member_tags,
)
from kapwa.demo.extras import TAG_COLORS
from kapwa.demo.model import Plan
from kapwa.demo.platforms import SOURCES

Progress = Callable[[str, int, int], None]
BATCH = 2000
EMAIL_PLATFORMS = ("discourse", "email")


def _noop(step: str, done: int, total: int) -> None:
    pass


def insert_rows(session: Session, model, rows: list[dict], step: str, progress: Progress,
                returning: bool = True) -> list[int]:
    """Insert ``rows`` in batches; return the new ids in the order of ``rows``."""
    ids: list[int] = []
    total = len(rows)
    progress(step, 0, total)
    for start in range(0, total, BATCH):
        chunk = rows[start:start + BATCH]
        if returning:
            table = model.__table__
            result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
            ids.extend(result.scalars().all())
        else:
            session.execute(insert(model.__table__), chunk)
        progress(step, min(start + BATCH, total), total)
    return ids


def _ids_by_key(session: Session, key_col, id_col, source_col, source_ids: dict[str, int]) -> dict[tuple, int]:
    rows = session.execute(select(source_col, key_col, id_col).where(source_col.in_(list(source_ids.values()))))
    return {(source_id, key): id_ for source_id, key, id_ in rows}


def write_plan(session: Session, plan: Plan, workspace_id: int, users: dict[str, int],
               progress: Progress | None = None) -> dict[str, int]:
    progress = progress or _noop
    now, ws = plan.now, workspace_id
    counts: dict[str, int] = {}

    # Sources: reuse one of the same kind and name, else connect it.
    source_ids: dict[str, int] = {}
    for i, (platform, (name, config)) in enumerate(SOURCES.items()):
        existing = session.scalar(select(Source.id).where(Source.workspace_id == ws, Source.kind == platform,
                                                          Source.name == name))
        if existing:
            source_ids[platform] = existing
            continue
        degraded = platform == "mastodon"
        source = Source(
            workspace_id=ws, kind=platform, name=name, config={**config, "demo": True}, enabled=True,
            health="degraded" if degraded else "ok",
            last_sync_at=now - dt.timedelta(minutes=3 + i), last_success_at=now - dt.timedelta(minutes=(41 if degraded else 3 + i)),
            last_error="HTTP 429 Too Many Requests from mastodon.social; backing off for 10 minutes" if degraded else None,
            last_error_at=now - dt.timedelta(minutes=3 + i) if degraded else None,
            items_last_sync=0 if degraded else 4 + 3 * i, consecutive_failures=2 if degraded else 0,
            next_sync_at=now + dt.timedelta(minutes=5 + i), created_at=plan.start - dt.timedelta(days=2),
        )
        session.add(source)
        session.flush()
        source_ids[platform] = source.id
    counts["sources"] = len(source_ids)

    # Members and identities.
    idents = plan.identities
    member_rows = []
    for m in plan.members:
        mine = [idents[i] for i in m.identities]
        email = next((i.email for i in mine if i.email), None)
        member_rows.append({
            "workspace_id": ws, "display_name": m.display_name, "email": email,
            "avatar_url": next((i.avatar_url for i in mine if i.avatar_url), None), "bio": m.bio,
            "location": m.location, "language": "en" if m.lang == "en" else ("tl" if m.idx % 5 < 4 else "en"),
            "first_seen_at": m.first_seen, "last_active_at": m.last_active, "message_count": m.message_count,
            "is_vip": m.is_vip, "is_blocked": m.is_blocked, "created_at": max(m.first_seen, plan.start),
        })
    member_ids = insert_rows(session, Member, member_rows, "Members", progress)
    identity_rows = [{
        "member_id": member_ids[i.member], "source_id": source_ids[i.platform], "platform": i.platform,
        "platform_user_id": i.platform_user_id, "handle": i.handle, "display_name": i.display_name, "email": i.email,
        "email_verified": i.email_verified, "profile_url": i.profile_url, "avatar_url": i.avatar_url, "raw": i.raw,
        "first_seen_at": i.first_seen, "last_seen_at": i.last_seen, "created_at": max(i.first_seen, plan.start),
    } for i in idents]
    identity_ids = insert_rows(session, Identity, identity_rows, "Identities", progress)
    counts["members"], counts["identities"] = len(member_ids), len(identity_ids)

    # Conversations (already in time order).
    conv_rows = []
    for c in plan.convs:
        msgs = c.messages
        inbound = [m.created_at for m in msgs if not m.staff]
        conv_rows.append({
            "workspace_id": ws, "source_id": source_ids[c.platform], "platform_thread_id": c.platform_thread_id,
            "title": c.title[:300], "channel": c.channel, "url": c.url, "status": c.status, "priority": c.priority,
            "assignee_id": users.get(c.assignee) if c.assignee else None,
            "started_by_member_id": member_ids[c.starter_member] if c.starter_member is not None else None,
            "is_direct": c.is_direct, "message_count": len(msgs), "first_message_at": msgs[0].created_at,
            "last_message_at": msgs[-1].created_at, "last_inbound_at": max(inbound) if inbound else None,
            "first_response_at": c.first_response_at, "resolved_at": c.resolved_at, "needs_answer": c.needs_answer,
            "created_at": min(now, msgs[0].created_at + dt.timedelta(minutes=2)),
        })
    insert_rows(session, Conversation, conv_rows, "Conversations", progress, returning=False)
    by_thread = _ids_by_key(session, Conversation.platform_thread_id, Conversation.id, Conversation.source_id,
                            source_ids)
    conv_ids = [by_thread[(r["source_id"], r["platform_thread_id"])] for r in conv_rows]
    counts["conversations"] = len(conv_ids)

    # Messages in time order, then their parents (a parent's id is known only once it is inserted).
    ordered = sorted(plan.messages(), key=lambda m: (m.created_at, m.conv, m.pos))
    message_rows = [{
        "workspace_id": ws, "source_id": source_ids[plan.convs[m.conv].platform], "conversation_id": conv_ids[m.conv],
        "platform_message_id": m.platform_message_id, "kind": m.kind,
        "direction": "outbound" if m.staff else "inbound",
        "author_identity_id": identity_ids[m.identity] if m.identity is not None else None,
        "member_id": member_ids[m.member] if m.member is not None else None,
        "sent_by_user_id": users[m.staff] if m.staff else None, "text": m.text, "url": m.url,
        "created_at": m.created_at, "ingested_at": min(now, m.created_at + dt.timedelta(seconds=40 + (m.pos * 37) % 400)),
        "edited_at": m.edited_at, "raw": m.raw,
    } for m in ordered]
    insert_rows(session, Message, message_rows, "Messages", progress, returning=False)
    by_pid = _ids_by_key(session, Message.platform_message_id, Message.id, Message.source_id, source_ids)
    new_ids = [by_pid[(r["source_id"], r["platform_message_id"])] for r in message_rows]
    message_ids = {(m.conv, m.pos): new_id for m, new_id in zip(ordered, new_ids, strict=True)}
    parents = [{"id": message_ids[(m.conv, m.pos)], "parent_id": message_ids[(m.conv, m.parent)]}
               for m in ordered if m.parent is not None]
    for start in range(0, len(parents), BATCH * 5):
        session.execute(update(Message), parents[start:start + BATCH * 5])
    counts["messages"] = len(new_ids)

    # Activities, oldest first.
    activity_rows = [{
        "workspace_id": ws, "member_id": member_ids[a.member],
        "identity_id": identity_ids[a.identity] if a.identity is not None else None,
        "source_id": source_ids[a.platform] if a.platform else None,
        "message_id": message_ids[a.message] if a.message else None,
        "platform_activity_id": a.platform_activity_id, "type": a.type, "occurred_at": a.occurred_at,
        "weight": a.weight, "title": a.title, "properties": a.properties, "created_at": min(now, a.occurred_at),
    } for a in sorted(plan.activities, key=lambda a: a.occurred_at)]
    insert_rows(session, Activity, activity_rows, "Activities", progress, returning=False)
    counts["activities"] = len(activity_rows)

    # Tags, notes and tasks.
    progress("Tags, notes and tasks", 0, 1)
    wanted = sorted({t for c in plan.convs for t in c.tags} | {t for _m, t in plan.member_tags})
    tag_ids = dict(session.execute(select(Tag.name, Tag.id).where(Tag.workspace_id == ws, Tag.name.in_(wanted))).all())
    missing = [{"workspace_id": ws, "name": name, "color": TAG_COLORS.get(name, "#5b6b7f"), "created_at": plan.start}
               for name in wanted if name not in tag_ids]
    if missing:
        tag_ids.update(zip([r["name"] for r in missing], insert_rows(session, Tag, missing, "Tags", _noop), strict=True))
    conv_tag_rows = [{"conversation_id": conv_ids[c.idx], "tag_id": tag_ids[t]} for c in plan.convs for t in c.tags]
    member_tag_rows = [{"member_id": member_ids[m], "tag_id": tag_ids[t]} for m, t in plan.member_tags]
    if conv_tag_rows:
        session.execute(insert(conversation_tags), conv_tag_rows)
    if member_tag_rows:
        session.execute(insert(member_tags), member_tag_rows)
    note_rows = [{
        "workspace_id": ws, "author_user_id": users[n.author], "body": n.body, "created_at": n.created_at,
        "member_id": member_ids[n.member] if n.member is not None else None,
        "conversation_id": conv_ids[n.conv] if n.conv is not None else None,
    } for n in plan.notes]
    task_rows = [{
        "workspace_id": ws, "title": t.title, "assignee_id": users[t.assignee], "created_by_id": users[t.created_by],
        "created_at": t.created_at, "due_at": t.due_at, "done_at": t.done_at,
        "member_id": member_ids[t.member] if t.member is not None else None,
        "conversation_id": conv_ids[t.conv] if t.conv is not None else None,
    } for t in plan.tasks]
    if note_rows:
        insert_rows(session, Note, note_rows, "Notes", _noop, returning=False)
    if task_rows:
        insert_rows(session, Task, task_rows, "Tasks", _noop, returning=False)
    counts.update(tags=len(wanted), conversation_tags=len(conv_tag_rows), member_tags=len(member_tag_rows),
                  notes=len(note_rows), tasks=len(task_rows))
    progress("Tags, notes and tasks", 1, 1)
    return counts
