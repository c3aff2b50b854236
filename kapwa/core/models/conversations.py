"""Conversations and messages, with tags, notes and tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kapwa.core.models.base import (
    Base,
    BigId,
    IdMixin,
    JsonType,
    StrEnum,
    TimestampMixin,
    UTCDateTime,
    utcnow,
)
from kapwa.core.models.community import Identity, Member, Source
from kapwa.core.models.team import User


class ConversationStatus(StrEnum):
    new = "new"
    open = "open"
    pending = "pending"
    resolved = "resolved"
    spam = "spam"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class MessageKind(StrEnum):
    post = "post"
    comment = "comment"
    reply = "reply"
    direct = "direct"
    mention = "mention"


conversation_tags = Table(
    "conversation_tags",
    Base.metadata,
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_conversation_tags_tag_id", "tag_id", "conversation_id"),
)

member_tags = Table(
    "member_tags",
    Base.metadata,
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(IdMixin, TimestampMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_tags_workspace_name"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7), default="#5b6b7f")


class Conversation(IdMixin, TimestampMixin, Base):
    """A thread: a forum topic, a post with its comments, a DM exchange, a chat thread."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("source_id", "platform_thread_id", name="uq_conversations_source_thread"),
        Index("ix_conversations_ws_status_last", "workspace_id", "status", "last_message_at"),
        Index("ix_conversations_ws_last", "workspace_id", "last_message_at"),
        # The inbox (kapwa/inbox/listing.py, migration 0004): a status range in priority order, then every column
        # a filter reads, so filters are checked on the index entry; and everything in priority order.
        Index("ix_conversations_inbox", "workspace_id", "status", "priority_score", "id", "source_id", "assignee_id",
              "language", "is_taglish", "sentiment_label", "intent", "needs_answer", "toxicity_score",
              "started_by_member_id", "last_message_at", "last_inbound_at"),
        Index("ix_conversations_ws_priority", "workspace_id", "priority_score", "id", "status"),
        Index("ix_conversations_ws_status_inbound", "workspace_id", "status", "last_inbound_at"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    platform_thread_id: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default=ConversationStatus.new.value)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.normal.value)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    is_direct: Mapped[bool] = mapped_column(Boolean, default=False)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_message_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_message_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    needs_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    last_outbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Denormalised from the latest inbound message (language, sentiment, intent) and the worst toxicity
    # so far, so the inbox filters and sorts without scanning messages.
    language: Mapped[str | None] = mapped_column(String(10))
    is_taglish: Mapped[bool | None] = mapped_column(Boolean)
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    toxicity_score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(30))
    # Inbox priority: a score with the readable reasons that make it up (kapwa/inbox/priority.py).
    priority_score: Mapped[int] = mapped_column(Integer, default=0)
    priority_reasons: Mapped[list] = mapped_column(JsonType, default=list)
    # Service levels (kapwa/inbox/sla.py): when the first response / resolution is due, and the
    # first-response time in business seconds once answered.
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)

    source: Mapped[Source] = relationship()
    assignee: Mapped[User | None] = relationship()
    started_by: Mapped[Member | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=conversation_tags, order_by=Tag.name)


class Message(IdMixin, Base):
    """One message as the platform delivered it, plus what Kapwa's analysis found in it."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("source_id", "platform_message_id", name="uq_messages_source_platform_message"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        Index("ix_messages_ws_created", "workspace_id", "created_at"),
        Index("ix_messages_member_created", "member_id", "created_at"),
        Index("ix_messages_id_conversation", "id", "conversation_id"),  # search hits -> conversations (SQLite)
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    platform_message_id: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=MessageKind.post.value)
    direction: Mapped[str] = mapped_column(String(10), default="inbound")
    author_identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("identities.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(1000))
    # When the platform says it was written (UTC), and when Kapwa stored it.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    raw: Mapped[dict] = mapped_column(JsonType, default=dict)
    # Analysis (filled by the analysis chain; each step records its model and version).
    language: Mapped[str | None] = mapped_column(String(10))
    is_taglish: Mapped[bool | None] = mapped_column(Boolean)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    toxicity_score: Mapped[float | None] = mapped_column(Float)
    toxicity_categories: Mapped[list | None] = mapped_column(JsonType)
    intent: Mapped[str | None] = mapped_column(String(30))
    needs_answer: Mapped[bool | None] = mapped_column(Boolean)
    keywords: Mapped[list | None] = mapped_column(JsonType)
    pii: Mapped[list | None] = mapped_column(JsonType)
    analysis_versions: Mapped[dict] = mapped_column(JsonType, default=dict)
    analyzed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Moderation state, set by moderation actions.
    moderation_status: Mapped[str | None] = mapped_column(String(20))

    conversation: Mapped[Conversation] = relationship()
    author: Mapped[Identity | None] = relationship()
    member: Mapped[Member | None] = relationship()
    sent_by: Mapped[User | None] = relationship()


class Note(IdMixin, TimestampMixin, Base):
    """An internal note by a teammate on a member or a conversation."""

    __tablename__ = "notes"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class Task(IdMixin, TimestampMixin, Base):
    __tablename__ = "tasks"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
