"""Reply pages and forms: compose on the conversation page, act on a reply (submit, edit, approve, reject,
retry, cancel, settle), the approvals queue with the approval rules, and the per-source approval switch."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Reply, ReplyStatus, Role, Workspace
from kapwa.inbox import queries as inbox_queries
from kapwa.inbox.replies import actions, queries, rules, settings
from kapwa.inbox.replies.panel import reply_context
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)
ID = r"^(|\d{1,18})$"


def N_(message: str) -> str:
    return message


# Flash messages (translated when shown).
MESSAGES = [N_("Submitted"), N_("Saved"), N_("Approved: sending it now"), N_("Rejected: the author has been told why"),
            N_("Reply cancelled"), N_("Marked as sent"), N_("Sending it again"), N_("Saved reply added"),
            N_("Saved reply deleted")]
FLASH = {
    ReplyStatus.draft.value: N_("Draft saved"),
    ReplyStatus.pending_approval.value: N_("Submitted for approval"),
    ReplyStatus.approved.value: N_("Sending your reply…"),
}


def _local(url: str | None, fallback: str) -> str:
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url and len(url) < 500:
        return url
    return fallback


def _jobs(request: Request):
    return request.app.state.jobs()


@router.get("/conversations/{conversation_id}/replies")
async def reply_list(conversation_id: int, request: Request, viewer: Viewer = Depends(require(Role.analyst)),
                     s: Session = Depends(db)):
    """The conversation's reply cards alone (the composer refreshes them while a reply is being sent)."""
    conv = inbox_queries.conversation(s, viewer.user.workspace_id, conversation_id)
    if conv is None:
        raise HTTPException(404, "no such conversation")
    p = {**reply_context(s, viewer, conv), "conv": conv, "replies": queries.for_conversation(s, conv.id)}
    return render(request, "replies/_list.html", {"p": p})


@router.post("/conversations/{conversation_id}/replies")
async def create_reply(
    conversation_id: int,
    request: Request,
    body: str = Form(..., max_length=100000),
    action: str = Form("send", pattern="^(send|draft)$"),
    in_reply_to_id: str = Form("", pattern=ID),
    saved_reply_id: str = Form("", pattern=ID),
    idempotency_key: str = Form("", max_length=64),
    viewer: Viewer = Depends(require(Role.moderator)),
):
    back = f"/conversations/{conversation_id}"
    try:
        reply = actions.do_create_reply(
            get_rt(request), viewer.actor(request), conversation_id, body,
            in_reply_to_id=int(in_reply_to_id) if in_reply_to_id else None,
            saved_reply_id=int(saved_reply_id) if saved_reply_id else None,
            submit=action == "send", idempotency_key=idempotency_key or None, jobs=_jobs(request))
    except ActionError as exc:
        if exc.status_code == 404:
            raise
        return redirect(f"{back}#reply-form", exc.message, "error")
    return redirect(f"{back}#reply-{reply.id}", FLASH.get(reply.status))


def _act(request: Request, viewer: Viewer, s: Session, reply_id: int, next_url: str | None,
         fn: Callable[[], Reply], message: str | None):
    row = queries.reply(s, viewer.user.workspace_id, reply_id)
    if row is None:
        raise HTTPException(404, "no such reply")
    back = _local(next_url, f"/conversations/{row.conversation_id}")
    anchor = "" if "#" in back else f"#reply-{reply_id}"
    try:
        fn()
    except ActionError as exc:
        return redirect(back + anchor, exc.message, "error")
    return redirect(back + anchor, message)


