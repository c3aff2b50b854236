"""The community manager's desk: outbound replies with approval, saved replies, saved inbox views,
service-level policies and teammate notifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kapwa.core.models.base import Base, BigId, IdMixin, JsonType, StrEnum, TimestampMixin, UTCDateTime
from kapwa.core.models.community import Source
from kapwa.core.models.conversations import Conversation, Message
from kapwa.core.models.team import User


class ReplyStatus(StrEnum):
    draft = "draft"
    pending_approval = "pending_approval"  # waits for a reviewer
    approved = "approved"  # approved (or no approval needed), queued to send
    sending = "sending"  # claimed by the send job; the platform call is in flight
    sent = "sent"
    failed = "failed"  # the platform refused or was unreachable; last_error says why; may be retried
    rejected = "rejected"  # a reviewer rejected it
    cancelled = "cancelled"  # withdrawn before it was sent (by its author or a manager)


class Reply(IdMixin, TimestampMixin, Base):
    """A reply composed in Kapwa and sent through the conversation's source, in-thread.

    ``idempotency_key`` is unique: a send is claimed by moving ``approved → sending`` in one UPDATE, so two
    workers (or a retry after a crash) never send the same reply twice.
    """

    __tablename__ = "replies"
    __table_args__ = (
        Index("ix_replies_ws_status", "workspace_id", "status"),
        Index("ix_replies_conversation", "conversation_id", "created_at"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    in_reply_to_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("messages.id", ondelete="SET NULL"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ReplyStatus.draft.value)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("messages.id", ondelete="SET NULL"))
    platform_message_id: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(Text)
    empathy: Mapped[dict] = mapped_column(JsonType, default=dict)  # the empathy check's findings at submit
    saved_reply_id: Mapped[int | None] = mapped_column(ForeignKey("saved_replies.id", ondelete="SET NULL"))

    conversation: Mapped[Conversation] = relationship()
    source: Mapped[Source] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_user_id])
    message: Mapped[Message | None] = relationship(foreign_keys=[message_id])
    events: Mapped[list[ReplyEvent]] = relationship(order_by="ReplyEvent.id", back_populates="reply")


class ReplyEvent(IdMixin, TimestampMixin, Base):
    """The history of a reply: created, edited (with the text before), submitted, approved, rejected, sent,
    failed, retried."""

    __tablename__ = "reply_events"

    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    body: Mapped[str | None] = mapped_column(Text)  # the text at this point (edits keep the old and new)
    note: Mapped[str | None] = mapped_column(Text)

    reply: Mapped[Reply] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class SavedReply(IdMixin, TimestampMixin, Base):
    """A reusable answer with variables ({member_name}, {agent_name}, …), per language. Also the small
    knowledge base that suggested answers draw on."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("workspace_id", "name", "language", name="uq_saved_replies_ws_name_lang"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(10), default="en")
    body: Mapped[str] = mapped_column(Text)
    shortcut: Mapped[str | None] = mapped_column(String(40))
    is_answer: Mapped[bool] = mapped_column(Boolean, default=True)  # offered by suggested answers
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    use_count: Mapped[int] = mapped_column(Integer, default=0)


class SavedView(IdMixin, TimestampMixin, Base):
    """A named inbox filter: personal (``owner_user_id``) or shared with the team (``owner_user_id`` NULL)."""

    __tablename__ = "saved_views"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(2000), default="")  # the inbox URL's query string
    position: Mapped[int] = mapped_column(Integer, default=0)


class SlaPolicy(IdMixin, TimestampMixin, Base):
    """Service-level targets for one source (or the workspace default when ``source_id`` is NULL).

    ``business_hours``: ``{"mon": [["09:00", "18:00"]], …}`` in ``timezone``; empty means around the clock.
    ``holidays``: ``["2026-12-25", …]`` — whole days that do not count.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("workspace_id", "source_id", name="uq_sla_policies_ws_source"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    first_response_minutes: Mapped[int] = mapped_column(Integer, default=240)
    resolution_minutes: Mapped[int] = mapped_column(Integer, default=2880)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Manila")
    business_hours: Mapped[dict] = mapped_column(JsonType, default=dict)
    holidays: Mapped[list] = mapped_column(JsonType, default=list)
    warn_at_percent: Mapped[int] = mapped_column(Integer, default=75)  # "due soon" from this share of the target
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    source: Mapped[Source | None] = relationship()


class Notification(IdMixin, TimestampMixin, Base):
    """Something a teammate should see: an @mention in a note, an assignment, a reply awaiting approval."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))  # mention, assigned, approval_requested, reply_failed, sla
    text: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_user_id])
