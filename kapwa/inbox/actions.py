"""Conversation actions: status, assignment, priority, tags and internal notes."""

from __future__ import annotations

import logging

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, changed, transaction
from kapwa.core.models import Conversation, ConversationStatus, Note, Priority, Role, Tag, User, utcnow
from kapwa.core.runtime import Runtime
from kapwa.inbox.priority import rescore
from kapwa.team.notifications import mentioned_user_ids, notify

log = logging.getLogger("kapwa.inbox")
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


def check_values(status: str | None = None, priority: str | None = None) -> dict:
    values: dict = {}
    if status is not None:
        if status not in ConversationStatus.values():
            raise ActionError(f"status: must be one of {', '.join(ConversationStatus.values())}", field="status")
        values["status"] = status
    if priority is not None:
        if priority not in Priority.values():
            raise ActionError(f"priority: must be one of {', '.join(Priority.values())}", field="priority")
        values["priority"] = priority
    return values


def check_assignee(tx: Tx, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    user = tx.session.get(User, assignee_id)
    if user is None or user.workspace_id != tx.actor.workspace_id or not user.is_active:
        raise ActionError("assignee: no such active teammate", field="assignee_id")
    return user


def apply_update(tx: Tx, conv: Conversation, values: dict, assignee: User | None = None, *,
                 notify_assignee: bool = True) -> dict:
    """Change one conversation inside an action: audit, live event, assignment notification. Returns the diff.

    ``values`` may hold status, priority and assignee_id (already checked). The caller refreshes service levels and priority afterwards (:func:`refresh_after_change`)."""
    values = dict(values)
    if values.get("status") == "resolved" and conv.status != "resolved":
        values["resolved_at"] = utcnow()
    elif "status" in values and values["status"] != "resolved":
        values["resolved_at"] = None
    diff = changed(conv, **values)
    if not diff:
        return diff
    parts = [f"{k} {v[0]} → {v[1]}" for k, v in diff.items() if k != "resolved_at"]
    tx.audit("conversation.update", conv, f"{conv.title[:60]}: " + ", ".join(parts), diff)
    tx.emit("conversation.updated", {"id": conv.id, "changes": [k for k in diff if k != "resolved_at"],
                                     "status": conv.status, "priority": conv.priority,
                                     "assignee_id": conv.assignee_id,
                                     "assignee_name": assignee.name if assignee else None})
    if notify_assignee and "assignee_id" in diff and conv.assignee_id is not None:
        notify(tx, [conv.assignee_id], "assigned", f"{tx.actor.name} assigned you: {conv.title[:150]}",
               f"/conversations/{conv.id}")
    return diff


def refresh_after_change(session, conversation_ids: list[int]) -> None:
    """Inside an action that changed status, priority or assignee: service-level due times (a resolved
    conversation has none; reopening recomputes them), then priority. A service-level failure is logged and
    never undoes the teammate's change."""
    now = utcnow()
    session.flush()
    try:
        from kapwa.inbox.sla import apply_sla

        with session.begin_nested():
            apply_sla(session, conversation_ids, now)
    except Exception:
        log.exception("service levels not refreshed for conversations %s", conversation_ids[:10])
    rescore(session, conversation_ids, now)


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
    values = check_values(status, priority)
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        assignee = conv.assignee
        if assignee_id is not _UNSET:
            assignee = check_assignee(tx, assignee_id)
            values["assignee_id"] = assignee_id
        if apply_update(tx, conv, values, assignee):
            refresh_after_change(tx.session, [conv.id])
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


def retag(tx: Tx, conv: Conversation, tag: Tag, *, remove: bool) -> bool:
    """Add or remove one tag inside ``tx`` (audited, with a live event); False when there was nothing to do."""
    if remove and tag in conv.tags:
        conv.tags.remove(tag)
        tx.audit("conversation.untag", conv, f"Removed tag {tag.name}", {"tags": [tag.name, None]})
    elif not remove and tag not in conv.tags:
        conv.tags.append(tag)
        tx.audit("conversation.tag", conv, f"Tagged {tag.name}", {"tags": [None, tag.name]})
    else:
        return False
    tx.emit("conversation.updated", {"id": conv.id, "changes": ["tags"]})
    return True


def do_tag_conversation(rt: Runtime, actor: Actor, conversation_id: int, name: str, remove: bool = False) -> None:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        retag(tx, conv, _tag(tx, name), remove=remove)


def do_add_conversation_note(rt: Runtime, actor: Actor, conversation_id: int, body: str) -> Note:
    """An internal note; teammates it @mentions (@Maria, @maria.santos) are notified."""
    actor.require(Role.moderator)
    body = body.strip()
    if not body:
        raise ActionError("note: must not be empty", field="body")
    with transaction(rt, actor) as tx:
        conv = _conversation(tx, conversation_id)
        note = Note(workspace_id=actor.workspace_id, author_user_id=actor.user_id, conversation_id=conv.id,
                    body=body[:10000])
        tx.session.add(note)
        mentioned = mentioned_user_ids(tx.session, actor.workspace_id, note.body)
        tx.audit("conversation.note", conv, f"Note on {conv.title[:60]}",
                 {"mentioned": [None, mentioned]} if mentioned else None)
        tx.session.flush()
        notify(tx, mentioned, "mention", f"{actor.name} mentioned you on {conv.title[:150]}",
               f"/conversations/{conv.id}#note-{note.id}")
        tx.emit("conversation.note", {"id": conv.id, "note_id": note.id})
    return note
