"""Member actions: profile fields, VIP flag, tags, notes and tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, changed, transaction
from kapwa.core.models import Member, Note, Role, Tag, Task, utcnow
from kapwa.core.runtime import Runtime


def _member(tx: Tx, member_id: int) -> Member:
    m = tx.session.scalar(select(Member).where(Member.id == member_id, Member.workspace_id == tx.actor.workspace_id))
    if m is None:
        raise NotFound("no such member")
    return m


def do_update_member(rt: Runtime, actor: Actor, member_id: int, *, display_name: str | None = None,
                     is_vip: bool | None = None, location: str | None = None) -> Member:
    actor.require(Role.moderator)
    values: dict = {}
    if display_name is not None:
        if not display_name.strip():
            raise ActionError("display_name: must not be empty", field="display_name")
        values["display_name"] = display_name.strip()[:200]
    if is_vip is not None:
        values["is_vip"] = is_vip
    if location is not None:
        values["location"] = location.strip()[:200] or None
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        diff = changed(m, **values)
        if diff:
            tx.audit("member.update", m, f"Updated {m.display_name}: {', '.join(diff)}", diff)
            tx.emit("member.updated", {"id": m.id})
    return m


def do_tag_member(rt: Runtime, actor: Actor, member_id: int, name: str, remove: bool = False) -> None:
    from kapwa.core.models import member_tags

    actor.require(Role.moderator)
    name = name.strip().lower()[:60]
    if not name:
        raise ActionError("tag: must not be empty", field="tag")
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        tag = tx.session.scalar(select(Tag).where(Tag.workspace_id == actor.workspace_id, Tag.name == name))
        if tag is None:
            tag = Tag(workspace_id=actor.workspace_id, name=name)
            tx.session.add(tag)
            tx.session.flush()
        has = tx.session.execute(
            select(member_tags).where(member_tags.c.member_id == m.id, member_tags.c.tag_id == tag.id)
        ).first()
        if remove and has:
            tx.session.execute(member_tags.delete().where(
                member_tags.c.member_id == m.id, member_tags.c.tag_id == tag.id))
            tx.audit("member.untag", m, f"Removed tag {name} from {m.display_name}")
        elif not remove and not has:
            tx.session.execute(member_tags.insert().values(member_id=m.id, tag_id=tag.id))
            tx.audit("member.tag", m, f"Tagged {m.display_name} {name}")


def do_add_member_note(rt: Runtime, actor: Actor, member_id: int, body: str) -> Note:
    actor.require(Role.moderator)
    body = body.strip()
    if not body:
        raise ActionError("note: must not be empty", field="body")
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        note = Note(workspace_id=actor.workspace_id, author_user_id=actor.user_id, member_id=m.id, body=body[:10000])
        tx.session.add(note)
        tx.audit("member.note", m, f"Note on {m.display_name}")
        tx.emit("member.updated", {"id": m.id})
    return note


def do_add_member_task(rt: Runtime, actor: Actor, member_id: int, title: str,
                       due_at: dt.datetime | None = None, assignee_id: int | None = None) -> Task:
    actor.require(Role.moderator)
    title = title.strip()
    if not title:
        raise ActionError("task: must not be empty", field="title")
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        task = Task(workspace_id=actor.workspace_id, title=title[:300], due_at=due_at,
                    assignee_id=assignee_id or actor.user_id, created_by_id=actor.user_id, member_id=m.id)
        tx.session.add(task)
        tx.audit("task.create", task, f"Task for {m.display_name}: {title[:80]}")
    return task


def do_complete_task(rt: Runtime, actor: Actor, task_id: int, done: bool = True) -> Task:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        task = tx.session.scalar(select(Task).where(Task.id == task_id, Task.workspace_id == actor.workspace_id))
        if task is None:
            raise NotFound("no such task")
        diff = changed(task, done_at=utcnow() if done else None)
        if diff:
            tx.audit("task.done" if done else "task.reopen", task, task.title[:80])
    return task
