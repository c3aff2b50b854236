"""Saved replies pages: the list (grouped by name, English and Filipino side by side, with a preview), and the
form to add or change one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Role, Workspace
from kapwa.inbox.replies import queries, saved, variables
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


def _sample(viewer: Viewer, ws: Workspace | None) -> dict:
    return {"member_name": "Maria Santos", "member_first_name": "Maria", "agent_name": viewer.user.name,
            "community_name": ws.name if ws else "", "platform": "Discord"}


def _form(request: Request, viewer: Viewer, s: Session, form: dict, error: str | None = None, status: int = 200):
    return render(request, "replies/saved_form.html", {
        "form": form, "error": error, "languages": saved.LANGUAGES, "variables": variables.VARIABLES,
        "can_edit": form.get("id") is None or form.get("created_by_id") == viewer.user.id or viewer.can("manager"),
    }, status_code=status)


@router.get("/saved-replies")
async def saved_list(request: Request, language: str = Query("", pattern="^(|en|tl)$"),
                     q: str = Query("", max_length=100), viewer: Viewer = Depends(require(Role.analyst)),
                     s: Session = Depends(db)):
    ws = s.get(Workspace, viewer.user.workspace_id)
    rows = queries.saved_replies(s, ws.id, language=language, q=q.strip())
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.name, []).append(r)
    sample = _sample(viewer, ws)
    return render(request, "replies/saved_list.html", {
        "groups": groups, "language": language, "q": q, "languages": saved.LANGUAGES, "total": len(rows),
        "preview": lambda body: variables.render(body, sample), "variables": variables.VARIABLES,
    })


@router.get("/saved-replies/new")
async def saved_new(request: Request, name: str = Query("", max_length=120),
                    language: str = Query("en", pattern="^(en|tl)$"),
                    viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    return _form(request, viewer, s, {"name": name, "language": language, "body": "", "shortcut": "",
                                      "is_answer": True})


@router.post("/saved-replies")
async def saved_create(request: Request, name: str = Form(..., max_length=200), body: str = Form(..., max_length=20000),
                       language: str = Form("en", max_length=10), shortcut: str = Form("", max_length=60),
                       is_answer: bool = Form(False), viewer: Viewer = Depends(require(Role.moderator)),
                       s: Session = Depends(db)):
    form = {"name": name, "language": language, "body": body, "shortcut": shortcut, "is_answer": is_answer}
    try:
        row = saved.do_create_saved_reply(get_rt(request), viewer.actor(request), name=name, body=body,
                                          language=language, shortcut=shortcut, is_answer=is_answer)
    except ActionError as exc:
        return _form(request, viewer, s, form, exc.message, status=exc.status_code)
    return redirect(f"/saved-replies#saved-{row.id}", "Saved reply added")


@router.get("/saved-replies/{saved_reply_id}")
async def saved_edit(saved_reply_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator)),
                     s: Session = Depends(db)):
    row = queries.saved_reply(s, viewer.user.workspace_id, saved_reply_id)
    if row is None:
        raise HTTPException(404, "no such saved reply")
    return _form(request, viewer, s, {"id": row.id, "name": row.name, "language": row.language, "body": row.body,
                                      "shortcut": row.shortcut or "", "is_answer": row.is_answer,
                                      "created_by_id": row.created_by_id, "use_count": row.use_count})


@router.post("/saved-replies/{saved_reply_id}")
async def saved_update(saved_reply_id: int, request: Request, name: str = Form(..., max_length=200),
                       body: str = Form(..., max_length=20000), language: str = Form("en", max_length=10),
                       shortcut: str = Form("", max_length=60), is_answer: bool = Form(False),
                       viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    row = queries.saved_reply(s, viewer.user.workspace_id, saved_reply_id)
    if row is None:
        raise HTTPException(404, "no such saved reply")
    form = {"id": row.id, "name": name, "language": language, "body": body, "shortcut": shortcut,
            "is_answer": is_answer, "created_by_id": row.created_by_id, "use_count": row.use_count}
    try:
        saved.do_update_saved_reply(get_rt(request), viewer.actor(request), saved_reply_id, name=name, body=body,
                                    language=language, shortcut=shortcut, is_answer=is_answer)
    except ActionError as exc:
        return _form(request, viewer, s, form, exc.message, status=exc.status_code)
    return redirect(f"/saved-replies#saved-{saved_reply_id}", "Saved")


@router.post("/saved-replies/{saved_reply_id}/delete")
async def saved_delete(saved_reply_id: int, request: Request, viewer: Viewer = Depends(require(Role.moderator))):
    try:
        saved.do_delete_saved_reply(get_rt(request), viewer.actor(request), saved_reply_id)
    except ActionError as exc:
        if exc.status_code == 404:
            raise
        return redirect("/saved-replies", exc.message, "error")
    return redirect("/saved-replies", "Saved reply deleted")
