"""Members list and member page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import PLATFORMS, Role
from kapwa.members import actions, merge_queries, queries
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


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
                      viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    m = queries.member(s, viewer.user.workspace_id, member_id)
    if m is None:
        raise HTTPException(404, "no such member")
    return render(request, "members/detail.html", {
        "m": m,
        "timeline": queries.timeline(s, m.id),
        "messages": queries.recent_messages(s, m.id),
        "open_conversations": queries.open_conversations(s, m.id),
        "tags": queries.member_tags_of(s, m.id),
        "notes": queries.notes_for_member(s, m.id),
        "tasks": queries.tasks_for_member(s, m.id),
        "sentiment": queries.sentiment_by_week(s, viewer.user.workspace_id, m.id),
        **merge_queries.merge_panel(s, viewer.user.workspace_id, m.id, merge_q),
    })


@router.post("/members/{member_id}/notes")
async def add_note(member_id: int, request: Request, body: str = Form(..., max_length=10000),
                   viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_add_member_note(get_rt(request), viewer.actor(request), member_id, body)
    except ActionError as exc:
        return redirect(f"/members/{member_id}", exc.message, "error")
    return redirect(f"/members/{member_id}#notes", "Note added")


@router.post("/members/{member_id}/tags")
async def tag(member_id: int, request: Request, tag: str = Form(..., max_length=60), remove: bool = Form(False),
              viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_tag_member(get_rt(request), viewer.actor(request), member_id, tag, remove=remove)
    except ActionError as exc:
        return redirect(f"/members/{member_id}", exc.message, "error")
    return redirect(f"/members/{member_id}")


@router.post("/members/{member_id}/vip")
async def vip(member_id: int, request: Request, is_vip: bool = Form(False),
              viewer: Viewer = Depends(require(Role.moderator))):
    actions.do_update_member(get_rt(request), viewer.actor(request), member_id, is_vip=is_vip)
    return redirect(f"/members/{member_id}")


@router.post("/members/{member_id}/tasks")
async def add_task(member_id: int, request: Request, title: str = Form(..., max_length=300),
                   viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_add_member_task(get_rt(request), viewer.actor(request), member_id, title)
    except ActionError as exc:
        return redirect(f"/members/{member_id}", exc.message, "error")
    return redirect(f"/members/{member_id}#tasks", "Task added")


@router.post("/tasks/{task_id}/done")
async def task_done(task_id: int, request: Request, done: bool = Form(True), next: str = Form("/"),
                    viewer: Viewer = Depends(require(Role.moderator))):
    actions.do_complete_task(get_rt(request), viewer.actor(request), task_id, done)
    return redirect(next if next.startswith("/") and not next.startswith("//") else "/")
