"""Bulk actions on selected inbox rows: set status, resolve, assign, set priority, tag or untag.

One action (one transaction) over all the selected conversations, with one audit entry and one live event
per conversation that actually changed. An assignee hears about it once: one notification naming the
conversation, or "N conversations" with a link to their inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, transaction
from kapwa.core.models import Conversation, Role
from kapwa.core.runtime import Runtime
from kapwa.inbox.actions import _tag, apply_update, check_assignee, check_values, refresh_after_change, retag
from kapwa.team.notifications import notify

ACTIONS = ("status", "resolve", "assign", "priority", "tag", "untag")
MAX_IDS = 500


@dataclass
class BulkResult:
    action: str
    selected: int
    changed: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def do_bulk(rt: Runtime, actor: Actor, ids: list[int], action: str, value: str | int | None = None) -> BulkResult:
    """Apply one change to many conversations.

    ``action``: ``status`` (value: a status), ``resolve``, ``assign`` (value: a teammate id, ``me`` or
    ``none``/empty to unassign), ``priority`` (value: low/normal/high/urgent), ``tag`` / ``untag`` (value: a
    tag name)."""
    actor.require(Role.moderator)
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        raise ActionError("select at least one conversation", field="ids")
    if len(ids) > MAX_IDS:
        raise ActionError(f"at most {MAX_IDS} conversations at once", field="ids")
    if action not in ACTIONS:
        raise ActionError(f"action: must be one of {', '.join(ACTIONS)}", field="action")
    value = "" if value is None else str(value).strip()
    values: dict = {}
    if action == "resolve":
        values = check_values(status="resolved")
    elif action in ("status", "priority"):
        if not value:
            raise ActionError(f"{action}: choose a value", field="value")
        values = check_values(**{action: value})
    elif action in ("tag", "untag") and not value:
        raise ActionError("tag: must not be empty", field="value")
    result = BulkResult(action, len(ids))
    with transaction(rt, actor) as tx:
        assignee = None
        if action == "assign":
            uid = actor.user_id if value == "me" else (None if value in ("", "none") else _user_id(value))
            assignee = check_assignee(tx, uid)
            values = {"assignee_id": uid}
        convs = {c.id: c for c in tx.session.scalars(select(Conversation).where(
            Conversation.id.in_(ids), Conversation.workspace_id == actor.workspace_id))}
        result.missing = [i for i in ids if i not in convs]
        tag = _tag(tx, value) if action in ("tag", "untag") else None
        for cid in ids:
            conv = convs.get(cid)
            if conv is None:
                continue
            if tag is not None:
                if retag(tx, conv, tag, remove=action == "untag"):
                    result.changed.append(cid)
                continue
            # Notify the assignee once for the whole batch, below, rather than per conversation.
            if apply_update(tx, conv, values, assignee, notify_assignee=False):
                result.changed.append(cid)
        if result.changed and action not in ("tag", "untag"):
            refresh_after_change(tx.session, result.changed)
        if action == "assign" and assignee is not None and result.changed:
            if len(result.changed) == 1:
                conv = convs[result.changed[0]]
                notify(tx, [assignee.id], "assigned", f"{actor.name} assigned you: {conv.title[:150]}",
                       f"/conversations/{conv.id}")
            else:
                notify(tx, [assignee.id], "assigned",
                       f"{actor.name} assigned you {len(result.changed)} conversations", "/inbox?assignee=me")
    return result


def _user_id(value: str) -> int:
    if not value.isdigit():
        raise ActionError("assignee: must be me, none or a teammate id", field="value")
    return int(value)
