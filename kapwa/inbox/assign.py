"""Round-robin auto-assignment per source.

A manager picks, per source, the teammates who take turns (``Source.auto_assign_user_ids``, in rotation
order; set on the sources page). When the desk hook sees a conversation of that source that is new and
unassigned, it goes to the next active teammate after ``Source.last_assigned_user_id`` (the pointer), and
the pointer moves on. Deactivated teammates are skipped; an empty or all-inactive rotation assigns nothing.
Each assignment is audited ("Auto-assigned … (round-robin)") and notifies the teammate.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.actions import Actor, Tx
from kapwa.core.models import Conversation, Source, User
from kapwa.team.notifications import notify

log = logging.getLogger("kapwa.inbox")


def next_in_rotation(rotation: list[int], active: set[int], last: int | None) -> int | None:
    """The teammate after ``last`` in ``rotation`` who is active (wrapping around), or None."""
    people = [u for u in rotation if u in active]
    if not people:
        return None
    if last in rotation:
        start = rotation.index(last) + 1
        for uid in rotation[start:] + rotation[:start]:
            if uid in active:
                return uid
    return people[0]


def auto_assign(s: Session, ids: list[int], now: dt.datetime | None = None) -> int:
    """Assign the new, unassigned conversations among ``ids`` whose source has a rotation. Returns how many."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    rows = s.execute(
        select(Conversation.id, Conversation.source_id)
        .where(Conversation.id.in_(ids), Conversation.status == "new", Conversation.assignee_id.is_(None))
        .order_by(Conversation.id)
    ).all()
    if not rows:
        return 0
    by_source: dict[int, list[int]] = {}
    for cid, sid in rows:
        by_source.setdefault(sid, []).append(cid)
    with_rotation = [sid for sid, rot in s.execute(select(Source.id, Source.auto_assign_user_ids)
                                                   .where(Source.id.in_(list(by_source)))) if rot]
    if not with_rotation:
        return 0
    q = select(Source).where(Source.id.in_(with_rotation))
    if s.get_bind().dialect.name != "sqlite":
        q = q.with_for_update()  # two workers assigning for one source take turns on the pointer
    done = 0
    for src in s.scalars(q):
        rotation = [int(u) for u in (src.auto_assign_user_ids or []) if str(u).isdigit()]
        if not rotation:
            continue
        users = {u.id: u for u in s.scalars(select(User).where(
            User.id.in_(rotation), User.workspace_id == src.workspace_id, User.is_active.is_(True)))}
        tx = Tx(s, Actor.system(src.workspace_id))
        last = src.last_assigned_user_id
        for conv in s.scalars(select(Conversation).where(Conversation.id.in_(by_source[src.id]))
                              .order_by(Conversation.id)):
            uid = next_in_rotation(rotation, set(users), last)
            if uid is None:
                break
            conv.assignee_id = uid
            last = uid
            done += 1
            name = users[uid].name
            tx.audit("conversation.auto_assign", conv, f"{conv.title[:60]}: auto-assigned to {name} (round-robin on "
                     f"{src.name})", {"assignee_id": [None, uid]})
            notify(tx, [uid], "assigned", f"New conversation assigned to you: {conv.title[:120]}",
                   f"/conversations/{conv.id}")
        src.last_assigned_user_id = last
    s.flush()
    if done:
        log.info("auto-assigned %d conversations", done)
    return done
