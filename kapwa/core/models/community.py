"""Sources (connected platforms), members, their identities, merges and activities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kapwa.core.models.base import Base, BigId, IdMixin, JsonType, StrEnum, TimestampMixin, UTCDateTime


class SourceHealth(StrEnum):
    new = "new"
    ok = "ok"
    degraded = "degraded"
    failing = "failing"
    paused = "paused"


PLATFORMS = (
    "matrix", "mastodon", "bluesky", "discourse", "reddit", "discord",
    "slack", "telegram", "github", "rss", "email", "import",
)


class Source(IdMixin, TimestampMixin, Base):
    """A connected platform account or space (a Discord server, a subreddit, a mailbox…)."""

    __tablename__ = "sources"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict] = mapped_column(JsonType, default=dict)
    credentials_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    sync_cursor: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    health: Mapped[str] = mapped_column(String(20), default=SourceHealth.new.value)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    items_last_sync: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The desk: replies through this source need a reviewer's approval; new conversations are assigned
    # round-robin to the teammates in auto_assign_user_ids (last_assigned_user_id is the pointer).
    reply_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_assign_user_ids: Mapped[list] = mapped_column(JsonType, default=list)
    last_assigned_user_id: Mapped[int | None] = mapped_column(Integer)


class Member(IdMixin, TimestampMixin, Base):
    """A person in the community, across all platforms."""

    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_ws_last_active", "workspace_id", "last_active_at"),
        Index("ix_members_ws_name", "workspace_id", "display_name"),
        # The inbox's member filters (migration 0004).
        Index("ix_members_ws_segment", "workspace_id", "segment"),
        Index("ix_members_ws_level", "workspace_id", "level"),
        Index("ix_members_ws_vip", "workspace_id", "is_vip"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    bio: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(10))
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_active_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    # Engagement (Orbit model) — filled in by the engagement work.
    level: Mapped[int | None] = mapped_column(Integer)
    love: Mapped[float | None] = mapped_column(Float)
    reach: Mapped[float | None] = mapped_column(Float)
    segment: Mapped[str | None] = mapped_column(String(40))
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when this member was merged into another; merged members are hidden from lists.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)

    identities: Mapped[list[Identity]] = relationship(back_populates="member", order_by="Identity.id")


class Identity(IdMixin, TimestampMixin, Base):
    """A member as seen on one source; unique per (source, platform user id)."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("source_id", "platform_user_id", name="uq_identities_source_platform_user"),
        Index("ix_identities_platform_handle", "platform", "handle"),
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(30))
    platform_user_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_url: Mapped[str | None] = mapped_column(String(500))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    raw: Mapped[dict] = mapped_column(JsonType, default=dict)
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="identities")
    source: Mapped[Source] = relationship()


class MemberMerge(IdMixin, TimestampMixin, Base):
    """A record of one merge, holding what is needed to undo it exactly."""

    __tablename__ = "member_merges"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kept_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    merged_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40), default="manual")
    snapshot: Mapped[dict] = mapped_column(JsonType, default=dict)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ActivityType(StrEnum):
    joined = "joined"
    left = "left"
    posted = "posted"
    replied = "replied"
    reacted = "reacted"
    attended = "attended"
    starred = "starred"
    contributed = "contributed"
    mentioned = "mentioned"


class Activity(IdMixin, TimestampMixin, Base):
    """A typed event in a member's timeline."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_member_occurred", "member_id", "occurred_at"),
        Index("ix_activities_ws_occurred", "workspace_id", "occurred_at"),
        UniqueConstraint("source_id", "platform_activity_id", name="uq_activities_source_platform_activity"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    platform_activity_id: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    title: Mapped[str | None] = mapped_column(String(300))
    properties: Mapped[dict] = mapped_column(JsonType, default=dict)

    source: Mapped[Source | None] = relationship()
    message: Mapped[Message | None] = relationship()  # noqa: F821 - defined in conversations.py
