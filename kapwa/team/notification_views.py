"""The signed-in teammate's notifications: the /notifications page, opening one, marking read; and the API."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.team import notifications as notes
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["notifications"])
PER_PAGE = 50


@router.get("/notifications")
async def notifications_page(request: Request, unread: bool = False, page: int = Query(1, ge=1, le=100000),
                             viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    rows, total = notes.notifications_for(s, viewer.user.id, unread_only=unread, page=page, per_page=PER_PAGE)
    return render(request, "notifications.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)), "unread": unread,
        "unread_total": notes.unread_count(s, viewer.user.id), "kind_label": notes.kind_label,
    })


@router.get("/notifications/{notification_id}/open")
async def open_notification(notification_id: int, request: Request,
                            viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """Follow a notification's link, marking it read on the way (like a mail client does)."""
    n = notes.notification(s, viewer.user.id, notification_id)
    if n is None:
        return redirect("/notifications", "That notification is gone.", "error")
    if n.read_at is None:
        notes.do_mark_read(get_rt(request), viewer.actor(request), [n.id])
    return redirect(notes.safe_url(n.url) or "/notifications")


@router.post("/notifications/read")
async def mark_read(request: Request, ids: list[int] = Form([]), all: bool = Form(False),
                    unread: bool = Form(False), next: str = Form("/notifications", max_length=500),
                    viewer: Viewer = Depends(require(Role.analyst))):
    n = notes.do_mark_read(get_rt(request), viewer.actor(request), ids[:500], all=all, unread=unread)
    target = notes.safe_url(next) or "/notifications"
    if unread:
        return redirect(target, "Marked as unread" if n else None)
    return redirect(target, "Marked as read" if n else None)


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    text: str
    url: str | None
    actor_user_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(BaseModel):
    total: int
    unread: int
    page: int
    items: list[NotificationOut]


class MarkReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(default_factory=list, max_length=500)
    all: bool = False
    unread: bool = False


class MarkReadOut(BaseModel):
    changed: int
    unread: int


@api_router.get("/notifications", response_model=NotificationPage)
def list_notifications(unread: bool = False, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200),
                       viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """Your notifications, unread first. `unread=true` lists only the unread ones; `unread` in the answer is
    the count for the bell."""
    rows, total = notes.notifications_for(s, viewer.user.id, unread_only=unread, page=page, per_page=per_page)
    return NotificationPage(total=total, unread=notes.unread_count(s, viewer.user.id), page=page,
                            items=[NotificationOut.model_validate(n) for n in rows])


@api_router.post("/notifications/read", response_model=MarkReadOut)
def api_mark_read(body: MarkReadIn, request: Request, viewer: Viewer = Depends(require(Role.analyst)),
                  s: Session = Depends(db)):
    """Mark your notifications read (`ids`, or `all`), or unread again with `unread: true`."""
    n = notes.do_mark_read(get_rt(request), viewer.actor(request), body.ids, all=body.all, unread=body.unread)
    return MarkReadOut(changed=n, unread=notes.unread_count(s, viewer.user.id))
