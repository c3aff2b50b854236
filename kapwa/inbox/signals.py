"""Conversation signals: what the inbox filters and sorts on, denormalised from the messages.

``refresh_conversations(s, ids, now)`` brings these conversation columns up to date (the desk hook calls it
after ingest and analysis, for each batch of up to 500 conversations):

* ``language``, ``is_taglish``, ``sentiment_label``, ``sentiment_score``, ``intent``: from the conversation's
  latest *analysed* inbound message (analysed, or labelled by a teammate) (what the member says now, not what they said three messages ago);
* ``toxicity_score``: the worst inbound toxicity so far (one toxic message is enough to want a moderator);
* ``last_outbound_at``: the team's latest reply (an outbound message, or one sent by a teammate);
* ``needs_answer``: the member is waiting for the team. True when, after the team's last reply, the latest
  inbound message needs an answer — or an earlier message of the same person does and they only added to
  it since ("Paano mag cash in?" then "ref 12345"). A different member writing after the question (a
  community answer) ends that run: then it is that message's own flag that counts. Messages the analysis
  has not seen yet keep what ingest decided, unless the team replied after them. Spam never needs an answer.

Three reads (an aggregate, the last messages of each conversation through a window function, the current
values) and one batched UPDATE of the rows that changed; the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, bindparam, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Message
from kapwa.core.models.base import UTCDateTime

log = logging.getLogger("kapwa.inbox")

# How many of each conversation's latest messages are read to decide needs_answer and the latest signals.
TAIL = 25
SIGNAL_FIELDS = ("language", "is_taglish", "sentiment_label", "sentiment_score", "intent")
UPDATED_FIELDS = (*SIGNAL_FIELDS, "toxicity_score", "last_outbound_at", "needs_answer")


def _is_team():
    return or_(Message.direction == "outbound", Message.sent_by_user_id.is_not(None))


def _aggregates(s: Session, ids: list[int]) -> dict[int, tuple[float | None, dt.datetime | None]]:
    """{conversation id: (worst inbound toxicity, latest team message time)}."""
    team = _is_team()
    q = (
        select(
            Message.conversation_id,
            func.max(case((and_(Message.direction == "inbound", ~team), Message.toxicity_score))),
            type_coerce(func.max(case((team, Message.created_at))), UTCDateTime()),
        )
        .where(Message.conversation_id.in_(ids), Message.deleted_at.is_(None))
        .group_by(Message.conversation_id)
    )
    return {cid: (tox, out) for cid, tox, out in s.execute(q)}


def _tails(s: Session, ids: list[int]) -> dict[int, list]:
    """The latest TAIL messages of each conversation, newest first."""
    rn = func.row_number().over(partition_by=Message.conversation_id,
                                order_by=(Message.created_at.desc(), Message.id.desc())).label("rn")
    inner = (
        select(Message.conversation_id, Message.created_at, Message.direction, Message.sent_by_user_id,
               Message.member_id, Message.author_identity_id, Message.needs_answer, Message.analyzed_at,
               *[getattr(Message, f) for f in SIGNAL_FIELDS], rn)
        .where(Message.conversation_id.in_(ids), Message.deleted_at.is_(None))
        .subquery()
    )
    rows = s.execute(select(inner).where(inner.c.rn <= TAIL).order_by(inner.c.conversation_id, inner.c.rn))
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(row.conversation_id, []).append(row)
    return out


def _latest_analysed(s: Session, ids: list[int]) -> dict[int, dict]:
    """For conversations whose last TAIL messages hold no analysed inbound one: the latest there is."""
    if not ids:
        return {}
    latest = (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.direction == "inbound",
               Message.sent_by_user_id.is_(None), Message.deleted_at.is_(None),
               or_(Message.analyzed_at.is_not(None), Message.language.is_not(None),
                   Message.sentiment_label.is_not(None), Message.intent.is_not(None)))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    q = (
        select(Conversation.id, *[getattr(Message, f) for f in SIGNAL_FIELDS])
        .join(Message, Message.id == latest)
        .where(Conversation.id.in_(ids))
    )
    return {row[0]: dict(zip(SIGNAL_FIELDS, row[1:], strict=True)) for row in s.execute(q)}


def _analysed(row) -> bool:
    """The analysis has seen this message (or a teammate labelled it)."""
    return row.analyzed_at is not None or any(getattr(row, f) is not None for f in ("language", "sentiment_label",
                                                                                     "intent"))


def _member_message(row) -> bool:
    return row.direction == "inbound" and row.sent_by_user_id is None


def _author(row):
    return row.member_id if row.member_id is not None else ("identity", row.author_identity_id)


def _needs_answer(tail: list, last_team: dt.datetime | None, current: bool) -> bool:
    inbound = [r for r in tail if _member_message(r) and (last_team is None or r.created_at > last_team)]
    if not inbound:
        return False  # nothing from members since the team last spoke
    latest = inbound[0]
    if latest.needs_answer is None and not _analysed(latest):
        return current  # not analysed yet: keep ingest's guess (the team has not replied since)
    author = _author(latest)
    for row in inbound:  # the latest message and the same person's run of messages before it
        if _author(row) != author:
            break
        if row.needs_answer:
            return True
    return False


def compute(tail: list, aggregate: tuple, current: dict, fallback: dict | None) -> dict:
    """The new signal values of one conversation (pure; see the module docstring)."""
    toxicity, last_team = aggregate
    signals = None
    for row in tail:
        if _member_message(row) and _analysed(row):
            signals = {f: getattr(row, f) for f in SIGNAL_FIELDS}
            break
    if signals is None:
        signals = fallback or {f: current[f] for f in SIGNAL_FIELDS}
    needs = False if current["status"] == "spam" else _needs_answer(tail, last_team, current["needs_answer"])
    return {**signals, "toxicity_score": toxicity, "last_outbound_at": last_team, "needs_answer": bool(needs)}


def refresh_conversations(s: Session, ids: list[int], now: dt.datetime | None = None) -> int:
    """Recompute the signals of these conversations; returns how many rows changed."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    changed = 0
    for i in range(0, len(ids), 500):
        changed += _refresh(s, ids[i : i + 500])
    return changed


def _refresh(s: Session, ids: list[int]) -> int:
    cols = [Conversation.id, Conversation.status, *[getattr(Conversation, f) for f in UPDATED_FIELDS]]
    current = {row.id: dict(row._mapping) for row in s.execute(select(*cols).where(Conversation.id.in_(ids)))}
    aggregates = _aggregates(s, ids)
    tails = _tails(s, ids)
    missing = [cid for cid in current if not any(_member_message(r) and _analysed(r) for r in tails.get(cid, ()))]
    fallbacks = _latest_analysed(s, [cid for cid in missing if len(tails.get(cid, ())) >= TAIL])
    params = []
    for cid, cur in current.items():
        new = compute(tails.get(cid, []), aggregates.get(cid, (None, None)), cur, fallbacks.get(cid))
        if any(new[f] != cur[f] for f in UPDATED_FIELDS):
            params.append({"_id": cid, **{f"_{f}": new[f] for f in UPDATED_FIELDS}})
    if params:
        table = Conversation.__table__
        stmt = table.update().where(table.c.id == bindparam("_id")).values(
            {f: bindparam(f"_{f}", type_=table.c[f].type) for f in UPDATED_FIELDS})
        s.execute(stmt, params)
    log.debug("signals: %d of %d conversations changed", len(params), len(ids))
    return len(params)
