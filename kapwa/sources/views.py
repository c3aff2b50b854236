"""Sources page: connected platforms and their health."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import PLATFORMS, Role
from kapwa.sources import actions, queries
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/sources")
async def sources_page(request: Request, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return render(request, "sources.html", {"rows": queries.sources_with_counts(s, viewer.user.workspace_id),
                                            "platforms": PLATFORMS})


def _parse_credentials(raw: str) -> dict | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw.startswith("{"):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ActionError(f"credentials: not valid JSON (line {exc.lineno}, column {exc.colno})",
                              field="credentials") from None
        if not isinstance(value, dict):
            raise ActionError("credentials: must be a JSON object", field="credentials")
        return value
    return {"token": raw}


@router.post("/sources")
async def add_source(request: Request, kind: str = Form(...), name: str = Form(..., max_length=200),
                     credentials: str = Form("", max_length=20000), viewer: Viewer = Depends(require(Role.manager))):
    try:
        src = actions.do_create_source(get_rt(request), viewer.actor(request), kind=kind, name=name,
                                       credentials=_parse_credentials(credentials))
    except ActionError as exc:
        return redirect("/sources", exc.message, "error")
    return redirect("/sources", f"Connected {src.name}")


@router.post("/sources/{source_id}")
async def update_source(source_id: int, request: Request, enabled: bool | None = Form(None),
                        name: str | None = Form(None, max_length=200), credentials: str = Form("", max_length=20000),
                        viewer: Viewer = Depends(require(Role.manager))):
    try:
        actions.do_update_source(get_rt(request), viewer.actor(request), source_id, name=name, enabled=enabled,
                                 credentials=_parse_credentials(credentials))
    except ActionError as exc:
        return redirect("/sources", exc.message, "error")
    return redirect("/sources", "Saved")


@router.post("/sources/{source_id}/delete")
async def delete_source(source_id: int, request: Request, viewer: Viewer = Depends(require(Role.owner))):
    actions.do_delete_source(get_rt(request), viewer.actor(request), source_id)
    return redirect("/sources", "Source removed")
