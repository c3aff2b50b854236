"""The conversation page and its forms (status, priority, assignee, tags, notes, label corrections).

The conversations list (the archive) lives with the inbox: kapwa/inbox/inbox_views.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import ConversationStatus, Priority, Role
from kapwa.core.models.analysis import CORRECTABLE, TOXICITY_SHOWN_AT
from kapwa.inbox import actions, corrections, panels, queries
from kapwa.inbox.queries import INTENT_PATTERN, LANGUAGE_PATTERN, SENTIMENT_PATTERN
from kapwa.team import queries as team_q
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/conversations/{conversation_id}")
async def conversation_page(conversation_id: int, request: Request, viewer: Viewer = Depends(require(Role.analyst)),
                            s: Session = Depends(db)):
    ws = viewer.user.workspace_id
    conv = queries.conversation(s, ws, conversation_id)
    if conv is None:
        raise HTTPException(404, "no such conversation")
    msgs = queries.messages(s, conv.id)
    return render(request, "conversations/detail.html", {
        "c": conv, "messages": msgs, "notes": queries.notes(s, conv.id),
        "team": team_q.team(s, ws), "statuses": ConversationStatus.values(), "priorities": Priority.values(),
        "corrected": queries.corrected_fields(s, [m.id for m in msgs]), "current_label": corrections.current_value,
        "correctable": CORRECTABLE, "toxicity_shown_at": TOXICITY_SHOWN_AT,
        "panels": panels.collect(s, viewer, conv, msgs),
    })


@router.post("/conversations/{conversation_id}")
async def update_conversation(
    conversation_id: int,
    request: Request,
    status: str | None = Form(None),
    priority: str | None = Form(None),
    assignee_id: str | None = Form(None, pattern=r"^(|\d+)$"),
    viewer: Viewer = Depends(require(Role.moderator)),
):
    kwargs: dict = {"status": status or None, "priority": priority or None}
    if assignee_id is not None:
        kwargs["assignee_id"] = int(assignee_id) if assignee_id else None
    try:
        actions.do_update_conversation(get_rt(request), viewer.actor(request), conversation_id, **kwargs)
    except ActionError as exc:
        return redirect(f"/conversations/{conversation_id}", exc.message, "error")
    return redirect(f"/conversations/{conversation_id}", "Saved")


@router.post("/conversations/{conversation_id}/tags")
async def tag_conversation(conversation_id: int, request: Request, tag: str = Form(..., max_length=60),
                           remove: bool = Form(False), viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_tag_conversation(get_rt(request), viewer.actor(request), conversation_id, tag, remove=remove)
    except ActionError as exc:
        return redirect(f"/conversations/{conversation_id}", exc.message, "error")
    return redirect(f"/conversations/{conversation_id}")


@router.post("/conversations/{conversation_id}/notes")
async def note_conversation(conversation_id: int, request: Request, body: str = Form(..., max_length=10000),
                            viewer: Viewer = Depends(require(Role.moderator))):
    try:
        actions.do_add_conversation_note(get_rt(request), viewer.actor(request), conversation_id, body)
    except ActionError as exc:
        return redirect(f"/conversations/{conversation_id}", exc.message, "error")
    return redirect(f"/conversations/{conversation_id}#notes", "Note added")


@router.post("/messages/{message_id}/labels")
async def correct_labels(
    message_id: int,
    request: Request,
    sentiment_label: str = Form("", pattern=SENTIMENT_PATTERN),
    toxic: str = Form("", pattern="^(|yes|no)$"),
    intent: str = Form("", pattern=INTENT_PATTERN),
    language: str = Form("", pattern=LANGUAGE_PATTERN),
    viewer: Viewer = Depends(require(Role.moderator)),
    s: Session = Depends(db),
):
    """Correct a message's analysis labels (moderator+, see kapwa/inbox/corrections.py). Empty = leave as is."""
    msg = queries.message_in_workspace(s, viewer.user.workspace_id, message_id)
    if msg is None:
        raise HTTPException(404, "no such message")
    back = f"/conversations/{msg.conversation_id}#msg-{msg.id}"
    values = {k: v for k, v in {"sentiment_label": sentiment_label, "toxic": toxic, "intent": intent,
                                "language": language}.items() if v}
    try:
        stored = corrections.do_correct_labels(get_rt(request), viewer.actor(request), message_id, values)
    except ActionError as exc:
        return redirect(back, exc.message, "error")
    return redirect(back, "Labels corrected" if stored else "Nothing to change")
