"""The inbox page (``/inbox``), the all-conversations archive (``/conversations``), bulk actions and saved
views. Filters, sort and pages: kapwa/inbox/listing.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.i18n import gettext
from kapwa.core.models import Conversation, ConversationStatus, Priority, Role, Workspace, utcnow
from kapwa.core.models.analysis import INTENTS, LANGUAGES, SENTIMENT_LABELS
from kapwa.inbox import bulk, listing, priority, queries, saved_views
from kapwa.inbox.listing import FilterError, InboxFilter
from kapwa.team import queries as team_q
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)

@dataclass
class InboxRow:
    """One row, with what the template shows worked out in Python (cheaper than per-row template logic)."""

    c: Conversation
    reasons: list[tuple[str, int]]  # (label in the viewer's language, points)
    summary: str  # the tooltip: every reason with its points and the total
    waiting: str | None  # how long the member has been waiting for the team, e.g. "5 h", "3 d 4 h"


def _waited(since: dt.datetime | None, now: dt.datetime) -> str | None:
    if since is None:
        return None
    from kapwa.inbox.sla import format_duration  # the same compact durations as the service-level badges

    return format_duration(max(0.0, (now - since).total_seconds()))


INBOX_DEFAULTS = InboxFilter()
ARCHIVE_DEFAULTS = InboxFilter(status="all", sort="newest")


def _filter_params(request: Request, s: Session, viewer: Viewer):
    """The filter's parameters and the saved view they come from (``?view=ID`` alone loads its filters)."""
    params = dict(request.query_params)
    view = None
    if params.get("view"):
        if not params["view"].isdigit():
            raise HTTPException(422, "view: must be a saved view id")
        view = saved_views.visible_view(s, viewer.user.workspace_id, viewer.user.id, int(params["view"]))
        if view is None:
            raise HTTPException(404, "no such saved view")
        if not any(k in params for k in listing.PARAMS):
            page = params.get("page")
            params = dict(InboxFilter.from_query_string(view.query).params())
            if page:
                params["page"] = page
    return params, view


def _workspace_tz(s: Session, workspace_id: int) -> str:
    return s.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id)) or "Asia/Manila"


