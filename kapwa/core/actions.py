"""The write path. Every change is an action: one transaction, one audit entry, live events after commit.

    with transaction(rt, actor) as tx:
        conv = tx.session.get(Conversation, conversation_id)
        ...
        tx.audit("conversation.status", conv, f"Status {old} → {new}", {"status": [old, new]})
        tx.emit("conversation.updated", {"id": conv.id})
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kapwa.core.events import Event
from kapwa.core.models import AuditEntry, Role
from kapwa.core.runtime import Runtime

log = logging.getLogger("kapwa.actions")


class ActionError(Exception):
    """A request the action refuses, with a message fit to show the user."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ActionError):
    status_code = 404


class Forbidden(ActionError):
    status_code = 403


@dataclass(frozen=True)
class Actor:
    """Who is acting: a team user, or Kapwa itself (user_id None) for jobs and syncs."""

    workspace_id: int
    user_id: int | None = None
    role: Role = Role.owner
    ip: str | None = None
    name: str = "Kapwa"

    @classmethod
    def system(cls, workspace_id: int) -> Actor:
        return cls(workspace_id=workspace_id)

    def require(self, role: Role) -> None:
        if not self.role.at_least(role):
            raise Forbidden(f"this needs the {role.value} role")


@dataclass
class Tx:
    session: Session
    actor: Actor
    events: list[Event] = field(default_factory=list)

    def audit(self, action: str, target: Any = None, summary: str = "", changes: dict | None = None) -> None:
        target_type = getattr(target, "__tablename__", None) if target is not None else None
        target_id = getattr(target, "id", None) if target is not None else None
        if target is not None and target_id is None:
            self.session.flush()
            target_id = target.id
        self.session.add(
            AuditEntry(
                workspace_id=self.actor.workspace_id,
                actor_user_id=self.actor.user_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                summary=summary,
                changes=changes or {},
                ip=self.actor.ip,
            )
        )

    def emit(self, event_type: str, data: dict | None = None) -> None:
        self.events.append(Event(event_type, self.actor.workspace_id, data or {}, self.actor.user_id))


@contextmanager
def transaction(rt: Runtime, actor: Actor) -> Iterator[Tx]:
    """Run one action: commit everything or nothing, then publish its events."""
    session = rt.db.write_sessions()
    tx = Tx(session, actor)
    try:
        with session.begin():
            yield tx
    finally:
        session.close()
    for event in tx.events:
        rt.events.publish(event)


def changed(obj: Any, **values: Any) -> dict[str, list]:
    """Set attributes on obj; return {name: [old, new]} for those that actually changed."""
    diff: dict[str, list] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            diff[name] = [_plain(old), _plain(new)]
    return diff


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
