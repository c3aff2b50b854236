"""Sources page: connected platforms, their health, connecting a new one with a connection test."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Role
from kapwa.sources import actions, connect, queries
from kapwa.team import queries as team_q
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, viewer: Viewer, s: Session, **extra):
    ctx = {"rows": queries.sources_with_counts(s, viewer.user.workspace_id), "kinds": connect.available_kinds(),
           "needs": connect.NEEDS, "form": {}, "test_result": None,
           "webhook_base": get_rt(request).settings.base_url.rstrip("/"), "webhook_kinds": connect.WEBHOOK_KINDS,
           "active_team": [u for u in team_q.team(s, viewer.user.workspace_id) if u.is_active]}
    ctx.update(extra)
    return render(request, "sources.html", ctx)


@router.get("/sources")
async def sources_page(request: Request, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return _page(request, viewer, s)


@router.post("/sources")
async def add_source(request: Request, kind: str = Form(...), name: str = Form(..., max_length=200),
                     settings_json: str = Form("", max_length=20000), credentials: str = Form("", max_length=20000),
                     action: str = Form("connect", pattern="^(connect|test)$"),
                     viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    form = {"kind": kind, "name": name, "settings_json": settings_json}  # credentials are never echoed back
    try:
        config = connect.parse_json_field(settings_json, "settings")
        creds = connect.parse_json_field(credentials, "credentials", token_key="token")
    except ActionError as exc:
        return _page(request, viewer, s, form=form, test_result=(False, exc.message))
    if action == "test":
        ok, message = connect.test_connection(get_rt(request), kind, config, creds)
        return _page(request, viewer, s, form=form, test_result=(ok, message))
    try:
        src = actions.do_create_source(get_rt(request), viewer.actor(request), kind=kind, name=name, config=config,
                                       credentials=creds or None)
    except ActionError as exc:
        return _page(request, viewer, s, form=form, test_result=(False, exc.message))
    return redirect("/sources", f"Connected {src.name}")


@router.post("/sources/{source_id}")
async def update_source(source_id: int, request: Request, enabled: bool | None = Form(None),
                        name: str | None = Form(None, max_length=200), credentials: str = Form("", max_length=20000),
                        viewer: Viewer = Depends(require(Role.manager))):
    try:
        creds = connect.parse_json_field(credentials, "credentials", token_key="token") or None
        actions.do_update_source(get_rt(request), viewer.actor(request), source_id, name=name, enabled=enabled,
                                 credentials=creds)
    except ActionError as exc:
        return redirect("/sources", exc.message, "error")
    return redirect("/sources", "Saved")


@router.post("/sources/{source_id}/test")
async def test_source(source_id: int, request: Request, viewer: Viewer = Depends(require(Role.manager)),
                      s: Session = Depends(db)):
    src = queries.source(s, viewer.user.workspace_id, source_id)
    if src is None:
        raise HTTPException(404, "no such source")
    rt = get_rt(request)
    try:
        creds = rt.secrets.decrypt_json(src.credentials_encrypted)
    except ValueError as exc:
        return redirect("/sources", str(exc), "error")
    ok, message = connect.test_connection(rt, src.kind, src.config or {}, creds)
    return redirect("/sources", f"{src.name}: {message}", "ok" if ok else "error")


@router.post("/sources/{source_id}/sync")
async def sync_now(source_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                   s: Session = Depends(db)):
    src = queries.source(s, viewer.user.workspace_id, source_id)
    if src is None:
        raise HTTPException(404, "no such source")
    request.app.state.jobs().enqueue("sources.sync", source_id=source_id)
    return redirect("/sources", f"Sync of {src.name} started")


@router.post("/sources/{source_id}/delete")
async def delete_source(source_id: int, request: Request, viewer: Viewer = Depends(require(Role.owner))):
    actions.do_delete_source(get_rt(request), viewer.actor(request), source_id)
    return redirect("/sources", "Source removed")


@router.post("/sources/{source_id}/auto-assign")
async def set_auto_assign(source_id: int, request: Request, user_ids: list[int] = Form([]),
                          viewer: Viewer = Depends(require(Role.manager))):
    """Round-robin auto-assignment: the teammates who take turns on this source's new conversations."""
    try:
        src = actions.do_set_auto_assign(get_rt(request), viewer.actor(request), source_id, user_ids)
    except ActionError as exc:
        return redirect("/sources", exc.message, "error")
    return redirect("/sources", f"Auto-assign saved for {src.name}")
