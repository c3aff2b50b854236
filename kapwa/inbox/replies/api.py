"""REST API: replies and saved replies.

``POST /api/v1/conversations/{id}/replies`` ``{"body": "…", "in_reply_to_id": null, "saved_reply_id": null,
"submit": true, "idempotency_key": "…"}`` composes a reply: it goes for approval or is queued to send (see
``status``). Sending the same ``idempotency_key`` again returns the same reply instead of making another.
``GET /api/v1/replies?status=pending_approval`` lists replies (newest first); ``GET /api/v1/replies/{id}``
has its history. Approve (optionally with an edited ``body``), reject (with a ``reason``), retry a failed one,
cancel, or settle one whose send is unknown (``{"outcome": "sent"|"resend"}``) with the POST endpoints below.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import ReplyStatus, Role
from kapwa.inbox.replies import actions, queries
from kapwa.inbox.replies.send import is_unknown
from kapwa.web.auth import Viewer, db, get_rt, require

router = APIRouter(prefix="/api/v1", tags=["replies"])
STATUS_PATTERN = f"^(|{'|'.join(ReplyStatus.values())})$"


class ReplyEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    action: str
    user_id: int | None
    body: str | None
    note: str | None
    created_at: dt.datetime


class ReplyOut(BaseModel):
    id: int
    conversation_id: int
    source_id: int
    in_reply_to_id: int | None
    author_user_id: int | None
    body: str
    status: str
    unknown: bool = Field(description="the send's outcome is unknown: check the platform, then settle it")
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None
    message_id: int | None
    platform_message_id: str | None
    url: str | None
    reviewer_user_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str | None
    empathy: dict
    saved_reply_id: int | None
    created_at: dt.datetime
    events: list[ReplyEventOut] = []


class ReplyPage(BaseModel):
    total: int
    page: int
    items: list[ReplyOut]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., min_length=1, max_length=100000)
    in_reply_to_id: int | None = None
    saved_reply_id: int | None = None
    submit: bool = True
    idempotency_key: str | None = Field(None, max_length=64)


class ReplyEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., min_length=1, max_length=100000)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str | None = Field(None, max_length=100000)
    note: str | None = Field(None, max_length=1000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., min_length=1, max_length=1000)


class SettleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(..., pattern="^(sent|resend)$")
    url: str | None = Field(None, max_length=1000)


class SavedReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    language: str
    body: str
    shortcut: str | None
    is_answer: bool
    use_count: int
    created_by_id: int | None


def out(r, with_events: bool = True) -> ReplyOut:
    fields = {name: getattr(r, name) for name in ReplyOut.model_fields if name not in ("events", "unknown")}
    fields["empathy"] = r.empathy or {}
    events = [ReplyEventOut.model_validate(e) for e in r.events] if with_events else []
    return ReplyOut(**fields, unknown=is_unknown(r), events=events)


def _fresh(s: Session, viewer: Viewer, reply_id: int) -> ReplyOut:
    s.expire_all()
    row = queries.reply(s, viewer.user.workspace_id, reply_id)
    if row is None:
        raise HTTPException(404, "no such reply")
    return out(row)


@router.post("/conversations/{conversation_id}/replies", response_model=ReplyOut, status_code=201)
def create_reply(conversation_id: int, body: ReplyIn, request: Request,
                 viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    reply = actions.do_create_reply(get_rt(request), viewer.actor(request), conversation_id, body.body,
                                    in_reply_to_id=body.in_reply_to_id, saved_reply_id=body.saved_reply_id,
                                    submit=body.submit, idempotency_key=body.idempotency_key,
                                    jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply.id)


@router.get("/replies", response_model=ReplyPage)
def list_replies(status: str = Query("", pattern=STATUS_PATTERN), conversation_id: int | None = None,
                 author_id: int | None = None, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200),
                 viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    rows, total = queries.list_replies(s, viewer.user.workspace_id, status=status, conversation_id=conversation_id,
                                       author_id=author_id, page=page, per_page=per_page)
    return ReplyPage(total=total, page=page, items=[out(r, with_events=False) for r in rows])


@router.get("/replies/{reply_id}", response_model=ReplyOut)
def get_reply(reply_id: int, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return _fresh(s, viewer, reply_id)


@router.patch("/replies/{reply_id}", response_model=ReplyOut)
def edit_reply(reply_id: int, body: ReplyEdit, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
               s: Session = Depends(db)):
    actions.do_edit_reply(get_rt(request), viewer.actor(request), reply_id, body.body, jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/submit", response_model=ReplyOut)
def submit_reply(reply_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                 s: Session = Depends(db)):
    actions.do_submit_reply(get_rt(request), viewer.actor(request), reply_id, jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/approve", response_model=ReplyOut)
def approve_reply(reply_id: int, request: Request, body: ApproveIn | None = None,
                  viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    body = body or ApproveIn()
    actions.do_approve_reply(get_rt(request), viewer.actor(request), reply_id, body=body.body, note=body.note,
                             jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/reject", response_model=ReplyOut)
def reject_reply(reply_id: int, body: RejectIn, request: Request, viewer: Viewer = Depends(require(Role.manager)),
                 s: Session = Depends(db)):
    actions.do_reject_reply(get_rt(request), viewer.actor(request), reply_id, body.reason)
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/retry", response_model=ReplyOut)
def retry_reply(reply_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                s: Session = Depends(db)):
    actions.do_retry_reply(get_rt(request), viewer.actor(request), reply_id, jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/cancel", response_model=ReplyOut)
def cancel_reply(reply_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                 s: Session = Depends(db)):
    actions.do_cancel_reply(get_rt(request), viewer.actor(request), reply_id)
    return _fresh(s, viewer, reply_id)


@router.post("/replies/{reply_id}/settle", response_model=ReplyOut)
def settle_reply(reply_id: int, body: SettleIn, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                 s: Session = Depends(db)):
    actions.do_settle_reply(get_rt(request), viewer.actor(request), reply_id, body.outcome, url=body.url,
                            jobs=request.app.state.jobs())
    return _fresh(s, viewer, reply_id)


@router.get("/saved-replies", response_model=list[SavedReplyOut])
def list_saved_replies(language: str = Query("", pattern="^(|en|tl)$"), q: str = Query("", max_length=100),
                       viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return [SavedReplyOut.model_validate(r) for r in queries.saved_replies(s, viewer.user.workspace_id,
                                                                         language=language, q=q.strip())]
