"""Small factories that write rows directly, for arranging tests (actions are tested on their own)."""

from __future__ import annotations

import datetime as dt
import itertools

from kapwa.core.models import (
    Conversation,
    Identity,
    Member,
    Message,
    Role,
    Source,
    User,
    Workspace,
    utcnow,
)
from kapwa.core.runtime import Runtime
from kapwa.core.security import hash_password

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


class Factory:
    def __init__(self, rt: Runtime):
        self.rt = rt
        self._workspace_id: int | None = None

    def _add(self, obj):
        with self.rt.db.write_sessions() as s, s.begin():
            s.add(obj)
        return obj

    @property
    def workspace_id(self) -> int:
        if self._workspace_id is None:
            self._workspace_id = self._add(Workspace(name="Test Community", slug=f"test-{next(_seq)}")).id
        return self._workspace_id

    def user(self, role: Role | str = Role.owner, email: str | None = None, password: str = PASSWORD, **kw) -> User:
        n = next(_seq)
        return self._add(
            User(
                workspace_id=self.workspace_id,
                email=email or f"user{n}@example.org",
                name=kw.pop("name", f"Teammate {n}"),
                password_hash=_hash(password),
                role=str(role),
                **kw,
            )
        )

    def source(self, kind: str = "discord", name: str | None = None, **kw) -> Source:
        return self._add(Source(workspace_id=self.workspace_id, kind=kind, name=name or f"{kind} {next(_seq)}", **kw))

    def member(self, name: str | None = None, **kw) -> Member:
        return self._add(Member(workspace_id=self.workspace_id, display_name=name or f"Member {next(_seq)}", **kw))

    def identity(self, member: Member, source: Source, handle: str | None = None, **kw) -> Identity:
        n = next(_seq)
        return self._add(
            Identity(
                member_id=member.id,
                source_id=source.id,
                platform=source.kind,
                platform_user_id=kw.pop("platform_user_id", f"u{n}"),
                handle=handle or f"handle{n}",
                display_name=kw.pop("display_name", member.display_name),
                **kw,
            )
        )

    def conversation(self, source: Source | None = None, title: str = "A conversation", **kw) -> Conversation:
        source = source or self.source()
        return self._add(
            Conversation(
                workspace_id=self.workspace_id,
                source_id=source.id,
                platform_thread_id=kw.pop("platform_thread_id", f"t{next(_seq)}"),
                title=title,
                **kw,
            )
        )

    def message(
        self,
        conversation: Conversation,
        text: str = "Hello po!",
        identity: Identity | None = None,
        created_at: dt.datetime | None = None,
        **kw,
    ) -> Message:
        return self._add(
            Message(
                workspace_id=self.workspace_id,
                source_id=conversation.source_id,
                conversation_id=conversation.id,
                platform_message_id=kw.pop("platform_message_id", f"m{next(_seq)}"),
                author_identity_id=identity.id if identity else None,
                member_id=identity.member_id if identity else None,
                text=text,
                created_at=created_at or utcnow(),
                **kw,
            )
        )
