"""Service levels: business-time maths, which policy applies, and where a conversation stands.

A policy (:class:`~kapwa.core.models.SlaPolicy`) sets a first-response and a resolution target in minutes of
*business time*: the weekly business hours (several intervals a day; none at all = around the clock) in the
policy's time zone, minus whole local holiday dates. Everything here works on UTC-aware datetimes and lets
``zoneinfo`` convert each local interval, so a day on which the clocks change simply has more or fewer
business seconds.

* :func:`add_business_time` — when a target of N business minutes from ``start`` falls due.
* :func:`business_seconds_between` — how much business time lies between two instants.
* :func:`policy_for` / :class:`PolicyMap` — the policy of a source (its own, else the workspace default).
* :func:`sla_state` — ok / due soon / breached for display (badge, panel, notifications).
* :func:`apply_sla` / :func:`refresh_sla` — keep a conversation's due times and first-response time current
  (kapwa/inbox/sla_apply.py). The conversation-page panel is registered by kapwa/inbox/sla_panel.py.

See docs/service-levels.md for the rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, SlaPolicy, Source, Workspace

log = logging.getLogger("kapwa.inbox")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
MAX_DAYS = 3 * 366  # a target that finds no business time within three years is a broken policy
CLOSED = ("resolved", "spam")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


# --------------------------------------------------------------------------------------------- rules


@dataclass(frozen=True, eq=False)
class Rules:
    """A policy reduced to what the maths needs (hashable, with a per-instance day cache).

    ``hours``: seven tuples (Monday first) of ``(start_minute, end_minute)`` in local time, end up to 1440;
    all empty = around the clock. ``holidays``: local dates that count as closed all day.
    """

    timezone: str = "UTC"
    hours: tuple[tuple[tuple[int, int], ...], ...] = ()
    holidays: frozenset[dt.date] = frozenset()
    first_response_minutes: int = 0
    resolution_minutes: int = 0
    warn_at_percent: int = 75
    policy_id: int | None = None
    source_id: int | None = None
    enabled: bool = True
    _days: dict = field(default_factory=dict, repr=False)

    @property
    def around_the_clock(self) -> bool:
        return not self.hours and not self.holidays

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The business intervals of one local date, as UTC instants (cached)."""
        found = self._days.get(day)
        if found is None:
            found = []
            if day not in self.holidays:
                spans = self.hours[day.weekday()] if self.hours else ((0, DAY_MINUTES),)
                tz = self.tz
                for a, b in spans:
                    start, end = _instant(day, a, tz), _instant(day, b, tz)
                    if end > start:
                        found.append((start, end))
            if len(self._days) > 50_000:
                self._days.clear()
            self._days[day] = found
        return found

    def day_seconds(self, day: dt.date) -> float:
        """All the business seconds of one local date (cached)."""
        key = ("total", day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = sum((b - a).total_seconds() for a, b in self.intervals(day))
        return found

    def warn_seconds(self, target_minutes: int) -> float:
        """A target is "due soon" once this much business time (or less) is left."""
        return target_minutes * 60 * (100 - self.warn_at_percent) / 100


def _instant(day: dt.date, minute: int, tz: ZoneInfo) -> dt.datetime:
    """Local wall-clock ``minute`` of ``day`` (1440 = the next midnight) as a UTC instant. A time the clocks
    skip (spring forward) is read with the offset before the change, as PEP 495 does for ``fold=0``."""
    if minute >= DAY_MINUTES:
        day, minute = day + dt.timedelta(days=1), 0
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return local.astimezone(dt.UTC)


def parse_hhmm(value: str) -> int:
    """"08:30" → 510; "24:00" is allowed (the end of the day)."""
    m = _HHMM.match((value or "").strip())
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00–24:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_business_hours(hours: dict | None) -> tuple[tuple[tuple[int, int], ...], ...]:
    """``{"mon": [["09:00", "18:00"], …], …}`` → seven sorted tuples of minute spans; () when there are none.

    Intervals must have start < end and must not overlap; raises ValueError naming the day otherwise."""
    hours = hours or {}
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekday {sorted(unknown)[0]!r}")
    week: list[tuple[tuple[int, int], ...]] = []
    for day in WEEKDAYS:
        spans = sorted((parse_hhmm(a), parse_hhmm(b)) for a, b in (hours.get(day) or []))
        for i, (a, b) in enumerate(spans):
            if b <= a:
                raise ValueError(f"{day}: {format_hhmm(a)}–{format_hhmm(b)} ends before it starts")
            if i and a < spans[i - 1][1]:
                raise ValueError(f"{day}: intervals overlap")
        week.append(tuple(spans))
    return tuple(week) if any(week) else ()


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=256)
def _rules_cached(timezone: str, hours_json: str, holidays: tuple[str, ...], fr: int, res: int, warn: int,
                  policy_id: int | None, source_id: int | None, enabled: bool) -> Rules:
    if not valid_timezone(timezone):
        raise ValueError(f"unknown time zone {timezone!r}")
    return Rules(timezone=timezone, hours=parse_business_hours(json.loads(hours_json)),
                 holidays=frozenset(dt.date.fromisoformat(d) for d in holidays), first_response_minutes=fr,
                 resolution_minutes=res, warn_at_percent=warn, policy_id=policy_id, source_id=source_id,
                 enabled=enabled)


