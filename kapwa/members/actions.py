"""Member actions: profile fields, VIP flag, tags, notes and tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound, Tx, changed, transaction
from kapwa.core.models import Member, Note, Role, Tag, Task, User, utcnow
from kapwa.core.runtime import Runtime
from kapwa.team.notifications import mentioned_user_ids, notify


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
    """A note for the team on a member; teammates @mentioned in it are notified."""
    actor.require(Role.moderator)
    body = body.strip()
    if not body:
        raise ActionError("note: must not be empty", field="body")
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        note = Note(workspace_id=actor.workspace_id, author_user_id=actor.user_id, member_id=m.id, body=body[:10000])
        tx.session.add(note)
        tx.session.flush()
        mentioned = mentioned_user_ids(tx.session, actor.workspace_id, note.body)
        tx.audit("member.note", m, f"Note on {m.display_name}", {"note_id": note.id, "mentioned": mentioned})
        notify(tx, mentioned, "mention", f"{actor.name} mentioned you in a note on {m.display_name}: "
               f"{_snippet(note.body)}", f"/members/{m.id}#note-{note.id}")
        tx.emit("member.updated", {"id": m.id})
    return note


def do_delete_member_note(rt: Runtime, actor: Actor, note_id: int) -> None:
    """Its author may delete a note; so may a manager."""
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        note = tx.session.scalar(select(Note).where(Note.id == note_id, Note.workspace_id == actor.workspace_id,
                                                    Note.member_id.is_not(None)))
        if note is None:
            raise NotFound("no such note")
        if note.author_user_id != actor.user_id and not actor.role.at_least(Role.manager):
            raise Forbidden("only its author or a manager can delete a note")
        m = _member(tx, note.member_id)
        tx.audit("member.note_delete", m, f"Deleted a note on {m.display_name}", {"body": [note.body, None]})
        tx.session.delete(note)
        tx.emit("member.updated", {"id": m.id})


def _snippet(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def do_add_member_task(rt: Runtime, actor: Actor, member_id: int, title: str,
                       due_at: dt.datetime | None = None, assignee_id: int | None = None) -> Task:
    """A follow-up about a member, due at ``due_at``, for ``assignee_id`` (default: the actor), who is notified."""
    actor.require(Role.moderator)
    title = title.strip()
    if not title:
        raise ActionError("task: must not be empty", field="title")
    if due_at is not None and due_at.tzinfo is None:
        raise ActionError("due: needs a time zone", field="due")
    with transaction(rt, actor) as tx:
        m = _member(tx, member_id)
        if assignee_id:
            assignee = tx.session.scalar(select(User).where(User.id == assignee_id,
                                                            User.workspace_id == actor.workspace_id))
            if assignee is None or not assignee.is_active:
                raise ActionError("assignee: not an active teammate", field="assignee")
        task = Task(workspace_id=actor.workspace_id, title=title[:300], due_at=due_at,
                    assignee_id=assignee_id or actor.user_id, created_by_id=actor.user_id, member_id=m.id)
        tx.session.add(task)
        tx.audit("task.create", task, f"Task for {m.display_name}: {title[:80]}",
                 {"member_id": m.id, "assignee_id": task.assignee_id,
                  "due_at": due_at.isoformat() if due_at else None})
        notify(tx, [task.assignee_id], "task", f"{actor.name} gave you a task about {m.display_name}: {title[:120]}",
               f"/members/{m.id}#task-{task.id}")
        tx.emit("member.updated", {"id": m.id})
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
            if done and task.member_id:
                notify(tx, [task.created_by_id], "task", f"{actor.name} finished the task: {task.title[:120]}",
                       f"/members/{task.member_id}#task-{task.id}")
            if task.member_id:
                tx.emit("member.updated", {"id": task.member_id})
    return task
