"""Shared helpers for the importer tests: the hand-made fixtures, an owner actor, and imports run through
the real path (``do_open_import_source`` + ``run_import``) into the test database."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from kapwa.core.actions import Actor
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Role, Source
from kapwa.sources.imports import do_open_import_source, run_import

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def owner(factory) -> Actor:
    """The workspace owner, acting as the web form or the CLI would (each test module's ``actor``)."""
    user = factory.user(Role.owner)
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=Role.owner, name=user.name)


def do_import(rt, actor, path, fmt, *, options=None, skip_bad=False, batch_size=1000, restart=False):
    """Open (or find) the import source for path and run it; returns (outcome, connector, source)."""
    src = do_open_import_source(rt, actor, path, fmt, options=options, restart=restart)
    outcome, connector = run_import(rt, src, skip_bad=skip_bad, batch_size=batch_size)
    return outcome, connector, src


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """A private copy of a fixture file or folder, for tests that break or change it."""
    src = FIXTURES / name
    dest = tmp_path / src.name
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        shutil.copy(src, dest)
    return dest


def zip_folder(folder: Path, target: Path, top: str | None = None) -> Path:
    """Zip a fixture folder as platforms ship their exports (optionally under one top folder)."""
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                arc = path.relative_to(folder).as_posix()
                zf.write(path, f"{top}/{arc}" if top else arc)
    return target


def count(rt, model, *where) -> int:
    with rt.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def messages(rt) -> dict[str, Message]:
    with rt.db.sessions() as s:
        return {m.platform_message_id: m for m in s.scalars(select(Message))}


def conversation_of(rt, platform_message_id: str) -> Conversation:
    with rt.db.sessions() as s:
        return s.scalar(select(Conversation).join(Message, Message.conversation_id == Conversation.id)
                        .where(Message.platform_message_id == platform_message_id))


def member_names(rt) -> set[str]:
    with rt.db.sessions() as s:
        return set(s.scalars(select(Member.display_name)))


def member_of(rt, platform_message_id: str) -> Member | None:
    with rt.db.sessions() as s:
        return s.scalar(select(Member).join(Message, Message.member_id == Member.id)
                        .where(Message.platform_message_id == platform_message_id))


def activities(rt, type_: str) -> list[Activity]:
    with rt.db.sessions() as s:
        return list(s.scalars(select(Activity).where(Activity.type == type_).order_by(Activity.id)))


def identities(rt) -> dict[str, Identity]:
    with rt.db.sessions() as s:
        return {i.platform_user_id: i for i in s.scalars(select(Identity))}


def source(rt, source_id: int) -> Source:
    with rt.db.sessions() as s:
        return s.get(Source, source_id)


__all__ = ["FIXTURES", "activities", "conversation_of", "copy_fixture", "count", "do_import", "identities",
           "member_names", "member_of", "messages", "owner", "source",
           "zip_folder"]
