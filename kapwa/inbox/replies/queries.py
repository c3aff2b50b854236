"""Reads for replies, the approvals queue and saved replies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Conversation, Message, Reply, ReplyEvent, ReplyStatus, SavedReply, Source
from kapwa.core.models.analysis import TAGALOG_CODES

_WITH = (selectinload(Reply.author), selectinload(Reply.reviewer),
         selectinload(Reply.events).selectinload(ReplyEvent.user))


def reply(s: Session, workspace_id: int, reply_id: int) -> Reply | None:
    return s.scalar(select(Reply).options(*_WITH).where(Reply.id == reply_id, Reply.workspace_id == workspace_id))


def for_conversation(s: Session, conversation_id: int) -> list[Reply]:
    """The conversation's replies, oldest first, with their history (cancelled ones last-but-kept)."""
    return list(s.scalars(select(Reply).options(*_WITH).where(Reply.conversation_id == conversation_id)
                          .order_by(Reply.created_at, Reply.id)))


def pending_approvals(s: Session, workspace_id: int) -> list[Reply]:
    """Replies waiting for a reviewer, oldest first (the one waiting longest is at the top)."""
    return list(s.scalars(
        select(Reply).options(*_WITH, selectinload(Reply.conversation).selectinload(Conversation.source))
        .where(Reply.workspace_id == workspace_id, Reply.status == ReplyStatus.pending_approval.value)
        .order_by(Reply.created_at, Reply.id)))


def pending_count(s: Session, workspace_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Reply).where(
        Reply.workspace_id == workspace_id, Reply.status == ReplyStatus.pending_approval.value)) or 0


def recently_reviewed(s: Session, workspace_id: int, limit: int = 10) -> list[Reply]:
    return list(s.scalars(
        select(Reply).options(*_WITH, selectinload(Reply.conversation))
        .where(Reply.workspace_id == workspace_id, Reply.reviewed_at.is_not(None))
        .order_by(Reply.reviewed_at.desc()).limit(limit)))


def list_replies(s: Session, workspace_id: int, *, status: str = "", conversation_id: int | None = None,
                 author_id: int | None = None, page: int = 1, per_page: int = 50) -> tuple[list[Reply], int]:
    q = select(Reply).where(Reply.workspace_id == workspace_id)
    if status:
        q = q.where(Reply.status == status)
    if conversation_id is not None:
        q = q.where(Reply.conversation_id == conversation_id)
    if author_id is not None:
        q = q.where(Reply.author_user_id == author_id)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.options(*_WITH).order_by(Reply.created_at.desc(), Reply.id.desc())
                     .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def last_inbound(s: Session, conversation_id: int, limit: int = 2) -> list[Message]:
    return list(s.scalars(select(Message).options(selectinload(Message.member)).where(
        Message.conversation_id == conversation_id, Message.direction == "inbound", Message.deleted_at.is_(None))
        .order_by(Message.created_at.desc()).limit(limit)))[::-1]


# ------------------------------------------------------------------------------------------- saved replies


def saved_replies(s: Session, workspace_id: int, *, language: str = "", q: str = "") -> list[SavedReply]:
    stmt = select(SavedReply).where(SavedReply.workspace_id == workspace_id)
    if language:
        stmt = stmt.where(SavedReply.language == language)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(SavedReply.name).like(like) | func.lower(SavedReply.body).like(like))
    return list(s.scalars(stmt.order_by(func.lower(SavedReply.name), SavedReply.language)))


def saved_reply(s: Session, workspace_id: int, saved_reply_id: int) -> SavedReply | None:
    return s.scalar(select(SavedReply).where(SavedReply.id == saved_reply_id,
                                             SavedReply.workspace_id == workspace_id))


def preferred_language(conv: Conversation) -> str:
    """The saved-reply language to offer first: Filipino for Tagalog or Taglish conversations, else English."""
    if conv.is_taglish or (conv.language or "") in TAGALOG_CODES:
        return "tl"
    return "en"


@dataclass
class Choice:
    """One saved reply in the composer's picker: the member's language first, then the most used."""

    id: int
    name: str
    language: str
    shortcut: str | None
    text: str  # rendered for this conversation
    use_count: int
    preferred: bool


def composer_choices(s: Session, workspace_id: int, conv: Conversation, values: dict) -> list[Choice]:
    from kapwa.inbox.replies.variables import render

    first = preferred_language(conv)
    rows = saved_replies(s, workspace_id)
    rows.sort(key=lambda r: (r.language != first, -(r.use_count or 0), r.name.lower(), r.language))
    return [Choice(r.id, r.name, r.language, r.shortcut, render(r.body, values), r.use_count or 0,
                   r.language == first) for r in rows]


def sources(s: Session, workspace_id: int) -> list[Source]:
    return list(s.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name)))
