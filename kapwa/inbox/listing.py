"""The inbox list: filters, sort and pages over conversations — the one query behind ``/inbox``,
``/conversations`` (the archive: every status, newest first), ``GET /api/v1/inbox`` and saved views.

Built to stay fast at a million messages: every filter reads a conversation column that the desk keeps
up to date (kapwa/inbox/signals.py), checked on the entries of ``ix_conversations_inbox`` (migration 0004),
or a list read once (a tag's conversations, a segment's members); only full-text search touches messages. The order always ends in ``id`` so pages are stable, and nothing counts every match:
the page asks for one row more than it shows, and the total is counted only up to :data:`COUNT_CAP`.

URL parameters (the same on the page, in the API and in a saved view's query string):
``status`` (``attention`` = new, open or pending, the inbox's default; ``all``, the archive's; or one status), ``source`` (id),
``assignee`` (``me``, ``none`` or a teammate id), ``tag``, ``language`` (en, tl, taglish), ``sentiment``,
``toxic=1``, ``intent``, ``needs_answer=1``, ``segment`` (``vip`` or an engagement segment), ``level``,
``since`` / ``until`` (YYYY-MM-DD, the last message's day in the workspace's time zone), ``q`` (full-text),
``sort`` (priority, waiting, newest, oldest), ``page``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, fields
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Conversation, ConversationStatus, Member, Tag, conversation_tags, utcnow
from kapwa.core.models.analysis import INTENTS, LANGUAGES, SENTIMENT_LABELS
from kapwa.core.search import conversation_match
from kapwa.inbox.queries import signal_conditions

ATTENTION = ("new", "open", "pending")
STATUSES = ConversationStatus.values()
SORTS = ("priority", "waiting", "newest", "oldest")
LEVELS = (1, 2, 3, 4)
PER_PAGE = 50
COUNT_CAP = 200
TRUE = ("1", "true", "on", "yes")
_ASSIGNEE = re.compile(r"^(|me|none|\d{1,12})$")
# Query parameters a filter is made of, in the order they are written back into URLs.
PARAMS = ("q", "status", "source", "assignee", "tag", "language", "sentiment", "toxic", "intent", "needs_answer",
          "segment", "level", "since", "until", "sla", "sort")
SLA_STATES = ("breached", "due_soon")


class FilterError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = f"{field}: {message}"


@dataclass
class InboxFilter:
    q: str = ""
    status: str = "attention"
    source: int | None = None
    assignee: str = ""
    tag: str = ""
    language: str = ""
    sentiment: str = ""
    toxic: bool = False
    intent: str = ""
    needs_answer: bool = False
    segment: str = ""
    level: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    sla: str = ""  # breached | due_soon (service levels, kapwa/inbox/sla_queries.py)
    sort: str = "priority"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_params(cls, params, *, default_status: str = "attention", default_sort: str = "priority") -> InboxFilter:
        """Validate URL parameters (a mapping; unknown keys are ignored). Raises FilterError."""
        get = lambda k: (params.get(k) or "").strip()  # noqa: E731
        f = cls(status=default_status, sort=default_sort)
        f.q = get("q")[:200]
        status = get("status") or default_status
        if status not in ("attention", "all", *STATUSES):
            raise FilterError("status", f"must be one of attention, all, {', '.join(STATUSES)}")
        f.status = status
        f.source = _int(get("source"), "source", 1)
        f.assignee = get("assignee")
        if not _ASSIGNEE.match(f.assignee):
            raise FilterError("assignee", "must be me, none or a teammate id")
        f.tag = get("tag").lower()[:60]
        f.language = _choice(get("language"), "language", LANGUAGES)
        f.sentiment = _choice(get("sentiment"), "sentiment", SENTIMENT_LABELS)
        f.intent = _choice(get("intent"), "intent", INTENTS)
        f.toxic = get("toxic").lower() in TRUE
        f.needs_answer = get("needs_answer").lower() in TRUE
        f.segment = get("segment").lower()[:40]
        f.level = _int(get("level"), "level", 0, 100)
        f.since, f.until = _date(get("since"), "since"), _date(get("until"), "until")
        f.sla = _choice(get("sla"), "sla", SLA_STATES)
        f.sort = _choice(get("sort"), "sort", SORTS) or default_sort
        f.page = _int(get("page"), "page", 1, 100000) or 1
        return f

    @classmethod
    def from_query_string(cls, query: str, **defaults) -> InboxFilter:
        return cls.from_params(dict(parse_qsl(query or "", keep_blank_values=False)), **defaults)

    def params(self, *, defaults: InboxFilter | None = None) -> dict[str, str]:
        """The parameters that differ from ``defaults`` (the inbox's), as strings: for links and saved views."""
        base = defaults or InboxFilter()
        out: dict[str, str] = {}
        for name in PARAMS:
            value = getattr(self, name)
            if value == getattr(base, name) or value is None or value is False or value == "":
                continue
            out[name] = "1" if value is True else (value.isoformat() if isinstance(value, dt.date) else str(value))
        return out

    def query_string(self, **kw) -> str:
        return urlencode(self.params(**kw))

    @property
    def more_filters(self) -> bool:
        """Any of the filters kept under "More filters" is set (the page opens that section)."""
        return bool(self.tag or self.language or self.sentiment or self.toxic or self.intent or self.segment
                    or self.level is not None or self.since or self.until)

    def copy(self, **changes) -> InboxFilter:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return InboxFilter(**values)


def _int(value: str, field: str, low: int, high: int = 10**12) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not (low <= int(value) <= high):
        raise FilterError(field, f"must be a whole number from {low}")
    return int(value)


def _choice(value: str, field: str, allowed) -> str:
    if value and value not in allowed:
        raise FilterError(field, f"must be one of {', '.join(allowed)}")
    return value


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(field, "must be a date, YYYY-MM-DD") from None


@dataclass
class InboxPage:
    rows: list[Conversation]
    page: int
    per_page: int
    has_next: bool
    total: int  # exact when not capped
    capped: bool  # more than COUNT_CAP match; total is COUNT_CAP

    @property
    def pages(self) -> int | None:
        return None if self.capped else max(1, -(-self.total // self.per_page))


def _day_start(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def conditions(s: Session, workspace_id: int, f: InboxFilter, *, viewer_id: int | None, tz: str) -> list:
    """The WHERE clauses of a filter (all on conversations, except search)."""
    c = Conversation
    where = [c.workspace_id == workspace_id]
    if f.status == "attention":
        where.append(c.status.in_(ATTENTION))
    elif f.status != "all":
        where.append(c.status == f.status)
    if f.source:
        where.append(c.source_id == f.source)
    if f.assignee == "me":
        where.append(c.assignee_id == (viewer_id or -1))
    elif f.assignee == "none":
        where.append(c.assignee_id.is_(None))
    elif f.assignee:
        where.append(c.assignee_id == int(f.assignee))
    if f.tag:  # an IN, so the planner may start from the tag's conversations when the tag is rare
        tag_id = select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.name == f.tag).scalar_subquery()
        where.append(c.id.in_(select(conversation_tags.c.conversation_id).where(conversation_tags.c.tag_id == tag_id)))
    where += signal_conditions(c, language=f.language, sentiment=f.sentiment, toxic=f.toxic, intent=f.intent,
                               needs_answer=f.needs_answer)
    member = []
    if f.segment == "vip":
        member.append(Member.is_vip.is_(True))
    elif f.segment:
        member.append(Member.segment == f.segment)
    if f.level is not None:
        member.append(Member.level == f.level)
    if member:  # the members, read once (ix_members_ws_segment / _level / _vip), not a lookup per conversation
        where.append(c.started_by_member_id.in_(select(Member.id).where(Member.workspace_id == workspace_id, *member)))
    if f.since:
        where.append(c.last_message_at >= _day_start(f.since, tz))
    if f.until:
        where.append(c.last_message_at < _day_start(f.until + dt.timedelta(days=1), tz))
    if f.sla:
        from kapwa.inbox.sla_queries import sla_condition

        where.append(sla_condition(s, workspace_id, f.sla, utcnow()))
    if f.q:
        match = conversation_match(s, f.q)
        if match is not None:
            where.append(match)
    return where


def ordering(sort: str) -> tuple:
    c = Conversation
    if sort == "waiting":  # longest-waiting member first
        return (c.last_inbound_at.is_(None), c.last_inbound_at.asc(), c.id.asc())
    if sort == "newest":
        return (c.last_message_at.desc().nulls_last(), c.id.desc())
    if sort == "oldest":
        return (c.last_message_at.is_(None), c.last_message_at.asc(), c.id.asc())
    return (c.priority_score.desc(), c.id.desc())


def inbox_page(s: Session, workspace_id: int, f: InboxFilter, *, viewer_id: int | None = None,
               tz: str = "Asia/Manila", load: tuple | None = None) -> InboxPage:
    """One page of the inbox, and how many match (see the module docstring for what is counted). ``load``: the
    loader options of the rows' relationships (default: source, assignee, member and tags, each selectin)."""
    where = conditions(s, workspace_id, f, viewer_id=viewer_id, tz=tz)
    base = select(Conversation).where(and_(*where))
    if f.status != "all":
        # SQLite has no statistics: it would seek a one-column index (a source, an assignee, a tag's or a
        # search's ids) and read every row it finds; this index checks all filters on its entries (0004).
        base = base.with_hint(Conversation, "INDEXED BY ix_conversations_inbox", "sqlite")
    page = max(1, f.page)
    opts = load if load is not None else (selectinload(Conversation.source), selectinload(Conversation.assignee),
                                          selectinload(Conversation.started_by), selectinload(Conversation.tags))
    window = (page - 1) * f.per_page, f.per_page + 1
    if window[0] + f.per_page <= COUNT_CAP:
        # One pass over the matches, on index entries: the ids of up to COUNT_CAP + 1 of them in the page's order
        # give the page and the (capped) total, so filters and search run once; then the page's rows by id.
        ids = list(s.scalars(base.with_only_columns(Conversation.id).order_by(*ordering(f.sort))
                             .limit(COUNT_CAP + 1)))
        page_ids = ids[window[0] : window[0] + f.per_page]
        found = {r.id: r for r in s.scalars(select(Conversation).where(Conversation.id.in_(page_ids))
                                            .options(*opts))} if page_ids else {}
        capped = len(ids) > COUNT_CAP
        return InboxPage([found[i] for i in page_ids if i in found], page, f.per_page,
                         len(ids) > window[0] + f.per_page, COUNT_CAP if capped else len(ids), capped)
    matches = None
    if f.q and conversation_match(s, f.q) is not None:
        # A search finds every match before it can sort them anyway: count them in the same statement rather
        # than running the full-text search twice.
        found = s.execute(base.add_columns(func.count().over()).options(*opts).order_by(*ordering(f.sort))
                          .offset(window[0]).limit(window[1])).all()
        rows = [conv for conv, _ in found]
        matches = found[0][1] if found else None
    else:
        rows = list(s.scalars(base.options(*opts).order_by(*ordering(f.sort)).offset(window[0]).limit(window[1])))
    has_next = len(rows) > f.per_page
    rows = rows[: f.per_page]
    if matches is not None:
        total, capped = int(matches), False
    elif rows and not has_next:  # the last page: the total is known without counting
        total, capped = (page - 1) * f.per_page + len(rows), False
    elif not rows and page == 1:
        total, capped = 0, False
    else:
        total, capped = count(s, base, f.sort)
    return InboxPage(rows, page, f.per_page, has_next, total, capped)


def count(s: Session, base, sort: str = "priority") -> tuple[int, bool]:
    """(matches, capped): counts at most COUNT_CAP + 1 rows, walking them in the page's order (the rows the page
    just read are in cache, and matches cluster at the top of a priority sort)."""
    limited = base.with_only_columns(Conversation.id).order_by(*ordering(sort)).limit(COUNT_CAP + 1).subquery()
    n = s.scalar(select(func.count()).select_from(limited)) or 0
    return (COUNT_CAP, True) if n > COUNT_CAP else (n, False)


def tag_names(s: Session, conversation_ids: list[int]) -> dict[int, list[str]]:
    """The tags of these conversations, by name (as ``Conversation.tags`` orders them), in one query."""
    if not conversation_ids:
        return {}
    found: dict[int, list[str]] = {}
    for cid, name in s.execute(select(conversation_tags.c.conversation_id, Tag.name)
                               .join(Tag, Tag.id == conversation_tags.c.tag_id)
                               .where(conversation_tags.c.conversation_id.in_(conversation_ids))
                               .order_by(Tag.name)):
        found.setdefault(cid, []).append(name)
    return found


# Engagement segments present in a workspace, for the filter's choices (cached: it reads every member).
_SEGMENTS: dict[int, tuple[float, list[str]]] = {}


def segments(s: Session, workspace_id: int, ttl: float = 600) -> list[str]:
    hit = _SEGMENTS.get(workspace_id)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    found = sorted(s.scalars(select(Member.segment).where(Member.workspace_id == workspace_id,
                                                          Member.segment.is_not(None)).distinct().limit(50)))
    _SEGMENTS[workspace_id] = (time.monotonic(), found)
    return found
