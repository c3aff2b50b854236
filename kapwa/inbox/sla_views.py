"""Service-level pages: the settings page (``/settings/service-levels``: managers edit, analysts read) and the
unanswered-questions queue (``/inbox/unanswered``)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Role, SlaPolicy, utcnow
from kapwa.core.models.analysis import LANGUAGES
from kapwa.inbox import queries as inbox_q
from kapwa.inbox import sla_actions, sla_queries
from kapwa.inbox.sla import N_, WEEKDAYS, PolicyMap, workspace_timezone
from kapwa.inbox.sla_forms import INTERVALS_PER_DAY, UNITS, PolicyInput, form_values, parse_policy_form
from kapwa.inbox.sla_holidays import SOURCES as HOLIDAY_SOURCES
from kapwa.inbox.sla_holidays import ph_regular_holidays, preset_year
from kapwa.inbox.sla_panel import DAY_NAMES, describe_hours, describe_target
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

log = logging.getLogger("kapwa.inbox")
router = APIRouter(include_in_schema=False)
SETTINGS = "/settings/service-levels"
FLASH = {
    "saved": N_("Service levels saved"),
    "queued": N_("Service levels saved; due times of open conversations are being recomputed in the background"),
    "preset": N_("Service levels saved with the Philippine regular holidays added"),
    "deleted": N_("Policy deleted"),
}
# The default for a new policy: 2 h first response, 24 h resolution, Mon–Sat 08:00–20:00.
NEW_POLICY = PolicyInput(business_hours={d: [["08:00", "20:00"]] for d in WEEKDAYS[:6]})


def _timezones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def _entries(s: Session, workspace_id: int, tz: str, posted: tuple | None = None, open_key: str = "") -> list[dict]:
    """One entry per policy slot: the workspace default, then each source (own policy, default, or off)."""
    rows = {p.source_id: p for p in s.scalars(select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id))}
    slots = [None] + [src for src in inbox_q.sources(s, workspace_id)]
    out = []
    for src in slots:
        source_id = src.id if src is not None else None
        row = rows.get(source_id)
        if row is not None:
            mode = "own" if row.enabled else "off"
            values = form_values(row)
        else:
            mode = "default" if src is not None else "own"  # no default yet: the form proposes one
            fresh = NEW_POLICY if src is None else (rows.get(None) or NEW_POLICY)
            values = form_values(fresh)
            values["timezone"] = fresh.timezone if fresh is not NEW_POLICY else tz
        key = "default" if src is None else str(src.id)
        entry = {"key": key, "source": src, "row": row, "mode": mode,
                 "fields": values, "errors": {}, "open": posted is None and open_key == key}
        if posted is not None and posted[0] == source_id:
            state = posted[1]
            entry.update(fields={**values, **state.values}, errors=state.errors, open=True,
                         mode=state.values.get("mode") or mode)
        out.append(entry)
    return out


def _summary(pm: PolicyMap, entries: list[dict]) -> list[dict]:
    out = []
    for e in entries:
        src = e["source"]
        rules = pm.default if src is None else pm.for_source(src.id)
        follows = src is not None and e["row"] is None
        out.append({"entry": e, "rules": rules, "follows_default": follows,
                    "hours": describe_hours(rules) if rules else None,
                    "first": describe_target(rules.first_response_minutes) if rules else None,
                    "resolution": describe_target(rules.resolution_minutes) if rules else None})
    return out


def _page(request: Request, viewer: Viewer, s: Session, posted: tuple | None = None, status_code: int = 200,
          open_key: str = ""):
    ws = viewer.user.workspace_id
    tz = workspace_timezone(s, ws)
    entries = _entries(s, ws, tz, posted, open_key)
    pm = PolicyMap.load(s, ws)
    year = preset_year(utcnow().astimezone(ZoneInfo(tz)).date())
    return render(request, "sla/settings.html", {
        "entries": entries, "summary": _summary(pm, entries), "timezones": _timezones(), "weekdays": WEEKDAYS,
        "day_names": DAY_NAMES, "slots": range(INTERVALS_PER_DAY), "units": list(UNITS), "workspace_tz": tz,
        "preset_year": year, "preset_count": len(ph_regular_holidays(year)) if year else 0,
        "preset_source": HOLIDAY_SOURCES.get(year) if year else None, "can_edit": viewer.can(Role.manager),
    }, status_code=status_code)


@router.get(SETTINGS)
async def settings_page(request: Request, open: str = Query("", pattern=r"^(|default|\d+)$"),
                        viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return _page(request, viewer, s, open_key=open)


def _queue_recompute(request: Request, change: sla_actions.PolicyChange) -> None:
    try:
        request.app.state.jobs().enqueue("inbox.sla_recompute", workspace_id=change.workspace_id,
                                         source_id=change.source_id)
    except Exception:
        log.exception("could not queue the service-level recompute; running it now")
        from kapwa.inbox.sla_jobs import recompute

        recompute(get_rt(request), change.workspace_id, change.source_id)


@router.post(SETTINGS)
async def save_policy(request: Request, viewer: Viewer = Depends(require(Role.manager)),
                      s: Session = Depends(db)):
    form = await request.form()
    tz = workspace_timezone(s, viewer.user.workspace_id)
    data, state = parse_policy_form(form, default_timezone=tz)
    preset = form.get("preset") == "ph"
    if preset and not state.errors:
        year = preset_year(utcnow().date())
        data.holidays = sorted(set(data.holidays) | set(ph_regular_holidays(year) if year else []))
    if not state.errors:
        try:
            change = sla_actions.do_save_sla_policy(get_rt(request), viewer.actor(request), data)
        except ActionError as exc:
            state.errors[exc.field or "form"] = exc.message.split(": ", 1)[-1]
        else:
            if change.queued:
                _queue_recompute(request, change)
            key = change.source_id or "default"
            message = FLASH["queued"] if change.queued else FLASH["preset"] if preset else FLASH["saved"]
            return redirect(f"{SETTINGS}?open={key}#policy-{key}", message)
    return _page(request, viewer, s, posted=(data.source_id, state), status_code=400)


@router.post(SETTINGS + "/{policy_id}/delete")
async def delete_policy(policy_id: int, request: Request, viewer: Viewer = Depends(require(Role.manager))):
    try:
        change = sla_actions.do_delete_sla_policy(get_rt(request), viewer.actor(request), policy_id)
    except ActionError as exc:
        return redirect(SETTINGS, exc.message, "error")
    if change.queued:
        _queue_recompute(request, change)
    return redirect(SETTINGS, FLASH["deleted"])


@router.get("/inbox/unanswered")
async def unanswered_page(
    request: Request,
    source: int | None = Query(None, ge=1),
    language: str = Query("", pattern=f"^(|{'|'.join(LANGUAGES)})$"),
    page: int = Query(1, ge=1, le=100000),
    viewer: Viewer = Depends(require(Role.analyst)),
    s: Session = Depends(db),
):
    ws = viewer.user.workspace_id
    now = utcnow()
    pm = PolicyMap.load(s, ws)
    rows, total = sla_queries.unanswered(s, ws, now, source_id=source, language=language, page=page, pm=pm)
    return render(request, "sla/unanswered.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // 50)), "source": source,
        "language": language, "languages": LANGUAGES, "sources": inbox_q.sources(s, ws), "sla_policies": pm,
        "at": now, "tz": pm.timezone,
    })
