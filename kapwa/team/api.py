"""REST API: the signed-in user, the team, and the audit log."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.team import actions, queries
from kapwa.web.auth import Viewer, db, get_rt, require

router = APIRouter(prefix="/api/v1", tags=["team"])


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: str
    locale: str
    is_active: bool
    last_login_at: dt.datetime | None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(..., max_length=320)
    name: str = Field(..., min_length=1, max_length=200)
    password: str = Field(..., max_length=1000)
    role: str
    locale: str = "en"


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str | None = None
    is_active: bool | None = None
    name: str | None = Field(None, max_length=200)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: dt.datetime
    actor_user_id: int | None
    action: str
    target_type: str | None
    target_id: int | None
    summary: str
    changes: dict


class AuditPage(BaseModel):
    total: int
    page: int
    items: list[AuditOut]


@router.get("/me", response_model=UserOut)
def me(viewer: Viewer = Depends(require(Role.analyst))):
    return UserOut.model_validate(viewer.user)


@router.get("/team", response_model=list[UserOut])
def team(viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    return [UserOut.model_validate(u) for u in queries.team(s, viewer.user.workspace_id)]


@router.post("/team", response_model=UserOut, status_code=201)
def add_user(body: UserIn, request: Request, viewer: Viewer = Depends(require(Role.owner))):
    return UserOut.model_validate(actions.do_create_user(get_rt(request), viewer.actor(request), **body.model_dump()))


@router.patch("/team/{user_id}", response_model=UserOut)
def patch_user(user_id: int, body: UserPatch, request: Request, viewer: Viewer = Depends(require(Role.owner))):
    user = actions.do_update_user(get_rt(request), viewer.actor(request), user_id, **body.model_dump(exclude_unset=True))
    return UserOut.model_validate(user)


@router.get("/audit", response_model=AuditPage)
def audit(page: int = Query(1, ge=1), action: str = Query("", max_length=80),
          viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    rows, total = queries.audit_page(s, viewer.user.workspace_id, page=page, action=action or None)
    return AuditPage(total=total, page=page, items=[AuditOut.model_validate(r) for r in rows])