@router.post("/replies/{reply_id}/submit")
async def submit_reply(reply_id: int, request: Request, next: str = Form(""),
                       viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    def run():
        return actions.do_submit_reply(get_rt(request), viewer.actor(request), reply_id, jobs=_jobs(request))
    return _act(request, viewer, s, reply_id, next, run, "Submitted")


@router.post("/replies/{reply_id}/edit")
async def edit_reply(reply_id: int, request: Request, body: str = Form(..., max_length=100000), next: str = Form(""),
                     viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    def run():
        return actions.do_edit_reply(get_rt(request), viewer.actor(request), reply_id, body, jobs=_jobs(request))
    return _act(request, viewer, s, reply_id, next, run, "Saved")


@router.post("/replies/{reply_id}/approve")
async def approve_reply(reply_id: int, request: Request, body: str | None = Form(None, max_length=100000),
                        note: str = Form("", max_length=1000), next: str = Form(""),
                        viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    def run():
        return actions.do_approve_reply(get_rt(request), viewer.actor(request), reply_id, body=body, note=note,
                                        jobs=_jobs(request))
    return _act(request, viewer, s, reply_id, next, run, "Approved: sending it now")


@router.post("/replies/{reply_id}/reject")
async def reject_reply(reply_id: int, request: Request, reason: str = Form(..., max_length=1000),
                       next: str = Form(""), viewer: Viewer = Depends(require(Role.manager)),
                       s: Session = Depends(db)):
    def run():
        return actions.do_reject_reply(get_rt(request), viewer.actor(request), reply_id, reason)
    return _act(request, viewer, s, reply_id, next, run, "Rejected: the author has been told why")


@router.post("/replies/{reply_id}/retry")
async def retry_reply(reply_id: int, request: Request, next: str = Form(""),
                      viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    def run():
        return actions.do_retry_reply(get_rt(request), viewer.actor(request), reply_id, jobs=_jobs(request))
    return _act(request, viewer, s, reply_id, next, run, "Sending your reply…")


@router.post("/replies/{reply_id}/cancel")
async def cancel_reply(reply_id: int, request: Request, next: str = Form(""),
                       viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    def run():
        return actions.do_cancel_reply(get_rt(request), viewer.actor(request), reply_id)
    return _act(request, viewer, s, reply_id, next, run, "Reply cancelled")


@router.post("/replies/{reply_id}/settle")
async def settle_reply(reply_id: int, request: Request, outcome: str = Form(..., pattern="^(sent|resend)$"),
                       url: str = Form("", max_length=1000), next: str = Form(""),
                       viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    def run():
        return actions.do_settle_reply(get_rt(request), viewer.actor(request), reply_id, outcome, url=url,
                                       jobs=_jobs(request))
    return _act(request, viewer, s, reply_id, next, run, "Marked as sent" if outcome == "sent" else "Sending it again")


# ---------------------------------------------------------------------------------------------- approvals


@router.get("/approvals")
async def approvals_page(request: Request, viewer: Viewer = Depends(require(Role.manager)), s: Session = Depends(db)):
    ws = s.get(Workspace, viewer.user.workspace_id)
    pending = queries.pending_approvals(s, ws.id)
    context = {r.id: queries.last_inbound(s, r.conversation_id) for r in pending}
    p = {**reply_context(s, viewer, None)}
    return render(request, "replies/approvals.html", {
        "pending": pending, "context": context, "recent": queries.recently_reviewed(s, ws.id), "p": p,
        "roles": rules.CONFIGURABLE_ROLES, "approval_roles": rules.approval_roles(ws),
        "sources": queries.sources(s, ws.id), "may_approve": lambda r: rules.may_approve(
            s, ws.id, viewer.user.id, viewer.role, r.author_user_id)[0],
    })


@router.post("/approvals/settings")
async def approval_settings(request: Request, roles: list[str] = Form([]), form: str = Form(..., pattern="^roles$"),
                            viewer: Viewer = Depends(require(Role.manager))):
    try:
        settings.do_set_approval_roles(get_rt(request), viewer.actor(request), roles)
    except ActionError as exc:
        return redirect("/approvals#rules", exc.message, "error")
    return redirect("/approvals#rules", "Saved")


@router.post("/sources/{source_id}/reply-approval")
async def source_reply_approval(source_id: int, request: Request, required: str = Form(..., pattern="^(true|false)$"),
                                next: str = Form(""), viewer: Viewer = Depends(require(Role.manager))):
    back = _local(next, "/sources")
    try:
        settings.do_set_source_reply_approval(get_rt(request), viewer.actor(request), source_id, required == "true")
    except ActionError as exc:
        if exc.status_code == 404:
            raise
        return redirect(back, exc.message, "error")
    return redirect(back, "Saved")
