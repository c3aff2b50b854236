"""Workspace home: today's figures and what is waiting."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from kapwa.core.models import Role
from kapwa.insights.overview import overview
from kapwa.team import queries as team_q
from kapwa.web.auth import Viewer, db, require
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    ws = team_q.workspace(s, viewer.user.workspace_id)
    return render(request, "home.html", {"ov": overview(s, viewer.user.workspace_id), "workspace": ws})


@router.get("/healthz")
async def healthz():
    return PlainTextResponse("ok")


healthz.public = True
