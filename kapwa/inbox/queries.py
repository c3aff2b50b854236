"""Reads for the conversations list and a conversation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Conversation, Identity, Message, Note, Source, Tag, conversation_tags
from kapwa.core.search import message_match


@dataclass
class ConversationFilter:
    status: str = ""  # "" = needs attention (new, open, pending); "all" = everything
    source_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    needs_answer: bool = False
    tag: str = ""
    q: str = ""
    page: int = 1
    per_page: int = 50


ATTENTION = ("new", "open", "pending")


def list_conversations(s: Session, workspace_id: int, f: ConversationFilter) -> tuple[list[Conversation], int]:
    q = select(Conversation).where(Conversation.workspace_id == workspace_id)
    if f.status == "all":
        pass
    elif f.status:
        q = q.where(Conversation.status == f.status)
    else:
        q = q.where(Conversation.status.in_(ATTENTION))
    if f.source_id:
        q = q.where(Conversation.source_id == f.source_id)
    if f.unassigned:
        q = q.where(Conversation.assignee_id.is_(None))
    elif f.assignee_id:
        q = q.where(Conversation.assignee_id == f.assignee_id)
    if f.needs_answer:
        q = q.where(Conversation.needs_answer.is_(True))
    if f.tag:
        q = q.where(
            exists().where(
                conversation_tags.c.conversation_id == Conversation.id,
                conversation_tags.c.tag_id == Tag.id,
                Tag.name == f.tag,
            )
        )
    if f.q.strip():
        ids = message_match(s, f.q)
        if ids is not None:
            q = q.where(Conversation.id.in_(select(Message.conversation_id).where(Message.id.in_(ids))))
    total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = s.scalars(
        q.options(
            selectinload(Conversation.source),
            selectinload(Conversation.assignee),
            selectinload(Conversation.started_by),
            selectinload(Conversation.tags),
        )
        .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        .offset((max(f.page, 1) - 1) * f.per_page)
        .limit(f.per_page)
    )
    return list(rows), total


def conversation(s: Session, workspace_id: int, conversation_id: int) -> Conversation | None:
    return s.scalar(
        select(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation_id)
        .options(selectinload(Conversation.source), selectinload(Conversation.tags))
    )


def messages(s: Session, conversation_id: int, limit: int = 500) -> list[Message]:
    return list(
        s.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .options(
                selectinload(Message.author),
                selectinload(Message.member),
                selectinload(Message.sent_by),
            )
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
    )


def notes(s: Session, conversation_id: int) -> list[Note]:
    return list(
        s.scalars(
            select(Note)
            .where(Note.conversation_id == conversation_id)
            .options(selectinload(Note.author))
            .order_by(Note.id)
        )
    )


def tags(s: Session, workspace_id: int) -> list[Tag]:
    return list(s.scalars(select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.name)))


def sources(s: Session, workspace_id: int) -> list[Source]:
    return list(s.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name)))


def author_identity(s: Session, identity_id: int) -> Identity | None:
    return s.get(Identity, identity_id)
