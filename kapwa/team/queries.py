"""Reads for team users, sessions, API tokens and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapwa.core.models import ApiToken, AuditEntry, LoginAttempt, User, UserSession, Workspace, utcnow
from kapwa.core.security import token_hash


def user_by_email(s: Session, email: str) -> User | None:
    return s.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def session_by_token(s: Session, token: str) -> UserSession | None:
    row = s.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row


def api_token_by_secret(s: Session, secret: str) -> ApiToken | None:
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    return row


def recent_failures(s: Session, key: str, window_seconds: int) -> int:
    since = utcnow() - dt.timedelta(seconds=window_seconds)
    return s.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.created_at >= since)
    ) or 0


def team(s: Session, workspace_id: int) -> list[User]:
    return list(s.scalars(select(User).where(User.workspace_id == workspace_id).order_by(User.name)))


def user(s: Session, workspace_id: int, user_id: int) -> User | None:
    return s.scalar(select(User).where(User.workspace_id == workspace_id, User.id == user_id))


def tokens_for(s: Session, user_id: int) -> list[ApiToken]:
    return list(
        s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc()))
    )


def workspace(s: Session, workspace_id: int) -> Workspace | None:
    return s.get(Workspace, workspace_id)


def first_workspace(s: Session) -> Workspace | None:
    return s.scalar(select(Workspace).order_by(Workspace.id).limit(1))


def audit_page(
    s: Session, workspace_id: int, *, page: int = 1, per_page: int = 50, action: str | None = None
) -> tuple[list[AuditEntry], int]:
    q = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total
