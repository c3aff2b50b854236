"""A member's activity timeline across platforms: their messages and their other activities (joined, reacted,
attended…) interleaved by time, newest first, filterable by platform and type, keyset-paginated.

Ingest records a ``posted``/``replied`` activity for every stored message; the message itself is the richer
item (text, labels, link), so such activities are not listed twice. Each page reads at most ``limit + 1`` rows
from each table along ``ix_messages_member_created`` and ``ix_activities_member_occurred`` and merges them, so
the page costs the same for a member with ten messages or ten thousand.

Order and cursor: ``(at, k, id)`` descending, where k is 1 for a message and 0 for an activity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, false, not_, or_, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Activity, ActivityType, Message, Source

MESSAGE, ACTIVITY = 1, 0
MESSAGE_TYPES = ("message",)  # type filter for messages only
# Activity types listed as their own items (posted/replied ones that point at a stored message are the message).
OWN_MESSAGE_TYPES = (ActivityType.posted.value, ActivityType.replied.value)
TYPES = ("message", "activity", *[t.value for t in ActivityType if t.value not in OWN_MESSAGE_TYPES])


@dataclass
class TimelineItem:
    kind: str  # "message" | "activity"
    at: dt.datetime
    id: int
    source: Source | None
    message: Message | None = None
    activity: Activity | None = None

    @property
    def platform(self) -> str | None:
        return self.source.kind if self.source else None

    @property
    def key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, MESSAGE if self.kind == "message" else ACTIVITY, self.id)


@dataclass
class TimelinePage:
    items: list[TimelineItem] = field(default_factory=list)
    next_cursor: str | None = None  # pass as ``before`` for the next (older) page


def encode_cursor(key: tuple[dt.datetime, int, int]) -> str:
    at, k, ident = key
    micros = int(at.timestamp()) * 1_000_000 + at.microsecond
    return f"{micros}.{k}.{ident}"


def decode_cursor(cursor: str | None) -> tuple[dt.datetime, int, int] | None:
    """None for an absent or malformed cursor (the first page)."""
    if not cursor:
        return None
    try:
        micros, k, ident = (int(p) for p in cursor.split("."))
        if k not in (MESSAGE, ACTIVITY) or ident < 0:
            return None
        at = dt.datetime.fromtimestamp(micros // 1_000_000, dt.UTC).replace(microsecond=micros % 1_000_000)
    except (ValueError, OverflowError, OSError):
        return None
    return at, k, ident


def _before(ts_col, id_col, k: int, cursor: tuple[dt.datetime, int, int]):
    """Rows of kind k strictly after the cursor in (at, k, id) descending order."""
    at, ck, cid = cursor
    if k == MESSAGE:  # a message ties after the cursor only if the cursor is a message with a larger id
        tie = and_(ts_col == at, id_col < cid) if ck == MESSAGE else false()
    else:  # an activity ties after any message at that time, or an activity with a larger id
        tie = ts_col == at if ck == MESSAGE else and_(ts_col == at, id_col < cid)
    # The redundant "<= at" gives every planner an index range to start from, not a filter over the member's rows.
    return and_(ts_col <= at, or_(ts_col < at, tie))


def source_ids_for(s: Session, workspace_id: int, platform: str) -> list[int]:
    return list(s.scalars(select(Source.id).where(Source.workspace_id == workspace_id, Source.kind == platform)))


def member_timeline(s: Session, workspace_id: int, member_id: int, *, platform: str = "", type: str = "",
                    before: str | None = None, limit: int = 50) -> TimelinePage:
    """One page of the timeline of a member the caller has already found in ``workspace_id``.

    The message and activity reads filter on the member only: adding the workspace would let the planner pick
    ix_messages_ws_created and walk the whole workspace's history looking for this member's rows."""
    limit = max(1, min(limit, 200))
    cursor = decode_cursor(before)
    sources = source_ids_for(s, workspace_id, platform) if platform else None
    if sources is not None and not sources:
        return TimelinePage()
    want_messages = type in ("", "message")
    want_activities = type != "message"
    items: list[TimelineItem] = []
    if want_messages:
        q = select(Message).where(Message.member_id == member_id)
        if sources is not None:
            q = q.where(Message.source_id.in_(sources))
        if cursor:
            q = q.where(_before(Message.created_at, Message.id, MESSAGE, cursor))
        q = q.options(selectinload(Message.conversation)).order_by(Message.created_at.desc(), Message.id.desc())
        items += [TimelineItem("message", m.created_at, m.id, None, message=m) for m in s.scalars(q.limit(limit + 1))]
    if want_activities:
        q = select(Activity).where(Activity.member_id == member_id)
        if type and type != "activity":
            q = q.where(Activity.type == type)
        q = q.where(not_(and_(Activity.type.in_(OWN_MESSAGE_TYPES), Activity.message_id.is_not(None))))
        if sources is not None:
            q = q.where(Activity.source_id.in_(sources))
        if cursor:
            q = q.where(_before(Activity.occurred_at, Activity.id, ACTIVITY, cursor))
        q = q.options(selectinload(Activity.message)).order_by(Activity.occurred_at.desc(), Activity.id.desc())
        items += [TimelineItem("activity", a.occurred_at, a.id, None, activity=a)
                  for a in s.scalars(q.limit(limit + 1))]
    items.sort(key=lambda i: i.key, reverse=True)
    page = TimelinePage(items=items[:limit])
    if len(items) > limit:
        page.next_cursor = encode_cursor(page.items[-1].key)
    _attach_sources(s, page.items)
    return page


def _attach_sources(s: Session, items: list[TimelineItem]) -> None:
    ids = {i.message.source_id if i.message else i.activity.source_id for i in items} - {None}
    by_id = {src.id: src for src in s.scalars(select(Source).where(Source.id.in_(ids)))} if ids else {}
    for i in items:
        i.source = by_id.get(i.message.source_id if i.message else i.activity.source_id)


def platforms_of(s: Session, workspace_id: int, member_id: int) -> list[str]:
    """The platforms this member has identities on (the timeline's platform filter)."""
    from kapwa.core.models import Identity

    return sorted(set(s.scalars(select(Identity.platform).where(Identity.member_id == member_id))))