def rules_of(policy: SlaPolicy | Rules | dict | None) -> Rules:
    """The :class:`Rules` of a policy row (or a dict of its fields); None is around the clock in UTC."""
    if policy is None:
        return Rules()
    if isinstance(policy, Rules):
        return policy
    get = policy.get if isinstance(policy, dict) else lambda k, d=None: getattr(policy, k, d)
    return _rules_cached(
        get("timezone") or "UTC",
        json.dumps(get("business_hours") or {}, sort_keys=True),
        tuple(sorted(str(d) for d in (get("holidays") or []))),
        int(get("first_response_minutes") or 0),
        int(get("resolution_minutes") or 0),
        int(get("warn_at_percent", 75) if get("warn_at_percent", 75) is not None else 75),
        get("id"),
        get("source_id"),
        bool(get("enabled", True)),
    )


# --------------------------------------------------------------------------------------------- maths


def _check(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("business-time maths needs timezone-aware datetimes")
    return value.astimezone(dt.UTC)


def add_business_time(start: dt.datetime, minutes: float, policy: SlaPolicy | Rules | dict | None = None
                      ) -> dt.datetime:
    """The instant at which ``minutes`` of business time have passed since ``start`` (UTC).

    Time outside business hours and on holidays does not count: a question at 19:50 with 30 minutes to go
    and hours ending at 20:00 is due 20 minutes after opening the next business day."""
    start = _check(start)
    rules = rules_of(policy)
    remaining = dt.timedelta(minutes=minutes)
    if remaining <= dt.timedelta(0):
        return start
    if rules.around_the_clock:
        return start + remaining
    day = start.astimezone(rules.tz).date()
    for _ in range(MAX_DAYS):
        for a, b in rules.intervals(day):
            if b <= start:
                continue
            a = max(a, start)
            if b - a >= remaining:
                return a + remaining
            remaining -= b - a
        day += dt.timedelta(days=1)
    raise ValueError("the policy has no business time in the next three years")


def business_seconds_between(a: dt.datetime, b: dt.datetime, policy: SlaPolicy | Rules | dict | None = None) -> int:
    """Whole seconds of business time from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
    a, b = _check(a), _check(b)
    if b <= a:
        return 0
    rules = rules_of(policy)
    if rules.around_the_clock:
        return int((b - a).total_seconds())
    tz = rules.tz
    first, last = a.astimezone(tz).date(), b.astimezone(tz).date()
    total = 0.0
    one = dt.timedelta(days=1)
    for day in (first, last) if last > first else (first,):
        for x, y in rules.intervals(day):
            lo, hi = max(x, a), min(y, b)
            if hi > lo:
                total += (hi - lo).total_seconds()
    day = first + one
    while day < last:  # whole days in between: their cached totals
        total += rules.day_seconds(day)
        day += one
    return int(total + 1e-6)  # whole seconds; the epsilon absorbs float sums of exact seconds


# --------------------------------------------------------------------------------------------- policies


@dataclass
class PolicyMap:
    """Every policy of a workspace, to resolve many sources without a query each."""

    default: Rules | None = None
    by_source: dict[int, Rules] = field(default_factory=dict)
    rows: dict[int | None, SlaPolicy] = field(default_factory=dict)
    timezone: str = "Asia/Manila"  # the workspace's, for showing times

    @classmethod
    def load(cls, s: Session, workspace_id: int) -> PolicyMap:
        pm = cls(timezone=workspace_timezone(s, workspace_id))
        for p in s.scalars(select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id)):
            try:
                rules = rules_of(p)
            except (ValueError, TypeError, KeyError):  # a row written around the form: skip it, say so
                log.warning("service-level policy %s is invalid and is ignored", p.id, exc_info=True)
                continue
            pm.rows[p.source_id] = p
            if p.source_id is None:
                pm.default = rules if p.enabled else None
            else:
                pm.by_source[p.source_id] = rules
        return pm

    def for_source(self, source_id: int | None) -> Rules | None:
        """The source's own policy; a disabled one switches targets off for that source; else the default."""
        own = self.by_source.get(source_id) if source_id is not None else None
        if own is not None:
            return own if own.enabled else None
        return self.default

    def row_for_source(self, source_id: int | None) -> SlaPolicy | None:
        rules = self.for_source(source_id)
        return self.rows.get(rules.source_id) if rules is not None else None


def policy_for(s: Session, source_id: int | None, workspace_id: int | None = None) -> SlaPolicy | None:
    """The policy that applies to a source: its own (None if switched off), else the workspace default
    (when enabled), else None."""
    if workspace_id is None:
        workspace_id = s.scalar(select(Source.workspace_id).where(Source.id == source_id))
        if workspace_id is None:
            return None
    rows = {p.source_id: p for p in s.scalars(select(SlaPolicy).where(
        SlaPolicy.workspace_id == workspace_id,
        (SlaPolicy.source_id == source_id) | SlaPolicy.source_id.is_(None)))}
    own = rows.get(source_id) if source_id is not None else None
    if own is not None:
        return own if own.enabled else None
    default = rows.get(None)
    return default if default is not None and default.enabled else None


def workspace_timezone(s: Session, workspace_id: int) -> str:
    return s.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id)) or "Asia/Manila"


