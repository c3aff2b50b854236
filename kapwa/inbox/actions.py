"""Conversation actions: status, assignment, priority, tags and internal notes."""

from __future__ import annotations

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, changed, transaction
from kapwa.core.models import Conversation, ConversationStatus, Note, Priority, Role, Tag, User, utcnow
from kapwa.core.runtime import Runtime

_UNSET = object()


def _conversation(tx: Tx, conversation_id: int) -> Conversation:
    conv = tx.session.scalar(
        select(Conversation).where(
            Conversation.id == conversation_id, Conversation.workspace_id == tx.actor.workspace_id
        )
    )
    if conv is None:
        raise NotFound("no such conversation")
    return conv


def do_update_conversation(
    rt: Runtime,
    actor: Actor,
    conversation_id: int,
    *,
    status: str | None = None,
    priority: str | None = None,
    assignee_id: int | object | None = _UNSET,
) -> Conversation:
    actor.require(Role.moderator)
    values: dict = {}
    if status is not None:
        if status not in ConversationStatus.values():
            raise ActionError(f"status: must be one of {', '.join(ConversationStatus.values())}", field="status")
        values["status"] = status
    if priority is not None:
        if priority not in Priority.values():
            raise ActionError(f"priority: must be one of {', '.join(Priority.values())}", field="priority")
        values["priority"] = priority
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        if assignee_id is not _UNSET:
            if assignee_id is not None:
                user = tx.session.get(User, assignee_id)
                if user is None or user.workspace_id != actor.workspace_id or not user.is_active:
                    raise ActionError("assignee: no such active teammate", field="assignee_id")
            values["assignee_id"] = assignee_id
        if values.get("status") == "resolved" and conv.status != "resolved":
            values["resolved_at"] = utcnow()
        elif "status" in values and values["status"] != "resolved":
            values["resolved_at"] = None
        diff = changed(conv, **values)
        if diff:
            parts = [f"{k} {v[0]} → {v[1]}" for k, v in diff.items() if k != "resolved_at"]
            tx.audit("conversation.update", conv, f"{conv.title[:60]}: " + ", ".join(parts), diff)
            tx.emit("conversation.updated", {"id": conv.id, "changes": list(diff)})
    return conv


def _tag(tx: Tx, name: str) -> Tag:
    name = name.strip().lower()[:60]
    if not name:
        raise ActionError("tag: must not be empty", field="tag")
    tag = tx.session.scalar(select(Tag).where(Tag.workspace_id == tx.actor.workspace_id, Tag.name == name))
    if tag is None:
        tag = Tag(workspace_id=tx.actor.workspace_id, name=name)
        tx.session.add(tag)
        tx.session.flush()
    return tag


def do_tag_conversation(rt: Runtime, actor: Actor, conversation_id: int, name: str, remove: bool = False) -> None:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        tag = _tag(tx, name)
        if remove and tag in conv.tags:
            conv.tags.remove(tag)
            tx.audit("conversation.untag", conv, f"Removed tag {tag.name}", {"tags": [tag.name, None]})
        elif not remove and tag not in conv.tags:
            conv.tags.append(tag)
            tx.audit("conversation.tag", conv, f"Tagged {tag.name}", {"tags": [None, tag.name]})
        else:
            return
        tx.emit("conversation.updated", {"id": conv.id, "changes": ["tags"]})


def do_add_conversation_note(rt: Runtime, actor: Actor, conversation_id: int, body: str) -> Note:
    actor.require(Role.moderator)
    body = body.strip()
    if not body:
        raise ActionError("note: must not be empty", field="body")
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        note = Note(workspace_id=actor.workspace_id, author_user_id=actor.user_id, conversation_id=conv.id,
                    body=body[:10000])
        tx.session.add(note)
        tx.audit("conversation.note", conv, f"Note on {conv.title[:60]}")
        tx.emit("conversation.note", {"id": conv.id})
    return note
