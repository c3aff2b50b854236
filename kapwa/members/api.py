"""REST API: members."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.members import actions, profile_queries, queries, timeline
from kapwa.web.auth import Viewer, db, get_rt, require

router = APIRouter(prefix="/api/v1", tags=["members"])


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    source_id: int
    platform: str
    platform_user_id: str
    handle: str | None
    display_name: str | None
    profile_url: str | None


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    display_name: str
    location: str | None
    language: str | None
    first_seen_at: dt.datetime | None
    last_active_at: dt.datetime | None
    message_count: int
    is_vip: bool
    identities: list[IdentityOut]


class MemberPage(BaseModel):
    total: int
    page: int
    items: list[MemberOut]


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    type: str
    occurred_at: dt.datetime
    source_id: int | None
    message_id: int | None
    title: str | None


class IdentityDetail(IdentityOut):
    email: str | None
    email_verified: bool
    first_seen_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    messages: int = 0
    from_merge_id: int | None = None  # the active merge that brought it here (POST /merges/{id}/undo splits it)


class ConversationBrief(BaseModel):
    id: int
    title: str
    status: str
    source_id: int
    assignee_id: int | None
    priority_score: int
    priority_reasons: list[str]
    last_message_at: dt.datetime | None


class LanguageOut(BaseModel):
    code: str
    messages: int
    share: float


class Counts(BaseModel):
    messages: int
    conversations: int
    conversations_started: int
    open_conversations: int
    questions: int
    sentiment: dict[str, int]
    activities: dict[str, int]


class MemberDetail(MemberOut):
    avatar_url: str | None
    level: int | None
    segment: str | None
    is_blocked: bool
    merged_into_id: int | None
    identities: list[IdentityDetail]
    tags: list[str]
    languages: list[LanguageOut]
    counts: Counts
    open_conversations: list[ConversationBrief]


class TimelineMessage(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    conversation_id: int
    kind: str
    text: str
    url: str | None
    language: str | None
    is_taglish: bool | None
    sentiment_label: str | None
    sentiment_score: float | None
    intent: str | None
    moderation_status: str | None


class TimelineItemOut(BaseModel):
    kind: str  # message | activity
    at: dt.datetime
    id: int
    platform: str | None
    source_id: int | None
    message: TimelineMessage | None = None
    activity: ActivityOut | None = None


class TimelineOut(BaseModel):
    items: list[TimelineItemOut]
    next_cursor: str | None


class MemberPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, max_length=200)
    is_vip: bool | None = None
    location: str | None = Field(None, max_length=200)


@router.get("/members", response_model=MemberPage)
def list_members(q: str = Query("", max_length=200), platform: str = Query("", max_length=30),
                 sort: str = Query("active", pattern="^(active|messages|name|newest)$"),
                 page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200),
                 viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    f = queries.MemberFilter(q=q, platform=platform, sort=sort, page=page, per_page=per_page)
    rows, total = queries.list_members(s, viewer.user.workspace_id, f)
    return MemberPage(total=total, page=page, items=[MemberOut.model_validate(m) for m in rows])


@router.get("/members/{member_id}", response_model=MemberDetail)
def get_member(member_id: int, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """A member's profile: identities, tags, languages, counts and open conversations (timeline: /timeline)."""
    ws = viewer.user.workspace_id
    m = queries.member(s, ws, member_id)
    if m is None:
        raise HTTPException(404, "no such member")
    fig = profile_queries.figures(s, ws, m.id)
    convs, open_total = profile_queries.open_conversations(s, ws, m.id)
    identities = [IdentityDetail.model_validate(r.identity).model_copy(
        update={"messages": r.messages, "from_merge_id": r.merge.id if r.merge else None})
        for r in profile_queries.identities(s, ws, m, fig)]
    out = MemberOut.model_validate(m).model_dump(exclude={"identities"})
    return MemberDetail(
        **out, avatar_url=profile_queries.avatar_of(m), level=m.level, segment=m.segment, is_blocked=m.is_blocked,
        merged_into_id=m.merged_into_id, identities=identities,
        tags=[t.name for t in profile_queries.tags_of(s, m.id)],
        languages=[LanguageOut(code=x.code, messages=x.messages, share=round(x.share, 4)) for x in fig.languages],
        counts=Counts(messages=fig.messages, conversations=fig.conversations, conversations_started=fig.started,
                      open_conversations=open_total, questions=fig.questions, sentiment=fig.sentiment,
                      activities=fig.activities),
        open_conversations=[ConversationBrief(
            id=c.id, title=c.title, status=c.status, source_id=c.source_id, assignee_id=c.assignee_id,
            priority_score=c.priority_score or 0, last_message_at=c.last_message_at,
            priority_reasons=[profile_queries.reason_text(r) for r in c.priority_reasons or []]) for c in convs],
    )


@router.get("/members/{member_id}/timeline", response_model=TimelineOut)
def get_timeline(member_id: int, platform: str = Query("", max_length=30),
                 type: str = Query("", pattern="^(|" + "|".join(timeline.TYPES) + ")$"),
                 before: str = Query("", max_length=60), limit: int = Query(50, ge=1, le=200),
                 viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """The member's messages and other activities, newest first. Pass `next_cursor` as `before` for older ones."""
    ws = viewer.user.workspace_id
    if queries.member(s, ws, member_id) is None:
        raise HTTPException(404, "no such member")
    page = timeline.member_timeline(s, ws, member_id, platform=platform, type=type, before=before or None,
                                    limit=limit)
    items = [TimelineItemOut(
        kind=i.kind, at=i.at, id=i.id, platform=i.platform, source_id=i.source.id if i.source else None,
        message=TimelineMessage.model_validate(i.message) if i.message else None,
        activity=ActivityOut.model_validate(i.activity) if i.activity else None) for i in page.items]
    return TimelineOut(items=items, next_cursor=page.next_cursor)


@router.patch("/members/{member_id}", response_model=MemberOut)
def patch_member(member_id: int, body: MemberPatch, request: Request,
                 viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    actions.do_update_member(get_rt(request), viewer.actor(request), member_id, **body.model_dump(exclude_unset=True))
    return MemberOut.model_validate(queries.member(s, viewer.user.workspace_id, member_id))
