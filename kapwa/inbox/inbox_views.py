"""The inbox page (``/inbox``), the all-conversations archive (``/conversations``), bulk actions and saved
views. Filters, sort and pages: kapwa/inbox/listing.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from markupsafe import Markup
from sqlalchemy.orm import Session, joinedload, lazyload

from kapwa.core.actions import ActionError
from kapwa.core.i18n import gettext, ngettext
from kapwa.core.models import (
    Conversation,
    ConversationStatus,
    Member,
    Priority,
    Role,
    Source,
    User,
    utcnow,
)
from kapwa.core.models.analysis import INTENTS, LANGUAGES, SENTIMENT_LABELS
from kapwa.inbox import bulk, listing, priority, queries, saved_views
from kapwa.inbox.listing import FilterError, InboxFilter
from kapwa.inbox.sla import PolicyMap, format_duration
from kapwa.inbox.sla_badge import badge_html, sla_badge_of
from kapwa.team import queries as team_q
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import format_ago, render

router = APIRouter(include_in_schema=False)

@dataclass(slots=True)
class InboxRow:
    """One row, with what the template shows worked out in Python: per-row template logic (filters, gettext
    calls, an include for the service-level badge) was most of the page's render time."""

    c: Conversation
    title: str  # the title, or "(untitled)" translated
    prio_label: str | None  # "urgent" / "high" translated, for the badge (None for the other priorities)
    messages: str  # "12 messages"
    reasons: list[tuple[str, str, bool]]  # (label in the viewer's language, "+30", negative?)
    summary: str  # the tooltip: every reason with its points and the total
    waiting: str | None  # how long the member has been waiting for the team, e.g. "5 h", "3 d 4 h"
    last: str | None  # when not waiting: how long ago the last message came ("3 days ago")
    status: str  # the status in the viewer's language (as in the page's status_labels)
    badge: Markup  # the service-level badge (kapwa/inbox/sla_badge.py), or ""
    tags: list[str]  # the tags' names
    source: Source
    assignee: User | None


def _waited(since: dt.datetime | None, now: dt.datetime) -> str | None:
    if since is None:
        return None
    return format_duration(max(0.0, (now - since).total_seconds()))


class _Labels:
    """Translations for one page's rows, each looked up once (labels and counts repeat from row to row)."""

    def __init__(self):
        self.untitled = Markup(gettext("(untitled)"))
        self._reasons: dict[str, str] = {}
        self._words: dict[str, Markup] = {}
        self._counts: dict[int, Markup] = {}
        self._statuses: dict[str, str] = {}

    def reason(self, label: str) -> str:
        hit = self._reasons.get(label)
        if hit is None:
            hit = self._reasons[label] = priority.reason_label(label)
        return hit

    def word(self, text: str) -> Markup:  # as {{ _(text) }} gives it
        hit = self._words.get(text)
        if hit is None:
            hit = self._words[text] = Markup(gettext(text))
        return hit

    def status(self, status: str) -> str:
        hit = self._statuses.get(status)
        if hit is None:
            hit = self._statuses[status] = gettext(status)
        return hit

    def count(self, n: int) -> Markup:  # as {{ ngettext("%(num)s message", "%(num)s messages", n) }} gives it
        hit = self._counts.get(n)
        if hit is None:
            hit = self._counts[n] = Markup(ngettext("%(num)s message", "%(num)s messages", n))
        return hit

    def summary(self, reasons: list) -> str:  # priority.reasons_summary, with the labels looked up once
        if not reasons:
            return gettext("No priority points")
        parts = [f"{self.reason(label)} {points:+d}" for label, points in reasons]
        return ", ".join(parts) + " = " + gettext("%(n)s points", n=max(0, sum(p for _, p in reasons)))


# What the page loads of a row's relationships: of the member only what the row shows, in the same query.
# Source and assignee come from the page's lists of sources and teammates, the tags' names from one query
# (listing.tag_names); none of them is loaded with the conversation.
PAGE_LOAD = (lazyload(Conversation.source), lazyload(Conversation.assignee), lazyload(Conversation.tags),
             joinedload(Conversation.started_by).load_only(Member.id, Member.display_name, Member.is_vip))


def inbox_rows(convs: list[Conversation], pm: PolicyMap | None, now: dt.datetime, tags: dict[int, list[str]],
               sources: list[Source], team: list[User]) -> list[InboxRow]:
    t = _Labels()
    by_source, by_user = {x.id: x for x in sources}, {u.id: u for u in team}
    rows = []
    for c in convs:
        # (from the conversation itself, a query, only if the lists lack it: they hold the whole workspace)
        source = by_source.get(c.source_id) or c.source
        assignee = None if c.assignee_id is None else (by_user.get(c.assignee_id) or c.assignee)
        reasons = c.priority_reasons or []
        waiting = _waited(priority.waiting_since(c), now)
        rows.append(InboxRow(
            c, c.title or t.untitled, t.word(c.priority) if c.priority in ("high", "urgent") else None,
            t.count(c.message_count), [(t.reason(label), f"{points:+d}", points < 0) for label, points in reasons],
            t.summary(reasons), waiting, None if waiting else format_ago(c.last_message_at, now),
            t.status(c.status), badge_html(sla_badge_of(c, pm, now)), tags.get(c.id, []), source, assignee))
    return rows


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


def inbox_context(request: Request, viewer: Viewer, s: Session, *, archive: bool) -> dict:
    ws = viewer.user.workspace_id
    defaults = ARCHIVE_DEFAULTS if archive else INBOX_DEFAULTS
    params, view = _filter_params(request, s, viewer)
    try:
        f = InboxFilter.from_params(params, default_status=defaults.status, default_sort=defaults.sort)
    except FilterError as exc:
        raise HTTPException(422, exc.message) from None
    sources, team = queries.sources(s, ws), team_q.team(s, ws)  # for the filters, and the rows' (see PAGE_LOAD)
    pm = PolicyMap.load(s, ws)  # the service-level policies, and the workspace's time zone
    result = listing.inbox_page(s, ws, f, viewer_id=viewer.user.id, tz=pm.timezone, load=PAGE_LOAD)
    views = saved_views.visible_views(s, ws, viewer.user.id)
    qs = f.query_string(defaults=defaults)
    link_qs = "&".join(p for p in (qs, f"view={view.id}" if view else "") if p)
    rows = inbox_rows(result.rows, pm, utcnow(),
                      listing.tag_names(s, [c.id for c in result.rows]), sources, team)
    return {
        "archive": archive, "action": "/conversations" if archive else "/inbox", "f": f, "result": result,
        "rows": rows, "current_view": view, "link_qs": link_qs,
        "save_query": f.query_string(), "views_personal": [v for v in views if v.owner_user_id is not None],
        "views_shared": [v for v in views if v.owner_user_id is None],
        "sources": sources, "team": team, "active_team": [u for u in team if u.is_active],
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
