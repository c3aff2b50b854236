"""The figures on the workspace home page."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Conversation, Member, Message, Source, utcnow
from kapwa.inbox import sla_queries
from kapwa.inbox.sla import PolicyMap
from kapwa.inbox.sla_queries import SlaCounts, SourceResponse


@dataclass
class Overview:
    members: int = 0
    new_members_7d: int = 0
    messages_7d: int = 0
    messages_prev_7d: int = 0
    needs_attention: int = 0
    unanswered: int = 0
    median_first_response_h: float | None = None
    daily: list[tuple[dt.date, int]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    waiting: list[Conversation] = field(default_factory=list)
    top_members: list[tuple[Member, int]] = field(default_factory=list)
    # Service levels (kapwa/inbox/sla_queries.py): breaches and due-soon counts among open conversations,
    # and the median business time to first response over the last 7 days, overall and per source.
    sla: SlaCounts | None = None
    sla_policies: bool = False
    median_first_response_business_7d: float | None = None
    first_response_by_source: list[SourceResponse] = field(default_factory=list)

    @property
    def messages_change_pct(self) -> float | None:
        if not self.messages_prev_7d:
            return None
        return 100.0 * (self.messages_7d - self.messages_prev_7d) / self.messages_prev_7d

    @property
    def daily_max(self) -> int:
        return max((n for _, n in self.daily), default=0)


def overview(s: Session, workspace_id: int, now: dt.datetime | None = None, days: int = 30) -> Overview:
    now = now or utcnow()
    week, fortnight = now - dt.timedelta(days=7), now - dt.timedelta(days=14)
    ov = Overview()
    live = (Member.workspace_id == workspace_id, Member.merged_into_id.is_(None))
    ov.members = s.scalar(select(func.count()).select_from(Member).where(*live)) or 0
    ov.new_members_7d = s.scalar(select(func.count()).select_from(Member).where(*live, Member.first_seen_at >= week)) or 0
    in_ws = Message.workspace_id == workspace_id
    ov.messages_7d = s.scalar(select(func.count()).select_from(Message).where(in_ws, Message.created_at >= week)) or 0
    ov.messages_prev_7d = s.scalar(
        select(func.count()).select_from(Message).where(in_ws, Message.created_at >= fortnight, Message.created_at < week)
    ) or 0
    attention = (Conversation.workspace_id == workspace_id, Conversation.status.in_(("new", "open", "pending")))
    ov.needs_attention = s.scalar(select(func.count()).select_from(Conversation).where(*attention)) or 0
    ov.unanswered = s.scalar(
        select(func.count()).select_from(Conversation).where(*attention, Conversation.needs_answer.is_(True))
    ) or 0
    since = now - dt.timedelta(days=days)
    pairs = s.execute(
        select(Conversation.first_message_at, Conversation.first_response_at).where(
            Conversation.workspace_id == workspace_id,
            Conversation.first_response_at.is_not(None),
            Conversation.first_message_at >= since,
        )
    ).all()
    waits = [(b - a).total_seconds() / 3600 for a, b in pairs if a and b and b >= a]
    ov.median_first_response_h = statistics.median(waits) if waits else None
    # Messages per UTC day, grouped in the database.
    if s.get_bind().dialect.name == "sqlite":
        day = func.date(Message.created_at)
    else:
        day = func.date(func.timezone("UTC", Message.created_at))
    counts: dict[dt.date, int] = {}
    for d, n in s.execute(select(day, func.count()).where(in_ws, Message.created_at >= since).group_by(day)):
        counts[d if isinstance(d, dt.date) else dt.date.fromisoformat(d)] = n
    start = since.date()
    ov.daily = [(start + dt.timedelta(days=i), counts.get(start + dt.timedelta(days=i), 0)) for i in range(days + 1)]
    ov.sources = list(s.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name)))
    ov.waiting = list(
        s.scalars(
            select(Conversation)
            .where(*attention, Conversation.needs_answer.is_(True))
            .options(selectinload(Conversation.source), selectinload(Conversation.started_by))
            .order_by(Conversation.last_inbound_at.asc().nulls_last())
            .limit(8)
        )
    )
    pm = PolicyMap.load(s, workspace_id)
    ov.sla_policies = pm.default is not None or any(r.enabled for r in pm.by_source.values())
    ov.sla = sla_queries.counts(s, workspace_id, now, pm)
    ov.median_first_response_business_7d, by_source = sla_queries.first_response_by_source(
        s, workspace_id, now, days=7, pm=pm)
    ov.first_response_by_source = [r for r in by_source if r.answered or pm.for_source(r.source.id)]
    top = s.execute(
        select(Message.member_id, func.count().label("n"))
        .where(in_ws, Message.created_at >= week, Message.member_id.is_not(None))
        .group_by(Message.member_id)
        .order_by(func.count().desc())
        .limit(5)
    ).all()
    if top:
        by_id = {m.id: m for m in s.scalars(select(Member).where(Member.id.in_([t[0] for t in top])))}
        ov.top_members = [(by_id[mid], n) for mid, n in top if mid in by_id]
    return ov