def inbox_context(request: Request, viewer: Viewer, s: Session, *, archive: bool) -> dict:
    ws = viewer.user.workspace_id
    defaults = ARCHIVE_DEFAULTS if archive else INBOX_DEFAULTS
    params, view = _filter_params(request, s, viewer)
    try:
        f = InboxFilter.from_params(params, default_status=defaults.status, default_sort=defaults.sort)
    except FilterError as exc:
        raise HTTPException(422, exc.message) from None
    result = listing.inbox_page(s, ws, f, viewer_id=viewer.user.id, tz=_workspace_tz(s, ws))
    views = saved_views.visible_views(s, ws, viewer.user.id)
    qs = f.query_string(defaults=defaults)
    link_qs = "&".join(p for p in (qs, f"view={view.id}" if view else "") if p)
    team = team_q.team(s, ws)
    now = utcnow()
    rows = [InboxRow(c, [(priority.reason_label(label), points) for label, points in c.priority_reasons or []],
                     priority.reasons_summary(c.priority_reasons), _waited(priority.waiting_since(c), now))
            for c in result.rows]
    return {
        "archive": archive, "action": "/conversations" if archive else "/inbox", "f": f, "result": result,
        "rows": rows, "current_view": view, "link_qs": link_qs,
        "save_query": f.query_string(), "views_personal": [v for v in views if v.owner_user_id is not None],
        "views_shared": [v for v in views if v.owner_user_id is None],
        "sources": queries.sources(s, ws), "team": team, "active_team": [u for u in team if u.is_active],
        "tags": queries.tags(s, ws), "statuses": ConversationStatus.values(), "priorities": Priority.values(),
        "languages": LANGUAGES, "sentiments": SENTIMENT_LABELS, "intents": INTENTS, "sorts": listing.SORTS,
        "segments": listing.segments(s, ws), "levels": listing.LEVELS,
        "status_labels": {st: gettext(st) for st in ConversationStatus.values()},
        "next_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }


@router.get("/inbox")
async def inbox(request: Request, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return render(request, "inbox/list.html", inbox_context(request, viewer, s, archive=False))


@router.get("/conversations")
async def conversations_archive(request: Request, viewer: Viewer = Depends(require(Role.analyst)),
                                s: Session = Depends(db)):
    """Every conversation, newest first, with the inbox's filters (status "all" unless chosen)."""
    return render(request, "conversations/list.html", inbox_context(request, viewer, s, archive=True))


def _back(next_url: str) -> str:
    return next_url if next_url.startswith(("/inbox", "/conversations")) and not next_url.startswith("//") \
        else "/inbox"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/inbox/bulk")
async def bulk_action(request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                      s: Session = Depends(db)):
    """The bulk toolbar (and the keyboard shortcuts e and a): selected ``ids`` + ``action`` + its field."""
    form = await request.form()
    action = str(form.get("action") or "")
    field = {"status": "status", "assign": "assignee", "priority": "priority", "tag": "tag",
             "untag": "tag"}.get(action)
    value = str(form.get(field) or "") if field else ""
    raw_ids = [str(i) for i in form.getlist("ids")]
    back = _back(str(form.get("next") or "/inbox"))
    try:
        if not all(i.isdigit() for i in raw_ids):
            raise ActionError("ids: must be conversation ids", field="ids")
        result = bulk.do_bulk(get_rt(request), viewer.actor(request), [int(i) for i in raw_ids], action, value)
    except ActionError as exc:
        if _wants_json(request):
            return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status_code)
        return redirect(back, exc.message, "error")
    n = len(result.changed)
    if _wants_json(request):
        names = {u.id: u.name for u in team_q.team(s, viewer.user.workspace_id)}
        assignee_id = viewer.user.id if value == "me" else (int(value) if value.isdigit() else None)
        return {"action": action, "changed": result.changed, "missing": result.missing,
                "status": "resolved" if action == "resolve" else (value if action == "status" else None),
                "assignee_id": assignee_id if action == "assign" else None,
                "assignee_name": names.get(assignee_id) if action == "assign" else None}
    return redirect(back, "Updated 1 conversation" if n == 1 else f"Updated {n} conversations")


@router.post("/inbox/views")
async def create_view(request: Request, name: str = Form(..., max_length=120), query: str = Form("", max_length=2000),
                      shared: bool = Form(False), viewer: Viewer = Depends(require(Role.analyst))):
    try:
        view = saved_views.do_create_view(get_rt(request), viewer.actor(request), name, query, shared=shared)
    except ActionError as exc:
        return redirect("/inbox" + (f"?{query}" if query else ""), exc.message, "error")
    return redirect(f"/inbox?{view.query + '&' if view.query else ''}view={view.id}", "View saved")


@router.post("/inbox/views/{view_id}")
async def rename_view(view_id: int, request: Request, name: str = Form(..., max_length=120),
                      update_filters: bool = Form(False), query: str = Form("", max_length=2000),
                      viewer: Viewer = Depends(require(Role.analyst))):
    try:
        view = saved_views.do_update_view(get_rt(request), viewer.actor(request), view_id, name=name,
                                          query=query if update_filters else None)
    except ActionError as exc:
        return redirect("/inbox", exc.message, "error")
    return redirect(f"/inbox?{view.query + '&' if view.query else ''}view={view.id}", "View saved")


@router.post("/inbox/views/{view_id}/delete")
async def delete_view(view_id: int, request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    try:
        saved_views.do_delete_view(get_rt(request), viewer.actor(request), view_id)
    except ActionError as exc:
        return redirect("/inbox", exc.message, "error")
    return redirect("/inbox", "View deleted")
