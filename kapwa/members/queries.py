"""Reads for the members list and member page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import (
    Identity,
    Member,
    Message,
    Tag,
    Workspace,
    member_tags,
    utcnow,
)

SORTS = {
    "active": (Member.last_active_at.desc().nulls_last(), Member.id.desc()),
    "messages": (Member.message_count.desc(), Member.id.desc()),
    "name": (Member.display_name.asc(), Member.id.asc()),
    "newest": (Member.first_seen_at.desc().nulls_last(), Member.id.desc()),
}


@dataclass
class MemberFilter:
    q: str = ""
    platform: str = ""
    tag: str = ""
    vip: bool = False
    sort: str = "active"
    page: int = 1
    per_page: int = 50


def list_members(s: Session, workspace_id: int, f: MemberFilter) -> tuple[list[Member], int]:
    q = select(Member).where(Member.workspace_id == workspace_id, Member.merged_into_id.is_(None))
    if f.q.strip():
        like = f"%{f.q.strip().lower()}%"
        q = q.where(
            or_(
                func.lower(Member.display_name).like(like),
                func.lower(Member.email).like(like),
                exists().where(Identity.member_id == Member.id, func.lower(Identity.handle).like(like)),
            )
        )
    if f.platform:
        q = q.where(exists().where(Identity.member_id == Member.id, Identity.platform == f.platform))
    if f.tag:
        q = q.where(
            exists().where(member_tags.c.member_id == Member.id, member_tags.c.tag_id == Tag.id, Tag.name == f.tag)
        )
    if f.vip:
        q = q.where(Member.is_vip.is_(True))
    total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = s.scalars(
        q.options(selectinload(Member.identities))
        .order_by(*SORTS.get(f.sort, SORTS["active"]))
        .offset((max(f.page, 1) - 1) * f.per_page)
        .limit(f.per_page)
    )
    return list(rows), total


def member(s: Session, workspace_id: int, member_id: int) -> Member | None:
    return s.scalar(
        select(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .options(selectinload(Member.identities).selectinload(Identity.source))
    )


@dataclass
class SentimentWeek:
    start: dt.date  # the Monday the week starts on, in the workspace's time zone
    average: float | None = None  # mean sentiment_score, -1 (negative) … +1 (positive); None without messages
    messages: int = 0


@dataclass
class SentimentTrend:
    weeks: list[SentimentWeek] = field(default_factory=list)  # oldest first, every week, with or without data
    messages: int = 0
    average: float | None = None  # over all the messages, not the mean of the weekly means
    lowest: SentimentWeek | None = None
    highest: SentimentWeek | None = None
    latest: SentimentWeek | None = None  # the most recent week with messages

    @property
    def with_data(self) -> list[SentimentWeek]:
        return [w for w in self.weeks if w.messages]


def sentiment_by_week(s: Session, workspace_id: int, member_id: int, weeks: int = 26,
                      now: dt.datetime | None = None) -> SentimentTrend:
    """A member's average sentiment per week over the last `weeks` weeks (the current one included).

    Grouping by week is dialect-specific in SQL, so this reads (created_at, sentiment_score) of the member's
    analysed messages in the window (ix_messages_member_created) and groups in Python: fine for one member.
    Weeks start on Monday in the workspace's time zone."""
    tz = ZoneInfo(s.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id)) or "UTC")
    today = (now or utcnow()).astimezone(tz).date()
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start_utc = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    rows = s.execute(
        select(Message.created_at, Message.sentiment_score).where(
            Message.member_id == member_id,  # not the workspace: that could steer the planner off the member's index
            Message.created_at >= start_utc,
            Message.sentiment_score.is_not(None),
            Message.deleted_at.is_(None),
        )
    )
    sums = [0.0] * weeks
    counts = [0] * weeks
    for created_at, score in rows:
        i = (created_at.astimezone(tz).date() - first).days // 7
        if 0 <= i < weeks:
            sums[i] += score
            counts[i] += 1
    trend = SentimentTrend()
    for i in range(weeks):
        n = counts[i]
        trend.weeks.append(SentimentWeek(first + dt.timedelta(weeks=i), sums[i] / n if n else None, n))
    data = trend.with_data
    if data:
        trend.messages = sum(counts)
        trend.average = sum(sums) / trend.messages
        trend.lowest = min(data, key=lambda w: w.average)
        trend.highest = max(data, key=lambda w: w.average)
        trend.latest = data[-1]
    return trend
