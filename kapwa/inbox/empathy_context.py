"""The empathy check for a conversation: who the reply is for, read from the conversation's messages.

    report = check_conversation_reply(session, conversation, draft, agent=viewer.user)

The member is the author of the latest inbound message; their last few messages in the thread, their name,
the language and sentiment the analysis stored, and the workspace's saved replies (offered in their language)
go to :func:`kapwa.inbox.empathy.check_reply`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Message, User
from kapwa.inbox import suggest_queries as q
from kapwa.inbox.empathy import EmpathyReport, check_reply

MEMBER_TEXTS = 5


def member_context(conversation: Conversation | None, messages: list[Message], *,
                   reply_to_id: int | None = None) -> dict[str, Any]:
    """``check_reply`` keyword arguments for a reply to this conversation (``messages`` oldest first).

    The member is the author of the message replied to (``reply_to_id``, the composer's "Reply to this"), else
    whoever started the conversation if they wrote in it, else the author of the latest inbound message — a
    "same here" from a bystander does not change whom the team is answering."""
    inbound = [m for m in messages if m.direction == "inbound" and (m.text or "").strip()]
    if not inbound:
        return {"member_texts": [], "member_language": None, "member_name": None, "member_sentiment": None}
    target = next((m for m in inbound if m.id == reply_to_id), None) if reply_to_id else None
    if target is None and conversation is not None and conversation.started_by_member_id is not None:
        target = next((m for m in reversed(inbound) if m.member_id == conversation.started_by_member_id), None)
    latest = target or inbound[-1]
    if target is not None:
        inbound = [m for m in inbound if m.created_at <= target.created_at]
    if latest.member_id is not None:
        mine = [m for m in inbound if m.member_id == latest.member_id]
    elif latest.author_identity_id is not None:
        mine = [m for m in inbound if m.author_identity_id == latest.author_identity_id]
    else:
        mine = [latest]
    mine = mine[-MEMBER_TEXTS:]
    language = None
    for m in reversed(mine):
        if m.is_taglish:
            language = "taglish"
        elif m.language in ("en", "tl", "fil"):
            language = m.language
        if language:
            break
    if language is None and conversation is not None and conversation.language:
        language = "taglish" if conversation.is_taglish else conversation.language
    name = None
    if latest.member is not None:
        name = latest.member.display_name
    elif latest.author is not None:
        name = latest.author.display_name
    return {"member_texts": [m.text for m in mine], "member_language": language, "member_name": name,
            "member_sentiment": latest.sentiment_score}


@dataclass(frozen=True)
class RenderedReply:
    """A saved reply with its variables filled in for one conversation and teammate."""

    id: int
    name: str
    language: str
    body: str
    is_answer: bool


def rendered_saved_replies(s: Session, conversation: Conversation, agent: User | None, *,
                           answers_only: bool = False) -> list[RenderedReply]:
    """The workspace's saved replies (or only those marked as answers), rendered with the composer's
    variables ({member_name}, {agent_name}, …; kapwa.inbox.replies.variables) for this conversation."""
    rows = (q.saved_answers if answers_only else q.saved_replies)(s, conversation.workspace_id)
    if not rows:
        return []
    from kapwa.inbox.replies.variables import render, values_for

    values = values_for(s, conversation, agent)
    return [RenderedReply(r.id, r.name, r.language, render(r.body, values), bool(r.is_answer)) for r in rows]


def check_conversation_reply(s: Session, conversation: Conversation, draft: str, *, agent: User | None = None,
                             messages: list[Message] | None = None, reply_to_id: int | None = None) -> EmpathyReport:
    """The empathy check of ``draft`` as a reply to ``conversation`` (or to one message of it, ``reply_to_id``)
    by ``agent`` (reads its latest messages and the workspace's saved replies)."""
    if messages is None:
        messages = q.conversation_messages(s, conversation.id, limit=50)
    ctx = member_context(conversation, messages, reply_to_id=reply_to_id)
    return check_reply(draft, **ctx, saved_replies=rendered_saved_replies(s, conversation, agent),
                       agent_name=agent.name if agent else None)
