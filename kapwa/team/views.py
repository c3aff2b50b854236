"""Team and roles admin, the audit log, and the signed-in user's profile (language, password, API tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Role
from kapwa.team import actions, queries
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/team")
async def team_page(request: Request, viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    return render(request, "team.html", {"team": queries.team(s, viewer.user.workspace_id), "roles": Role.values()})


@router.post("/team")
async def add_user(request: Request, email: str = Form(..., max_length=320), name: str = Form(..., max_length=200),
                   password: str = Form(..., max_length=1000), role: str = Form(...), locale: str = Form("en"),
                   viewer: Viewer = Depends(require(Role.owner))):
    try:
        user = actions.do_create_user(get_rt(request), viewer.actor(request), email=email, name=name,
                                      password=password, role=role, locale=locale)
    except ActionError as exc:
        return redirect("/team", exc.message, "error")
    return redirect("/team", f"Added {user.name}")


@router.post("/team/{user_id}")
async def update_user(user_id: int, request: Request, role: str | None = Form(None),
                      is_active: bool | None = Form(None), viewer: Viewer = Depends(require(Role.owner))):
    try:
        actions.do_update_user(get_rt(request), viewer.actor(request), user_id, role=role or None,
                               is_active=is_active)
    except ActionError as exc:
        return redirect("/team", exc.message, "error")
    return redirect("/team", "Saved")


@router.get("/audit")
async def audit_page(request: Request, page: int = Query(1, ge=1, le=100000), action: str = Query("", max_length=80),
                     viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    rows, total = queries.audit_page(s, viewer.user.workspace_id, page=page, action=action or None)
    return render(request, "audit.html", {"rows": rows, "total": total, "page": page, "action": action,
                                          "pages": max(1, -(-total // 50))})


@router.get("/me")
async def profile(request: Request, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return render(request, "profile.html", {"tokens": queries.tokens_for(s, viewer.user.id), "new_token": None})


@router.post("/me/tokens")
async def create_token(request: Request, name: str = Form(..., max_length=100),
                       viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    try:
        _, secret = actions.do_create_api_token(get_rt(request), viewer.actor(request), name)
    except ActionError as exc:
        return redirect("/me", exc.message, "error")
    # Shown once, on this response only; never stored in clear.
    return render(request, "profile.html", {"tokens": queries.tokens_for(s, viewer.user.id), "new_token": secret})


@router.post("/me/tokens/{token_id}/revoke")
async def revoke_token(token_id: int, request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    actions.do_revoke_api_token(get_rt(request), viewer.actor(request), token_id)
    return redirect("/me", "Token revoked")


@router.post("/me/password")
async def change_password(request: Request, current_password: str = Form(..., max_length=1000),
                          new_password: str = Form(..., max_length=1000),
                          viewer: Viewer = Depends(require(Role.analyst))):
    try:
        actions.do_change_password(get_rt(request), viewer.actor(request), current_password, new_password)
    except ActionError as exc:
        return redirect("/me", exc.message, "error")
    return redirect("/me", "Password changed")
