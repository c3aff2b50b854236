"""The service-level card at the top of the conversation page's side column: first response due / met in X /
breached by Y, resolution due, and which policy applies."""

from __future__ import annotations

from kapwa.core.i18n import gettext
from kapwa.core.models import utcnow
from kapwa.inbox.panels import panel
from kapwa.inbox.sla import (
    N_,
    WEEKDAYS,
    PolicyMap,
    Rules,
    SlaStatus,
    business_seconds_between,
    format_duration,
    format_hhmm,
    sla_state,
    target_state,
    workspace_timezone,
)

DAY_NAMES = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"),
             "sat": N_("Sat"), "sun": N_("Sun")}


def describe_hours(rules: Rules) -> str:
    """"Mon–Sat 08:00–20:00" / "Mon–Fri 09:00–12:00, 13:00–18:00; Sat 09:00–12:00" / "around the clock"."""
    if not rules.hours:
        return gettext(N_("around the clock"))
    groups: list[tuple[list[str], tuple]] = []
    for day, spans in zip(WEEKDAYS, rules.hours, strict=True):
        if not spans:
            continue
        if groups and groups[-1][1] == spans and WEEKDAYS.index(groups[-1][0][-1]) == WEEKDAYS.index(day) - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spans))
    parts = []
    for days, spans in groups:
        first, last = gettext(DAY_NAMES[days[0]]), gettext(DAY_NAMES[days[-1]])
        label = first if len(days) == 1 else f"{first}–{last}"
        parts.append(label + " " + ", ".join(f"{format_hhmm(a)}–{format_hhmm(b)}" for a, b in spans))
    return "; ".join(parts)


def describe_target(minutes: int) -> str:
    return format_duration(minutes * 60) if minutes > 0 else gettext(N_("none"))


def _target_view(name: str, conv, rules: Rules, status: SlaStatus | None, now) -> dict:
    """One row of the card: what to say about the first-response or resolution target."""
    minutes = rules.first_response_minutes if name == "first_response" else rules.resolution_minutes
    view = {"name": name, "target": describe_target(minutes), "state": None, "due_at": None, "text": None,
            "met": None}
    if name == "first_response":
        if conv.first_response_at is not None:
            secs = conv.first_response_seconds
            view["state"] = "met"
            view["took"] = format_duration(secs) if secs is not None else None
            view["met"] = None if secs is None or minutes <= 0 else secs <= minutes * 60
            view["at"] = conv.first_response_at
            return view
        due = conv.first_response_due_at
    else:
        if conv.status == "resolved" and conv.resolved_at and conv.first_message_at:
            secs = business_seconds_between(conv.first_message_at, conv.resolved_at, rules)
            view.update(state="met", took=format_duration(secs), at=conv.resolved_at,
                        met=None if minutes <= 0 else secs <= minutes * 60)
            return view
        due = conv.resolution_due_at
    if due is None:
        return view
    view["due_at"] = due
    st = status if status is not None and status.target == name else target_state(name, due, minutes, now, rules)
    view["state"], view["text"] = st.state, format_duration(st.wall_seconds if st.state == "breached" else st.seconds)
    return view


@panel("aside_top", "conversations/_sla.html", order=10)
def sla_panel(session, viewer, conversation, messages) -> dict:
    now = utcnow()
    pm = PolicyMap.load(session, conversation.workspace_id)
    rules = pm.for_source(conversation.source_id)
    tz = workspace_timezone(session, conversation.workspace_id)
    ctx = {"tz": tz, "rules": None, "policy_name": None, "can_edit": viewer.can("manager"), "now": now,
           "switched_off": conversation.source_id in pm.by_source}
    if rules is None:
        return ctx
    status = sla_state(conversation, now, rules)
    ctx.update(
        rules=rules,
        policy_name="source" if rules.source_id is not None else "default",
        source_name=conversation.source.name if conversation.source else "",
        hours=describe_hours(rules),
        status=status,
        first=_target_view("first_response", conversation, rules, status, now),
        resolution=_target_view("resolution", conversation, rules, status, now),
        holidays=len(rules.holidays),
    )
    return ctx