# --------------------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class SlaStatus:
    """Where a conversation stands against its most urgent open target.

    ``state`` is "ok", "due_soon" or "breached"; ``target`` "first_response" or "resolution"; ``seconds``
    the business time left (ok, due soon) or overdue (breached); ``wall_seconds`` the same on the clock."""

    state: str
    target: str
    due_at: dt.datetime
    seconds: int
    wall_seconds: int = 0  # the same on the clock: until the due time, or since it (breached)

    def __str__(self) -> str:
        return self.state


_SEVERITY = {"breached": 0, "due_soon": 1, "ok": 2}


def targets(conv: Any, rules: Rules) -> list[tuple[str, dt.datetime, int]]:
    """The open targets of a conversation (anything with the Conversation columns): (name, due, minutes)."""
    if getattr(conv, "status", None) in CLOSED:
        return []
    out = []
    if conv.first_response_at is None and conv.first_response_due_at is not None:
        out.append(("first_response", conv.first_response_due_at, rules.first_response_minutes))
    if conv.resolution_due_at is not None:
        out.append(("resolution", conv.resolution_due_at, rules.resolution_minutes))
    return out


def target_state(name: str, due: dt.datetime, minutes: int, now: dt.datetime, rules: Rules) -> SlaStatus:
    """One target: breached once ``now`` reaches the due time; due soon when at most
    (100 − warn_at_percent)% of the target is left, in business time."""
    wall = int(abs((now - due).total_seconds()))
    if now >= due:
        return SlaStatus("breached", name, due, business_seconds_between(due, now, rules), wall)
    left = business_seconds_between(now, due, rules)
    return SlaStatus("due_soon" if left <= rules.warn_seconds(minutes) else "ok", name, due, left, wall)


def sla_state(conv: Conversation | Any, now: dt.datetime, policy: SlaPolicy | Rules | dict | None
              ) -> SlaStatus | None:
    """The most urgent open target of ``conv`` (breached before due soon before ok; first response before
    resolution), or None when nothing is running (answered and resolved, closed, or no policy)."""
    if policy is None:
        return None
    rules = rules_of(policy)
    found = [target_state(name, due, minutes, now, rules) for name, due, minutes in targets(conv, rules)]
    if not found:
        return None
    return min(found, key=lambda st: (_SEVERITY[st.state], st.target != "first_response"))


def N_(message: str) -> str:  # marks a string for extraction; translated where it is used
    return message


_UNITS = {"lt": N_("<1 min"), "min": N_("%(m)s min"), "h": N_("%(h)s h"), "hmin": N_("%(h)s h %(m)s min"),
          "d": N_("%(d)s d"), "dh": N_("%(d)s d %(h)s h")}


def format_duration(seconds: float) -> str:
    """Compact, in the UI language: "<1 min", "25 min", "2 h", "2 h 30 min", "3 d 4 h"."""
    from kapwa.core.i18n import (
        gettext as tr,  # not "gettext": the extractor would take the dict keys as messages
    )

    minutes = int(seconds // 60)
    if minutes < 1:
        return tr(_UNITS["lt"])
    if minutes < 60:
        return tr(_UNITS["min"], m=minutes)
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return tr(_UNITS["h"], h=hours) if mins == 0 or hours >= 10 else tr(_UNITS["hmin"], h=hours,
                                                                                          m=mins)
    days, hours = divmod(hours, 24)
    return tr(_UNITS["d"], d=days) if hours == 0 else tr(_UNITS["dh"], d=days, h=hours)


# --------------------------------------------------------------------------------------------- desk hook


def apply_sla(s: Session, conversation_ids: list[int], now: dt.datetime) -> int:
    """The desk step: due times and first-response time for these conversations (kapwa/inbox/sla_apply.py)."""
    from kapwa.inbox.sla_apply import apply_sla as run

    return run(s, conversation_ids, now)


def refresh_sla(rt, conversation_ids: list[int]) -> int:
    """The same in its own write transaction, for callers that already committed (a reply was sent, a
    status changed)."""
    from kapwa.inbox.sla_apply import refresh_sla as run

    return run(rt, conversation_ids)


from kapwa.inbox import sla_panel  # noqa: F401  (registers the conversation-page panel)
