"""Keep conversations' service-level columns current: ``first_response_due_at``, ``resolution_due_at`` and
``first_response_seconds`` (business seconds from the question to the first response).

The rules (docs/service-levels.md):

* The first-response target runs while a conversation is not resolved or spam, is flagged ``needs_answer``
  (someone is waiting: kapwa/inbox/signals.py) and has no first response — exactly the conversations of the
  unanswered-questions queue. Once answered, a question (an inbound message the analysis flagged
  ``needs_answer``, or one that had a due time) keeps its due time while open, and its resolution target.
* The resolution target runs for open conversations that need an answer or are such answered questions.
* The first-response clock starts at the first inbound message that needs an answer (else the first message)
  and the due time is that start plus the policy's first-response target in business time. It is kept once
  the first response came, so the conversation page can say whether it was met.
* The resolution clock starts at the first message.
* ``first_response_seconds`` is recorded for every answered conversation (tracked or not, any status) in the
  policy's business time — around the clock when no policy applies.
* Resolved and spam conversations have no due times; reopening one recomputes them.

Set-based: three queries per batch (conversations, first questions, policies) and one executemany UPDATE of
the rows that changed.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Message, utcnow
from kapwa.inbox.sla import CLOSED, PolicyMap, Rules, add_business_time, business_seconds_between

log = logging.getLogger("kapwa.inbox")
CHUNK = 500
_COLUMNS = (Conversation.id, Conversation.workspace_id, Conversation.source_id, Conversation.status,
            Conversation.needs_answer, Conversation.first_message_at, Conversation.last_inbound_at,
            Conversation.first_response_at, Conversation.first_response_due_at, Conversation.resolution_due_at,
            Conversation.first_response_seconds)


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):  # an aggregate over a SQLite column comes back as text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def first_questions(s: Session, conversation_ids: list[int]) -> dict[int, dt.datetime]:
    """{conversation id: when its first inbound message that needs an answer was written}."""
    rows = s.execute(
        select(Message.conversation_id, func.min(Message.created_at))
        .where(Message.conversation_id.in_(conversation_ids), Message.direction == "inbound",
               Message.needs_answer.is_(True))
        .group_by(Message.conversation_id)
    )
    return {cid: _aware(at) for cid, at in rows}


def clock_start(row, asked: dt.datetime | None) -> dt.datetime | None:
    """When the first-response clock started for a conversation row."""
    start = asked
    if start is not None and row.first_response_at is not None and row.first_response_at < start:
        start = None  # the first response came before that question: it answered the opening message
    return start or row.first_message_at or row.last_inbound_at


def compute(row, asked: dt.datetime | None, rules: Rules | None) -> dict:
    """The service-level columns one conversation row should have."""
    start = clock_start(row, asked)
    is_open = row.status not in CLOSED and start is not None
    waiting = bool(row.needs_answer) and row.first_response_at is None
    # An answered question stays tracked (for "met in …" and its resolution) while it is open.
    answered = row.first_response_at is not None and (asked is not None or row.first_response_due_at is not None)
    fr_due = res_due = None
    if is_open and rules is not None:
        if rules.first_response_minutes > 0 and (waiting or answered):
            fr_due = add_business_time(start, rules.first_response_minutes, rules)
        if rules.resolution_minutes > 0 and (row.needs_answer or answered):
            res_due = add_business_time(row.first_message_at or start, rules.resolution_minutes, rules)
    fr_secs = None
    if row.first_response_at is not None and start is not None:
        fr_secs = business_seconds_between(start, row.first_response_at, rules)
    return {"first_response_due_at": fr_due, "resolution_due_at": res_due, "first_response_seconds": fr_secs}


def apply_sla(s: Session, conversation_ids: list[int], now: dt.datetime) -> int:
    """Bring these conversations' service-level columns up to date; returns how many rows changed."""
    changed = 0
    maps: dict[int, PolicyMap] = {}
    ids = sorted(set(conversation_ids))
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        rows = s.execute(select(*_COLUMNS).where(Conversation.id.in_(chunk))).all()
        asked = first_questions(s, chunk)
        updates = []
        for row in rows:
            pm = maps.get(row.workspace_id)
            if pm is None:
                pm = maps[row.workspace_id] = PolicyMap.load(s, row.workspace_id)
            try:
                want = compute(row, asked.get(row.id), pm.for_source(row.source_id))
            except ValueError:
                log.exception("service levels: cannot compute due times of conversation %s", row.id)
                continue
            if any(getattr(row, k) != v for k, v in want.items()):
                updates.append({"id": row.id, **want})
        if updates:
            s.execute(update(Conversation), updates)
            changed += len(updates)
    return changed


def refresh_sla(rt, conversation_ids: list[int]) -> int:
    """:func:`apply_sla` in its own write transaction (after a reply was sent or a status changed)."""
    if not conversation_ids:
        return 0
    with rt.db.write_sessions() as s, s.begin():
        return apply_sla(s, list(conversation_ids), utcnow())


RECENT = dt.timedelta(days=30)


def open_conversation_ids(s: Session, workspace_id: int, source_ids: list[int] | None = None,
                          exclude_source_ids: list[int] | None = None) -> list[int]:
    """Conversations a policy change may move: not resolved or spam (their due times), or first answered in
    the last 30 days (their business-time first response, which the home page's medians use)."""
    recent = Conversation.first_response_at >= utcnow() - RECENT
    q = select(Conversation.id).where(Conversation.workspace_id == workspace_id,
                                      Conversation.status.not_in(CLOSED) | recent)
    if source_ids is not None:
        q = q.where(Conversation.source_id.in_(source_ids))
    if exclude_source_ids:
        q = q.where(Conversation.source_id.not_in(exclude_source_ids))
    return list(s.scalars(q.order_by(Conversation.id)))


def affected_by(s: Session, workspace_id: int, source_id: int | None) -> list[int]:
    """Conversations a change to this policy (a source's, or the default when None) may move."""
    if source_id is not None:
        return open_conversation_ids(s, workspace_id, [source_id])
    from kapwa.core.models import SlaPolicy

    own = list(s.scalars(select(SlaPolicy.source_id).where(SlaPolicy.workspace_id == workspace_id,
                                                           SlaPolicy.source_id.is_not(None))))
    return open_conversation_ids(s, workspace_id, exclude_source_ids=own)
