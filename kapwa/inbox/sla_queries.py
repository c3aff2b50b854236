"""Service-level reads: which conversations are breached or due soon (as SQL conditions the inbox, the home
page and the notification job share), the unanswered-questions queue, and first-response figures.

"Due soon" needs business time, which SQL cannot do; but it only depends on ``now`` and the policy, so each
policy contributes one horizon — ``add_business_time(now, warn window)`` — and a target is due soon when its
due time lies between now and its policy's horizon. One condition per policy, no per-row maths.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Conversation, Message, Source
from kapwa.core.models.analysis import TAGALOG_CODES
from kapwa.inbox.sla import PolicyMap, Rules, add_business_time, business_seconds_between
from kapwa.inbox.sla_apply import _aware

ATTENTION = ("new", "open", "pending")
C = Conversation


def _groups(pm: PolicyMap) -> list[tuple]:
    """(condition on the source, rules) for every policy that has targets on."""
    out = []
    explicit = list(pm.by_source)
    for source_id, rules in pm.by_source.items():
        if rules.enabled:
            out.append((C.source_id == source_id, rules))
    if pm.default is not None:
        out.append((C.source_id.not_in(explicit) if explicit else true(), pm.default))
    return out


def first_response_breached(now: dt.datetime):
    # Each comparison is guarded with IS NOT NULL so the condition is never NULL (it is negated below).
    return and_(C.first_response_at.is_(None), C.first_response_due_at.is_not(None), C.first_response_due_at <= now)


def resolution_breached(now: dt.datetime):
    return and_(C.resolution_due_at.is_not(None), C.resolution_due_at <= now)


def breached(now: dt.datetime):
    """Open conversations past a due time (first response not yet given, or resolution)."""
    return and_(C.status.in_(ATTENTION), or_(first_response_breached(now), resolution_breached(now)))


def _soon(pm: PolicyMap, now: dt.datetime, column, minutes_attr: str):
    parts = []
    for cond, rules in _groups(pm):
        horizon = add_business_time(now, rules.warn_seconds(getattr(rules, minutes_attr)) / 60, rules)
        parts.append(and_(cond, column <= horizon))
    return and_(column > now, or_(*parts)) if parts else false()


def first_response_due_soon(pm: PolicyMap, now: dt.datetime):
    return and_(C.first_response_at.is_(None), _soon(pm, now, C.first_response_due_at, "first_response_minutes"))


def resolution_due_soon(pm: PolicyMap, now: dt.datetime):
    return _soon(pm, now, C.resolution_due_at, "resolution_minutes")


def due_soon(pm: PolicyMap, now: dt.datetime):
    """Open conversations with a target due soon and none breached (what the badge calls "due in …")."""
    return and_(C.status.in_(ATTENTION), ~or_(first_response_breached(now), resolution_breached(now)),
                or_(first_response_due_soon(pm, now), resolution_due_soon(pm, now)))


def sla_condition(s: Session, workspace_id: int, state: str, now: dt.datetime):
    """The inbox's ``sla=breached|due_soon`` filter as one WHERE condition (for kapwa/inbox/queries.py)."""
    if state == "breached":
        return breached(now)
    if state == "due_soon":
        return due_soon(PolicyMap.load(s, workspace_id), now)
    raise ValueError(f"unknown service-level state {state!r}")


@dataclass
class SlaCounts:
    first_response_breached: int = 0
    resolution_breached: int = 0
    breached: int = 0
    due_soon: int = 0


def counts(s: Session, workspace_id: int, now: dt.datetime, pm: PolicyMap | None = None) -> SlaCounts:
    """How many open conversations are breached (by target) and due soon, in one pass."""
    pm = pm or PolicyMap.load(s, workspace_id)

    def n(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    row = s.execute(select(n(first_response_breached(now)), n(resolution_breached(now)), n(breached(now)),
                           n(due_soon(pm, now)))
                    .where(C.workspace_id == workspace_id, C.status.in_(ATTENTION))).one()
    return SlaCounts(*(int(v) for v in row))


@dataclass
class SourceResponse:
    source: Source
    answered: int
    median_seconds: float | None
    within_target: int | None  # answered within the first-response target (None: no target)

    @property
    def within_target_pct(self) -> float | None:
        if self.within_target is None or not self.answered:
            return None
        return 100.0 * self.within_target / self.answered


def first_response_by_source(s: Session, workspace_id: int, now: dt.datetime, days: int = 7,
                             pm: PolicyMap | None = None) -> tuple[float | None, list[SourceResponse]]:
    """Median business time to first response over the conversations first answered in the last ``days``,
    overall and per source (with how many met the source's current target)."""
    pm = pm or PolicyMap.load(s, workspace_id)
    rows = s.execute(select(C.source_id, C.first_response_seconds).where(
        C.workspace_id == workspace_id, C.first_response_at >= now - dt.timedelta(days=days),
        C.first_response_seconds.is_not(None)))
    by_source: dict[int, list[int]] = {}
    for source_id, secs in rows:
        by_source.setdefault(source_id, []).append(secs)
    everything = [v for vals in by_source.values() for v in vals]
    out = []
    sources = s.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name))
    for src in sources:
        vals = by_source.get(src.id, [])
        rules = pm.for_source(src.id)
        target = rules.first_response_minutes * 60 if rules is not None and rules.first_response_minutes else None
        out.append(SourceResponse(src, len(vals), statistics.median(vals) if vals else None,
                                  sum(1 for v in vals if v <= target) if target is not None else None))
    return (statistics.median(everything) if everything else None), out


# ------------------------------------------------------------------------------------------ unanswered


@dataclass
class Waiting:
    conversation: Conversation
    since: dt.datetime
    wall_seconds: float
    business_seconds: int | None  # None: no policy, so no business hours to count


def _asked_at():
    first = (select(func.min(Message.created_at))
             .where(Message.conversation_id == C.id, Message.direction == "inbound", Message.needs_answer.is_(True))
             .correlate(C).scalar_subquery())
    return func.coalesce(first, C.first_message_at, C.last_inbound_at)


def unanswered(s: Session, workspace_id: int, now: dt.datetime, *, source_id: int | None = None,
               language: str = "", page: int = 1, per_page: int = 50,
               pm: PolicyMap | None = None) -> tuple[list[Waiting], int]:
    """Questions nobody has answered yet (needs an answer, no first response, not resolved or spam), longest
    waiting first; with the waiting time on the wall clock and in the source policy's business time."""
    pm = pm or PolicyMap.load(s, workspace_id)
    conds = [C.workspace_id == workspace_id, C.status.in_(ATTENTION), C.needs_answer.is_(True),
             C.first_response_at.is_(None)]
    if source_id:
        conds.append(C.source_id == source_id)
    if language == "taglish":
        conds.append(C.is_taglish.is_(True))
    elif language:
        codes = TAGALOG_CODES if language == "tl" else (language,)
        conds += [C.language.in_(codes), or_(C.is_taglish.is_(None), C.is_taglish.is_(false()))]
    total = s.scalar(select(func.count()).select_from(C).where(*conds)) or 0
    since = _asked_at().label("since")
    rows = s.execute(
        select(C, since).where(*conds)
        .options(selectinload(C.source), selectinload(C.started_by), selectinload(C.assignee))
        .order_by(since.asc(), C.id.asc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    out = []
    for conv, at in rows:
        at = _aware(at) or now
        rules: Rules | None = pm.for_source(conv.source_id)
        out.append(Waiting(conv, at, max(0.0, (now - at).total_seconds()),
                           business_seconds_between(at, now, rules) if rules is not None else None))
    return out, total
