"""Actions: one transaction, one audit entry, live events only after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, transaction
from kapwa.core.models import AuditEntry, Conversation, Role, Tag
from kapwa.inbox.actions import do_tag_conversation, do_update_conversation


def _actor(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=user.role_enum, name=user.name)


def test_update_writes_audit_and_emits_after_commit(rt, factory):
    user = factory.user(Role.moderator)
    conv = factory.conversation(title="Refund for double charge")
    seen = []
    rt.events.subscribe(lambda e: seen.append(e))
    do_update_conversation(rt, _actor(user), conv.id, status="resolved", assignee_id=user.id)
    with rt.db.sessions() as s:
        stored = s.get(Conversation, conv.id)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "conversation.update"))
    assert stored.status == "resolved" and stored.assignee_id == user.id and stored.resolved_at is not None
    assert entry.actor_user_id == user.id and entry.target_id == conv.id
    assert entry.changes["status"] == ["new", "resolved"]
    assert [e.type for e in seen] == ["conversation.updated"]


def test_failed_action_changes_nothing_and_emits_nothing(rt, factory):
    user = factory.user(Role.moderator)
    conv = factory.conversation()
    seen = []
    rt.events.subscribe(lambda e: seen.append(e))
    with pytest.raises(ActionError, match="assignee"):
        do_update_conversation(rt, _actor(user), conv.id, status="open", assignee_id=999999)
    with rt.db.sessions() as s:
        assert s.get(Conversation, conv.id).status == "new"
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "conversation.update")) is None
    assert seen == []


def test_exception_inside_transaction_rolls_back_everything(rt, factory):
    user = factory.user(Role.owner)
    seen = []
    rt.events.subscribe(lambda e: seen.append(e))
    with pytest.raises(RuntimeError), transaction(rt, _actor(user)) as tx:
        tx.session.add(Tag(workspace_id=user.workspace_id, name="half-written"))
        tx.audit("tag.create", None, "should vanish")
        tx.emit("tag.created")
        raise RuntimeError("crash mid-action")
    with rt.db.sessions() as s:
        assert s.scalar(select(Tag)) is None and s.scalar(select(AuditEntry)) is None
    assert seen == []


def test_role_is_checked_in_the_action_too(rt, factory):
    analyst = factory.user(Role.analyst)
    conv = factory.conversation()
    with pytest.raises(ActionError, match="moderator"):
        do_tag_conversation(rt, _actor(analyst), conv.id, "vip")


def test_no_change_means_no_audit_entry(rt, factory):
    user = factory.user(Role.moderator)
    conv = factory.conversation()
    do_update_conversation(rt, _actor(user), conv.id, status="new")
    with rt.db.sessions() as s:
        assert s.scalar(select(AuditEntry)) is None


def test_a_broken_listener_does_not_break_the_action(rt, factory):
    user = factory.user(Role.moderator)
    conv = factory.conversation()
    got = []
    rt.events.subscribe(lambda e: 1 / 0)
    rt.events.subscribe(lambda e: got.append(e.type))
    do_tag_conversation(rt, _actor(user), conv.id, "Cash-In ")
    assert got == ["conversation.updated"]
    with rt.db.sessions() as s:
        assert s.scalar(select(Tag.name)) == "cash-in"
