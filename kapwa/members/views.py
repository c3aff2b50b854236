"""Members list and member page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import PLATFORMS, Role, utcnow
from kapwa.core.models.analysis import TOXICITY_SHOWN_AT
from kapwa.members import actions, merge_queries, profile_queries, queries, timeline
from kapwa.team import queries as team_queries
from kapwa.team.notifications import mention_choices
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)
TIMELINE_PAGE = 25


@router.get("/members")
async def members_list(
    request: Request,
    q: str = Query("", max_length=200),
    platform: str = Query("", max_length=30),
    tag: str = Query("", max_length=60),
    vip: bool = False,
    sort: str = Query("active", pattern="^(active|messages|name|newest)$"),
    page: int = Query(1, ge=1, le=100000),
    viewer: Viewer = Depends(require(Role.analyst)),
    s: Session = Depends(db),
):
    f = queries.MemberFilter(q=q, platform=platform, tag=tag, vip=vip, sort=sort, page=page)
    rows, total = queries.list_members(s, viewer.user.workspace_id, f)
    return render(request, "members/list.html", {"members": rows, "total": total, "f": f, "platforms": PLATFORMS,
                                                 "pages": max(1, -(-total // f.per_page))})


@router.get("/members/{member_id}")
async def member_page(member_id: int, request: Request, merge_q: str = Query("", max_length=200),
                      tl_platform: str = Query("", max_length=30), tl_type: str = Query("", max_length=30),
                      tl_before: str = Query("", max_length=60),
                      viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    ws = viewer.user.workspace_id
    m = queries.member(s, ws, member_id)
    if m is None:
        raise HTTPException(404, "no such member")
    fig = profile_queries.figures(s, ws, m.id)
    conversations, open_total = profile_queries.open_conversations(s, ws, m.id)
    tl_type = tl_type if tl_type in timeline.TYPES else ""
    team = profile_queries.active_team(s, ws)
    return render(request, "members/detail.html", {
        "m": m,
        "fig": fig,
        "avatar": profile_queries.avatar_of(m),
        "identity_rows": profile_queries.identities(s, ws, m, fig),
        **_timeline_context(s, ws, m.id, tl_platform, tl_type, tl_before),
        "open_conversations": conversations,
        "open_total": open_total,
        "reason_text": profile_queries.reason_text,
        "tags": profile_queries.tags_of(s, m.id),
        "tag_choices": profile_queries.workspace_tags(s, ws),
        "notes": profile_queries.notes_of(s, m.id),
        "tasks": profile_queries.tasks_of(s, m.id),
        "team": team,
        "mention_choices": mention_choices(team),
        "history": profile_queries.moderation_history(s, ws, m),
        "sentiment": queries.sentiment_by_week(s, ws, m.id),
        "today": _today(s, ws),
        **merge_queries.merge_panel(s, ws, m.id, merge_q),
    })


def _timeline_context(s: Session, ws: int, member_id: int, platform: str, type_: str, before: str) -> dict:
    page = timeline.member_timeline(s, ws, member_id, platform=platform, type=type_, before=before or None,
                                    limit=TIMELINE_PAGE)
    return {"tl": page, "tl_platform": platform, "toxicity_shown_at": TOXICITY_SHOWN_AT, "tl_type": type_, "tl_before": before,
            "tl_platforms": timeline.platforms_of(s, ws, member_id), "tl_types": timeline.TYPES}


def _today(s: Session, ws: int) -> dt.date:
    tz = ZoneInfo(team_queries.workspace(s, ws).timezone or "UTC")
    return utcnow().astimezone(tz).date()


@router.get("/members/{member_id}/timeline")
async def member_timeline(member_id: int, request: Request, platform: str = Query("", max_length=30),
                          type: str = Query("", max_length=30), before: str = Query("", max_length=60),
                          viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """One page of the timeline as an HTML fragment (the profile's "Older" link loads it in place)."""
    m = queries.member(s, viewer.user.workspace_id, member_id)
    if m is None:
        raise HTTPException(404, "no such member")
    type = type if type in timeline.TYPES else ""
    return render(request, "members/_timeline_items.html",
                  {"m": m, **_timeline_context(s, viewer.user.workspace_id, m.id, platform, type, before)})


@router.post("/members/{member_id}/notes")
async def add_note(member_id: int, request: Request, body: str = Form(..., max_length=10000),
                   viewer: Viewer = Depends(require(Role.moderator))):
    try:
        note = actions.do_add_member_note(get_rt(request), viewer.actor(request), member_id, body)
    except ActionError as exc:
        return redirect(f"/members/{member_id}#notes", exc.message, "error")
    return redirect(f"/members/{member_id}#note-{note.id}", "Note added")


@router.post("/members/{member_id}/notes/{note_id}/delete")
async def delete_note(member_id: int, note_id: int, request: Request,
                      viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_delete_member_note(get_rt(request), viewer.actor(request), note_id)
    except ActionError as exc:
        return redirect(f"/members/{member_id}#notes", exc.message, "error")
    return redirect(f"/members/{member_id}#notes", "Note deleted")


@router.post("/members/{member_id}/tags")
async def tag(member_id: int, request: Request, tag: str = Form(..., max_length=60), remove: bool = Form(False),
              viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_tag_member(get_rt(request), viewer.actor(request), member_id, tag, remove=remove)
    except ActionError as exc:
        return redirect(f"/members/{member_id}#tags", exc.message, "error")
    return redirect(f"/members/{member_id}#tags")


@router.post("/members/{member_id}/vip")
async def vip(member_id: int, request: Request, is_vip: bool = Form(False),
              viewer: Viewer = Depends(require(Role.moderator))):
    actions.do_update_member(get_rt(request), viewer.actor(request), member_id, is_vip=is_vip)
    return redirect(f"/members/{member_id}")


@router.post("/members/{member_id}/tasks")
async def add_task(member_id: int, request: Request, title: str = Form(..., max_length=300),
                   due: str = Form("", max_length=10), assignee_id: str = Form("", max_length=12),
                   viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    try:
        due_at = _end_of_day(s, viewer.user.workspace_id, due)
        task = actions.do_add_member_task(get_rt(request), viewer.actor(request), member_id, title, due_at=due_at,
                                          assignee_id=int(assignee_id) if assignee_id.isdigit() else None)
    except ActionError as exc:
        return redirect(f"/members/{member_id}#tasks", exc.message, "error")
    return redirect(f"/members/{member_id}#task-{task.id}", "Task added")


def _end_of_day(s: Session, ws: int, day: str) -> dt.datetime | None:
    """A due date (YYYY-MM-DD) means the end of that day in the workspace's time zone."""
    if not day.strip():
        return None
    try:
        date = dt.date.fromisoformat(day.strip())
    except ValueError:
        raise ActionError("due: not a date (YYYY-MM-DD)", field="due") from None
    tz = ZoneInfo(team_queries.workspace(s, ws).timezone or "UTC")
    return dt.datetime.combine(date, dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.UTC)


@router.post("/tasks/{task_id}/done")
async def task_done(task_id: int, request: Request, done: bool = Form(True), next: str = Form("/"),
                    viewer: Viewer = Depends(require(Role.moderator))):
    actions.do_complete_task(get_rt(request), viewer.actor(request), task_id, done)
    return redirect(next if next.startswith("/") and not next.startswith("//") else "/")
