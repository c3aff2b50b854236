"""REST API: members."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.members import actions, queries
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


class MemberDetail(MemberOut):
    activities: list[ActivityOut]


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
    m = queries.member(s, viewer.user.workspace_id, member_id)
    if m is None:
        raise HTTPException(404, "no such member")
    out = MemberOut.model_validate(m).model_dump()
    out["activities"] = [ActivityOut.model_validate(a) for a in queries.timeline(s, m.id)]
    return MemberDetail(**out)


@router.patch("/members/{member_id}", response_model=MemberOut)
def patch_member(member_id: int, body: MemberPatch, request: Request,
                 viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    actions.do_update_member(get_rt(request), viewer.actor(request), member_id, **body.model_dump(exclude_unset=True))
    return MemberOut.model_validate(queries.member(s, viewer.user.workspace_id, member_id))
