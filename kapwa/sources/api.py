"""REST API: sources. Credentials go in, never come out."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.sources import actions, queries
from kapwa.web.auth import Viewer, db, get_rt, require

router = APIRouter(prefix="/api/v1", tags=["sources"])


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    enabled: bool
    health: str
    last_sync_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    items_last_sync: int
    has_credentials: bool = False
    messages: int = 0
    identities: int = 0


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    name: str = Field(..., min_length=1, max_length=200)
    config: dict = {}
    credentials: dict | None = None


def _out(src, messages: int = 0, identities: int = 0) -> SourceOut:
    out = SourceOut.model_validate(src)
    out.has_credentials = src.credentials_encrypted is not None
    out.messages, out.identities = messages, identities
    return out


@router.get("/sources", response_model=list[SourceOut])
def list_sources(viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return [_out(src, m, i) for src, m, i in queries.sources_with_counts(s, viewer.user.workspace_id)]


@router.post("/sources", response_model=SourceOut, status_code=201)
def create_source(body: SourceIn, request: Request, viewer: Viewer = Depends(require(Role.manager))):
    src = actions.do_create_source(get_rt(request), viewer.actor(request), kind=body.kind, name=body.name,
                                   config=body.config, credentials=body.credentials)
    return _out(src)
