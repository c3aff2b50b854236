"""The empathy check and suggested answers over HTTP.

* ``POST /conversations/{id}/empathy-check`` (moderator+, browser session with ``X-CSRF-Token``), JSON
  ``{"draft": "…"}`` → the :class:`~kapwa.inbox.empathy.EmpathyReport` as JSON, computed against the
  conversation's member; called by ``static/empathy.js`` while the reply is typed.
* ``POST /api/v1/empathy-check`` (moderator+, token or session): ``{"draft", "conversation_id"}`` or, without a
  conversation, ``{"draft", "member_texts", "member_language", "member_name", "member_sentiment"}``.
* ``GET /api/v1/conversations/{id}/suggestions`` (analyst+): up to three suggested answers with their sources.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.i18n import gettext
from kapwa.core.models import Role
from kapwa.inbox import queries
from kapwa.inbox import suggest_queries as sq
from kapwa.inbox.empathy import check_reply
from kapwa.inbox.empathy_context import check_conversation_reply
from kapwa.inbox.suggest import suggest_answers
from kapwa.web.auth import Viewer, db, require

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["empathy and suggested answers"])
MAX_DRAFT = 10_000


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    draft: str = Field(..., max_length=MAX_DRAFT)
    in_reply_to_id: int | None = Field(None, ge=1)  # the composer's "Reply to this" message


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    draft: str = Field(..., max_length=MAX_DRAFT)
    conversation_id: int | None = Field(None, ge=1)
    in_reply_to_id: int | None = Field(None, ge=1)
    member_texts: list[str] = Field(default_factory=list, max_length=20)
    member_language: str | None = Field(None, pattern="^(en|tl|fil|taglish)$")
    member_name: str | None = Field(None, max_length=200)
    member_sentiment: float | None = Field(None, ge=-1, le=1)


class FindingOut(BaseModel):
    code: str
    severity: str
    message: str
    suggestion: str
    span: list[int] | None
    phrase: str | None
    fix: str | None
    replacement: str | None


class ReportOut(BaseModel):
    ok: bool
    warnings: int
    infos: int
    findings: list[FindingOut]
    draft_language: str | None
    member_language: str | None
    member_upset: bool
    reply_language: str
    elapsed_ms: float
    labels: dict[str, str] | None = None  # the browser's strings, in the teammate's language


class SuggestionOut(BaseModel):
    text: str
    score: float
    kind: str
    source: str
    by_team: bool
    author: str | None
    conversation_id: int | None
    conversation_title: str | None
    message_id: int | None
    saved_reply_id: int | None
    resolved: bool
    uses: int
    answered_at: str | None


class SuggestionsOut(BaseModel):
    question_message_id: int | None
    query: str
    items: list[SuggestionOut]
    elapsed_ms: float


def _conversation(s: Session, viewer: Viewer, conversation_id: int):
    conv = queries.conversation(s, viewer.user.workspace_id, conversation_id)
    if conv is None:
        raise HTTPException(404, "no such conversation")
    return conv


@router.post("/conversations/{conversation_id}/empathy-check", response_model=ReportOut)
def conversation_empathy_check(conversation_id: int, body: DraftIn, viewer: Viewer = Depends(require(Role.moderator)),
                               s: Session = Depends(db)):
    conv = _conversation(s, viewer, conversation_id)
    report = check_conversation_reply(s, conv, body.draft, agent=viewer.user, reply_to_id=body.in_reply_to_id)
    return {**report.to_dict(), "labels": _labels()}


def _labels() -> dict[str, str]:
    return {"warning": gettext("Warning"), "tip": gettext("Tip"), "suggestion": gettext("Suggestion"),
            "use_this": gettext("Use this"), "show": gettext("Show in the reply"),
            "all_good": gettext("Reads kindly: no suggestions."),
            "summary_warn": gettext("Before you send: {n} to look at."), "summary_info": gettext("Looks fine. A few tips:"),
            "confirm": gettext("This reply still has {n} warning(s). Send anyway?"),
            "send_anyway": gettext("Send anyway"), "keep_editing": gettext("Keep editing")}


@api_router.post("/empathy-check", response_model=ReportOut)
def api_empathy_check(body: CheckIn, viewer: Viewer = Depends(require(Role.moderator)), s: Session = Depends(db)):
    """Check a reply draft for harsh, dismissive or blaming wording, a tone that clashes with an upset member,
    and a language other than the member's. Give ``conversation_id`` to check against that conversation's
    member (``in_reply_to_id``: the message answered, when it is not the conversation starter's), or describe the member with ``member_texts`` (their latest messages), ``member_language``,
    ``member_name`` and ``member_sentiment``."""
    if body.conversation_id is not None:
        conv = _conversation(s, viewer, body.conversation_id)
        return check_conversation_reply(s, conv, body.draft, agent=viewer.user,
                                        reply_to_id=body.in_reply_to_id).to_dict()
    return check_reply(body.draft, member_texts=body.member_texts, member_language=body.member_language,
                       member_name=body.member_name, member_sentiment=body.member_sentiment,
                       saved_replies=sq.saved_replies(s, viewer.user.workspace_id),
                       agent_name=viewer.user.name).to_dict()


@api_router.get("/conversations/{conversation_id}/suggestions", response_model=SuggestionsOut)
def api_suggestions(conversation_id: int, viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    """Up to three suggested answers to the conversation's latest question: past answers from similar
    conversations (with who answered, where and when) and saved replies marked as answers, each with a
    similarity ``score`` in [0, 1]. ``items`` is empty when the latest member message is not a question."""
    conv = _conversation(s, viewer, conversation_id)
    return suggest_answers(s, conv, agent=viewer.user).to_dict()
