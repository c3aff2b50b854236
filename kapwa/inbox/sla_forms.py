"""The service-level policy form: parse the posted fields into a :class:`PolicyInput` and check it, with one
clear message per field (the page shows each next to its input; the save action checks again).

Field names: ``source_id`` ("" = the workspace default), ``mode`` (own | default | off for a source;
own | off for the default), ``first_response_value`` + ``first_response_unit`` (minutes | hours | days),
``resolution_value`` + ``resolution_unit`` (empty = no resolution target), ``timezone``, ``schedule``
(always | hours), ``hours_<day>_<n>_start`` / ``_end`` (HH:MM; an end of 00:00 means midnight, the end of
the day), ``holidays`` (one YYYY-MM-DD per line, anything after the date is a comment), ``warn_at_percent``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from kapwa.core.i18n import gettext as _t
from kapwa.inbox.sla import N_, WEEKDAYS, format_hhmm, parse_business_hours, parse_hhmm, valid_timezone

UNITS = {"minutes": 1, "hours": 60, "days": 1440}
INTERVALS_PER_DAY = 3
MAX_TARGET_MINUTES = 365 * 1440
MAX_HOLIDAYS = 400
_DATE_AT_START = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\b")


@dataclass
class PolicyInput:
    source_id: int | None = None
    mode: str = "own"  # own: these targets; off: no targets; default (sources only): use the workspace default
    first_response_minutes: int = 120
    resolution_minutes: int = 1440
    timezone: str = "Asia/Manila"
    business_hours: dict = field(default_factory=dict)
    holidays: list[str] = field(default_factory=list)
    warn_at_percent: int = 75


@dataclass
class FormState:
    """What the form shows: the values as typed (so a mistake is not lost) and the errors by field."""

    values: dict
    errors: dict[str, str]


def _minutes(value: str, unit: str, name: str, errors: dict, required: bool) -> int:
    value = (value or "").strip().replace(",", ".")
    if not value:
        if required:
            errors[name] = _t(N_("Enter a target."))
        return 0
    if unit not in UNITS:
        errors[name] = _t(N_("Choose minutes, hours or days."))
        return 0
    try:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        errors[name] = _t(N_("Enter a number, for example 2 or 1.5."))
        return 0
    minutes = round(number * UNITS[unit])
    if number <= 0 or minutes < 1:
        errors[name] = _t(N_("The target must be at least one minute."))
    elif minutes > MAX_TARGET_MINUTES:
        errors[name] = _t(N_("The target must be at most 365 days."))
    return minutes


def _hours(form, errors: dict) -> dict:
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        spans = []
        for n in range(INTERVALS_PER_DAY):
            start = (form.get(f"hours_{day}_{n}_start") or "").strip()
            end = (form.get(f"hours_{day}_{n}_end") or "").strip()
            if not start and not end:
                continue
            key = f"hours_{day}"
            if not start or not end:
                errors.setdefault(key, _t(N_("Give both a start and an end time, or leave both empty.")))
                continue
            try:
                a, b = parse_hhmm(start), parse_hhmm(end)
            except ValueError:
                errors.setdefault(key, _t(N_("Times are HH:MM, for example 08:00.")))
                continue
            if b == 0:
                b = 24 * 60  # an end of 00:00 is midnight: the end of the day
            if b <= a:
                errors.setdefault(key, _t(N_("%(start)s–%(end)s ends before it starts."), start=start, end=end))
                continue
            spans.append([format_hhmm(a), format_hhmm(b)])
        if spans:
            hours[day] = spans
    if not any(k.startswith("hours") for k in errors):
        try:
            parse_business_hours(hours)
        except ValueError as exc:
            day = str(exc).split(":", 1)[0]
            errors[f"hours_{day}" if day in WEEKDAYS else "hours"] = _t(N_("These hours overlap."))
    return hours


def _holidays(text: str, errors: dict) -> list[str]:
    found: set[str] = set()
    for n, line in enumerate((text or "").replace(",", "\n").splitlines(), start=1):
        if not line.strip():
            continue
        m = _DATE_AT_START.match(line)
        try:
            if not m:
                raise ValueError
            found.add(dt.date.fromisoformat(m.group(1)).isoformat())
        except ValueError:
            errors.setdefault("holidays", _t(N_("Line %(n)s: “%(text)s” is not a date (YYYY-MM-DD)."), n=n,
                                               text=line.strip()[:40]))
    if len(found) > MAX_HOLIDAYS:
        errors["holidays"] = _t(N_("At most %(n)s holidays."), n=MAX_HOLIDAYS)
    return sorted(found)


def parse_policy_form(form, *, default_timezone: str = "Asia/Manila") -> tuple[PolicyInput, FormState]:
    """Parse a posted policy form (any mapping with ``get``). Errors are keyed by field name."""
    errors: dict[str, str] = {}
    values = {k: form.get(k) for k in form}
    data = PolicyInput()
    raw_source = (form.get("source_id") or "").strip()
    if raw_source:
        if not raw_source.isdigit():
            errors["source_id"] = _t(N_("Unknown source."))
        else:
            data.source_id = int(raw_source)
    data.mode = (form.get("mode") or "own").strip()
    allowed = ("own", "default", "off") if data.source_id is not None else ("own", "off")
    if data.mode not in allowed:
        errors["mode"] = _t(N_("Choose one of the options."))
    if data.mode != "own":
        return data, FormState(values, errors)
    data.first_response_minutes = _minutes(form.get("first_response_value"), form.get("first_response_unit") or
                                           "hours", "first_response", errors, required=True)
    data.resolution_minutes = _minutes(form.get("resolution_value"), form.get("resolution_unit") or "hours",
                                       "resolution", errors, required=False)
    if ("first_response" not in errors and "resolution" not in errors and data.resolution_minutes
            and data.resolution_minutes < data.first_response_minutes):
        errors["resolution"] = _t(N_("The resolution target cannot be shorter than the first-response target."))
    data.timezone = (form.get("timezone") or default_timezone).strip()
    if not valid_timezone(data.timezone):
        errors["timezone"] = _t(N_("Choose a time zone from the list."))
    schedule = (form.get("schedule") or "hours").strip()
    if schedule not in ("always", "hours"):
        errors["schedule"] = _t(N_("Choose around the clock or business hours."))
    elif schedule == "hours":
        data.business_hours = _hours(form, errors)
        if not data.business_hours and not any(k.startswith("hours") for k in errors):
            errors["hours"] = _t(N_("Give at least one day's hours, or choose around the clock."))
    data.holidays = _holidays(form.get("holidays") or "", errors)
    warn = (form.get("warn_at_percent") or "75").strip()
    if not warn.isdigit() or not 1 <= int(warn) <= 99:
        errors["warn_at_percent"] = _t(N_("Enter a whole number from 1 to 99."))
    else:
        data.warn_at_percent = int(warn)
    return data, FormState(values, errors)


def check(data: PolicyInput) -> dict[str, str]:
    """The same checks on an already-built input (the action's guard); {} when it is fine."""
    form = form_values(data)
    form["mode"] = data.mode
    if data.source_id is not None:
        form["source_id"] = str(data.source_id)
    _, state = parse_policy_form(form)
    return state.errors


def split_minutes(minutes: int) -> tuple[str, str]:
    """A target in the largest unit that shows it exactly: 120 → ("2", "hours")."""
    if not minutes:
        return "", "hours"
    for unit in ("days", "hours"):
        if minutes % UNITS[unit] == 0:
            return str(minutes // UNITS[unit]), unit
    if minutes % 30 == 0:
        return f"{minutes / 60:g}", "hours"
    return str(minutes), "minutes"


def holidays_text(dates: list[str]) -> str:
    """One date a line, with the holiday's name when it is a Philippine regular holiday."""
    from kapwa.core.i18n import gettext
    from kapwa.inbox.sla_holidays import holiday_name

    lines = []
    for d in sorted(dates):
        name = holiday_name(d)
        lines.append(f"{d}  {gettext(name)}" if name else d)
    return "\n".join(lines)


def form_values(policy) -> dict:
    """The form's field values for a saved policy (or a PolicyInput)."""
    fr, fr_unit = split_minutes(policy.first_response_minutes)
    res, res_unit = split_minutes(policy.resolution_minutes)
    values = {"first_response_value": fr, "first_response_unit": fr_unit, "resolution_value": res,
              "resolution_unit": res_unit, "timezone": policy.timezone,
              "schedule": "hours" if policy.business_hours else "always",
              "holidays": holidays_text(policy.holidays or []), "warn_at_percent": str(policy.warn_at_percent)}
    for day in WEEKDAYS:
        for n, (a, b) in enumerate((policy.business_hours or {}).get(day, [])[:INTERVALS_PER_DAY]):
            values[f"hours_{day}_{n}_start"] = a
            values[f"hours_{day}_{n}_end"] = "00:00" if b == "24:00" else b
    return values
