"""Reads for the conversations list and a conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import (
    Conversation,
    Identity,
    LabelCorrection,
    Message,
    Note,
    Source,
    Tag,
    conversation_tags,
)
from kapwa.core.models.analysis import INTENTS, LANGUAGES, SENTIMENT_LABELS, TAGALOG_CODES, TOXIC_AT
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
    # Analysis filters. Each matches a conversation when ANY of its inbound messages matches (an EXISTS on
    # messages, probed per conversation through ix_messages_conversation_created): "a thread where someone
    # was negative / toxic / asked a question", not "whose latest message is".
    language: str = ""  # en, tl (Tagalog, tl or fil) or taglish; en and tl exclude Taglish messages
    sentiment: str = ""  # negative, neutral, positive (sentiment_label)
    toxic: bool = False  # toxicity_score >= 0.5
    intent: str = ""
    message_needs_answer: bool = False  # the analysis flagged a message as needing an answer
    page: int = 1
    per_page: int = 50


ATTENTION = ("new", "open", "pending")

# Query-parameter patterns for the analysis filters (the list page and the API).
LANGUAGE_PATTERN = f"^(|{'|'.join(LANGUAGES)})$"
SENTIMENT_PATTERN = f"^(|{'|'.join(SENTIMENT_LABELS)})$"
INTENT_PATTERN = f"^(|{'|'.join(INTENTS)})$"


def signal_conditions(model, *, language: str = "", sentiment: str = "", toxic: bool = False, intent: str = "",
                      needs_answer: bool = False) -> list:
    """Conditions for the analysis filters on ``model``'s signal columns (``Message`` for one message's own
    labels, ``Conversation`` for the labels the desk keeps per conversation; both have the same columns).
    "tl" and another language mean that language and not Taglish; "taglish" means the Taglish flag."""
    conds = []
    not_taglish = or_(model.is_taglish.is_(None), model.is_taglish.is_(false()))
    if language == "taglish":
        conds.append(model.is_taglish.is_(True))
    elif language == "tl":
        conds += [model.language.in_(TAGALOG_CODES), not_taglish]
    elif language:
        conds += [model.language == language, not_taglish]
    if sentiment:
        conds.append(model.sentiment_label == sentiment)
    if toxic:
        conds.append(model.toxicity_score >= TOXIC_AT)
    if intent:
        conds.append(model.intent == intent)
    if needs_answer:
        conds.append(model.needs_answer.is_(True))
    return conds


def _analysis_conditions(f: ConversationFilter) -> list:
    """Conditions on one inbound message for the analysis filters; all must hold for the same message."""
    return signal_conditions(Message, language=f.language, sentiment=f.sentiment, toxic=f.toxic, intent=f.intent,
                             needs_answer=f.message_needs_answer)


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
    conds = _analysis_conditions(f)
    if conds:
        # One EXISTS, so combined filters ("negative AND a question") must hold on the same message.
        q = q.where(
            exists().where(Message.conversation_id == Conversation.id, Message.direction == "inbound", *conds)
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


def corrected_fields(s: Session, message_ids: list[int]) -> dict[int, set[str]]:
    """Which labels of these messages a teammate has corrected: {message id: {field, ...}}."""
    found: dict[int, set[str]] = {}
    if not message_ids:
        return found
    rows = s.execute(
        select(LabelCorrection.message_id, LabelCorrection.field).where(LabelCorrection.message_id.in_(message_ids))
    )
    for mid, field in rows:
        found.setdefault(mid, set()).add(field)
    return found


def label_corrections(s: Session, workspace_id: int, *, after_id: int = 0, since: dt.datetime | None = None,
                      limit: int = 500) -> list[tuple[LabelCorrection, Message]]:
    """Corrections in id order (a stable cursor for exports), each with its message."""
    q = (
        select(LabelCorrection, Message)
        .join(Message, Message.id == LabelCorrection.message_id)
        .where(LabelCorrection.workspace_id == workspace_id, LabelCorrection.id > after_id)
    )
    if since is not None:
        q = q.where(LabelCorrection.created_at >= since)
    return [(c, m) for c, m in s.execute(q.order_by(LabelCorrection.id).limit(limit))]


def message_in_workspace(s: Session, workspace_id: int, message_id: int) -> Message | None:
    return s.scalar(select(Message).where(Message.id == message_id, Message.workspace_id == workspace_id))
