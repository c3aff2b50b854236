"""REST API: conversations, messages, search, and label corrections.

``GET /api/v1/conversations`` takes the list page's filters, including the analysis ones: ``language`` (en, tl,
taglish), ``sentiment`` (negative, neutral, positive), ``toxic`` (toxicity >= 0.5), ``intent`` and
``message_needs_answer``. Each matches a conversation when one of its inbound messages matches; given together
they must hold on the same message.

``GET /api/v1/inbox`` is the inbox: the same filters as the ``/inbox`` page (kapwa/inbox/listing.py), on the
conversations' current signals (the latest member message), sorted by priority with the readable reasons;
``POST /api/v1/inbox/bulk`` changes many conversations at once; ``/api/v1/inbox/views`` lists, saves, renames
and deletes saved views (personal, or shared by a manager).

``GET /api/v1/label-corrections`` (analyst and up) exports teammates' corrections of analysis labels for the next
training run, oldest first: ``{"items": [...], "next_after_id": N | null}``. Each item has the message id,
its text and language, the field (sentiment_label, toxic, intent or language), the analysis' value
(``old_value``) and the corrected one (``new_value``), who corrected it and when. Page with
``after_id=<next_after_id>`` until it is null; ``since`` (ISO 8601) keeps only newer corrections.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.models import Role, Workspace
from kapwa.core.search import search_messages
from kapwa.inbox import actions, bulk, listing, queries, saved_views
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


# ------------------------------------------------------------------------------------------------- the inbox


class InboxItem(ConversationOut):
    last_inbound_at: dt.datetime | None
    last_outbound_at: dt.datetime | None
    language: str | None
    is_taglish: bool | None
    sentiment_label: str | None
    sentiment_score: float | None
    toxicity_score: float | None
    intent: str | None
    priority_score: int
    priority_reasons: list = Field(description='[["negative", 30], ["waiting 5 h", 10], …]: reason and points')
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None


class InboxPageOut(BaseModel):
    items: list[InboxItem]
    page: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool = Field(description=f"more than {listing.COUNT_CAP} match; total is the cap")


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(..., min_length=1, max_length=bulk.MAX_IDS)
    action: str = Field(..., pattern=f"^({'|'.join(bulk.ACTIONS)})$")
    value: str | None = Field(None, max_length=60, description="status, priority, tag, or assignee: id, me, none")


class BulkOut(BaseModel):
    action: str
    changed: list[int]
    missing: list[int]


class SavedViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=120)
    query: str = Field("", max_length=2000, description="the inbox's query string, e.g. sentiment=negative&toxic=1")
    shared: bool = False


class SavedViewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=120)
    query: str | None = Field(None, max_length=2000)


class SavedViewOut(BaseModel):
    id: int
    name: str
    query: str
    shared: bool
    url: str


def _item(conv) -> InboxItem:
    fields = {name: getattr(conv, name) for name in InboxItem.model_fields if name != "tags"}
    return InboxItem(**fields, tags=[t.name for t in conv.tags])


def _view_out(v) -> SavedViewOut:
    return SavedViewOut(id=v.id, name=v.name, query=v.query, shared=v.owner_user_id is None,
                        url=f"/inbox?{v.query + '&' if v.query else ''}view={v.id}")


@router.get("/inbox", response_model=InboxPageOut, tags=["inbox"])
def inbox(
    request: Request,
    status: str = Query("attention", description="attention (new, open, pending), all, or one status"),
    source: int | None = None, assignee: str = Query("", description="me, none or a teammate id"),
    tag: str = "", language: str = "", sentiment: str = "", toxic: bool = False, intent: str = "",
    needs_answer: bool = False, segment: str = Query("", description="vip or an engagement segment"),
    level: int | None = None, since: dt.date | None = None, until: dt.date | None = None,
    q: str = Query("", max_length=200), sort: str = Query("priority", description="priority, waiting, newest, oldest"),
    view: int | None = Query(None, description="a saved view's id: its filters, unless others are given"),
    page: int = Query(1, ge=1, le=100000), per_page: int = Query(50, ge=1, le=200),
    viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db),
):
    """The inbox, first page by default: every filter of the /inbox page."""
    ws = viewer.user.workspace_id
    params = {k: v for k, v in request.query_params.items() if k in listing.PARAMS}
    if view is not None:
        saved = saved_views.visible_view(s, ws, viewer.user.id, view)
        if saved is None:
            raise HTTPException(404, "no such saved view")
        if not params:
            params = listing.InboxFilter.from_query_string(saved.query).params()
    params["page"] = str(page)
    try:
        f = listing.InboxFilter.from_params(params)
    except listing.FilterError as exc:
        raise HTTPException(422, exc.message) from None
    f.per_page = per_page
    tz = s.scalar(select(Workspace.timezone).where(Workspace.id == ws)) or "Asia/Manila"
    result = listing.inbox_page(s, ws, f, viewer_id=viewer.user.id, tz=tz)
    return InboxPageOut(items=[_item(c) for c in result.rows], page=result.page, per_page=per_page,
                        has_next=result.has_next, total=result.total, total_capped=result.capped)


@router.post("/inbox/bulk", response_model=BulkOut, tags=["inbox"])
def inbox_bulk(body: BulkIn, request: Request, viewer: Viewer = Depends(require(Role.moderator))):
    """Change many conversations at once: status, resolve, assign, priority, tag, untag (one audit entry each)."""
    result = bulk.do_bulk(get_rt(request), viewer.actor(request), body.ids, body.action, body.value)
    return BulkOut(action=result.action, changed=result.changed, missing=result.missing)


@router.get("/inbox/views", response_model=list[SavedViewOut], tags=["inbox"])
def list_views(viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """The shared views and your own."""
    return [_view_out(v) for v in saved_views.visible_views(s, viewer.user.workspace_id, viewer.user.id)]


@router.post("/inbox/views", response_model=SavedViewOut, status_code=201, tags=["inbox"])
def create_view(body: SavedViewIn, request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    """Save filters as a view: personal, or shared with the team (manager)."""
    view = saved_views.do_create_view(get_rt(request), viewer.actor(request), body.name, body.query,
                                      shared=body.shared)
    return _view_out(view)


@router.patch("/inbox/views/{view_id}", response_model=SavedViewOut, tags=["inbox"])
def update_view(view_id: int, body: SavedViewPatch, request: Request,
                viewer: Viewer = Depends(require(Role.analyst))):
    view = saved_views.do_update_view(get_rt(request), viewer.actor(request), view_id, name=body.name,
                                      query=body.query)
    return _view_out(view)


@router.delete("/inbox/views/{view_id}", status_code=204, tags=["inbox"])
def delete_view(view_id: int, request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    saved_views.do_delete_view(get_rt(request), viewer.actor(request), view_id)
    return Response(status_code=204)
