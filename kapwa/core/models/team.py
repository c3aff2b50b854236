"""Workspace, team users, login sessions, API tokens and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kapwa.core.models.base import Base, BigId, IdMixin, JsonType, StrEnum, TimestampMixin, UTCDateTime


class Role(StrEnum):
    """Team roles, most powerful first. A role can do everything the roles below it can."""

    owner = "owner"
    manager = "manager"
    moderator = "moderator"
    analyst = "analyst"

    @property
    def rank(self) -> int:
        return {"owner": 4, "manager": 3, "moderator": 2, "analyst": 1}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Workspace(IdMixin, TimestampMixin, Base):
    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Manila")
    settings: Mapped[dict] = mapped_column(JsonType, default=dict)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.analyst.value)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class UserSession(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class ApiToken(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginAttempt(IdMixin, TimestampMixin, Base):
    """Failed logins, for rate limiting across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_created", "key", "created_at"),)

    key: Mapped[str] = mapped_column(String(400))


class AuditEntry(IdMixin, TimestampMixin, Base):
    """One change made by a user (or by Kapwa itself when actor is empty)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_ws_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(BigId)
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict] = mapped_column(JsonType, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()



__all__ = [
    "ApiToken",
    "AuditEntry",
    "LoginAttempt",
    "Role",
    "User",
    "UserSession",
    "Workspace",
]
