"""REST API: conversations, messages, search, and label corrections.

``GET /api/v1/conversations`` takes the list page's filters, including the analysis ones: ``language`` (en, tl,
taglish), ``sentiment`` (negative, neutral, positive), ``toxic`` (toxicity >= 0.5), ``intent`` and
``message_needs_answer``. Each matches a conversation when one of its inbound messages matches; given together
they must hold on the same message.

``GET /api/v1/label-corrections`` (analyst and up) exports teammates' corrections of analysis labels for the next
training run, oldest first: ``{"items": [...], "next_after_id": N | null}``. Each item has the message id,
its text and language, the field (sentiment_label, toxic, intent or language), the analysis' value
(``old_value``) and the corrected one (``new_value``), who corrected it and when. Page with
``after_id=<next_after_id>`` until it is null; ``since`` (ISO 8601) keeps only newer corrections.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.core.search import search_messages
from kapwa.inbox import actions, queries
from kapwa.inbox.queries import INTENT_PATTERN, LANGUAGE_PATTERN, SENTIMENT_PATTERN
from kapwa.web.auth import Viewer, db, get_rt, require

router = APIRouter(prefix="/api/v1", tags=["conversations"])


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    source_id: int
    title: str
    channel: str | None
    url: str | None
    status: str
    priority: str
    assignee_id: int | None
    started_by_member_id: int | None
    is_direct: bool
    message_count: int
    needs_answer: bool
    first_message_at: dt.datetime | None
    last_message_at: dt.datetime | None
    first_response_at: dt.datetime | None
    tags: list[str] = []


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    conversation_id: int
    source_id: int
    platform_message_id: str
    kind: str
    direction: str
    member_id: int | None
    author_identity_id: int | None
    parent_id: int | None
    text: str
    url: str | None
    created_at: dt.datetime
    language: str | None
    is_taglish: bool | None = None
    sentiment_score: float | None
    sentiment_label: str | None
    toxicity_score: float | None
    toxicity_categories: list | None = None
    intent: str | None
    needs_answer: bool | None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ConversationPage(BaseModel):
    total: int
    page: int
    items: list[ConversationOut]


class LabelCorrectionOut(BaseModel):
    id: int
    message_id: int
    conversation_id: int
    text: str
    language: str | None
    is_taglish: bool | None
    field: str
    old_value: str | None
    new_value: str
    user_id: int | None
    created_at: dt.datetime


class LabelCorrectionPage(BaseModel):
    items: list[LabelCorrectionOut]
    next_after_id: int | None


class ConversationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str | None = None
    priority: str | None = None
    assignee_id: int | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., min_length=1, max_length=10000)


def _out(conv) -> ConversationOut:
    fields = {name: getattr(conv, name) for name in ConversationOut.model_fields if name != "tags"}
    return ConversationOut(**fields, tags=[t.name for t in conv.tags])


@router.get("/conversations", response_model=ConversationPage)
def list_conversations(
    status: str = Query("", pattern="^(|all|new|open|pending|resolved|spam)$"),
    source_id: int | None = None, assignee_id: int | None = None, needs_answer: bool = False,
    tag: str = Query("", max_length=60), q: str = Query("", max_length=200),
    language: str = Query("", pattern=LANGUAGE_PATTERN), sentiment: str = Query("", pattern=SENTIMENT_PATTERN),
    toxic: bool = False, intent: str = Query("", pattern=INTENT_PATTERN), message_needs_answer: bool = False,
    page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200),
    viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db),
):
    f = queries.ConversationFilter(status=status, source_id=source_id, assignee_id=assignee_id,
                                   needs_answer=needs_answer, tag=tag, q=q, page=page, per_page=per_page,
                                   language=language, sentiment=sentiment, toxic=toxic, intent=intent,
                                   message_needs_answer=message_needs_answer)
    rows, total = queries.list_conversations(s, viewer.user.workspace_id, f)
    return ConversationPage(total=total, page=page, items=[_out(c) for c in rows])


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: int, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    conv = queries.conversation(s, viewer.user.workspace_id, conversation_id)
    if conv is None:
        raise HTTPException(404, "no such conversation")
    msgs = [MessageOut.model_validate(m) for m in queries.messages(s, conv.id)]
    return ConversationDetail(**_out(conv).model_dump(), messages=msgs)


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
def patch_conversation(conversation_id: int, body: ConversationPatch, request: Request,
                       viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    actions.do_update_conversation(get_rt(request), viewer.actor(request), conversation_id,
                                   **body.model_dump(exclude_unset=True))
    return _out(queries.conversation(s, viewer.user.workspace_id, conversation_id))


@router.post("/conversations/{conversation_id}/notes", status_code=201)
def add_note(conversation_id: int, body: NoteIn, request: Request, viewer: Viewer = Depends(require(Role.moderator))):
    note = actions.do_add_conversation_note(get_rt(request), viewer.actor(request), conversation_id, body.body)
    return {"id": note.id, "body": note.body}


@router.get("/search", response_model=list[MessageOut])
def search(q: str = Query(..., min_length=1, max_length=200), limit: int = Query(50, ge=1, le=200),
           viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return [MessageOut.model_validate(m) for m in search_messages(s, viewer.user.workspace_id, q, limit)]


@router.get("/label-corrections", response_model=LabelCorrectionPage, tags=["analysis"])
def label_corrections(after_id: int = Query(0, ge=0), since: dt.datetime | None = None,
                      limit: int = Query(500, ge=1, le=5000),
                      viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """Teammates' corrections of analysis labels, oldest first, for training (see the module docstring)."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    rows = queries.label_corrections(s, viewer.user.workspace_id, after_id=after_id, since=since, limit=limit)
    items = [
        LabelCorrectionOut(id=c.id, message_id=m.id, conversation_id=m.conversation_id, text=m.text,
                           language=m.language, is_taglish=m.is_taglish, field=c.field, old_value=c.old_value,
                           new_value=c.new_value, user_id=c.user_id, created_at=c.created_at)
        for c, m in rows
    ]
    return LabelCorrectionPage(items=items, next_after_id=items[-1].id if len(items) == limit else None)
