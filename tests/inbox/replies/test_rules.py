"""When a reply needs approval, who reviews it, and that nobody approves their own reply (unless nobody else
could)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Forbidden
from kapwa.core.models import Notification, Reply, ReplyEvent, Role
from kapwa.inbox.replies.actions import do_approve_reply, do_create_reply, do_reject_reply
from kapwa.inbox.replies.settings import do_set_approval_roles, do_set_source_reply_approval
from tests.inbox.replies.conftest import actor, demo_conversation


def _reply(rt, reply_id) -> Reply:
    with rt.db.sessions() as s:
        return s.get(Reply, reply_id)


def _notified(rt, user) -> list[Notification]:
    with rt.db.sessions() as s:
        return list(s.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_without_a_rule_a_reply_goes_straight_out(rt, factory, team, jobs):
    conv = demo_conversation(factory)
    reply = do_create_reply(rt, team["moderator"], conv.id, "Sa app po: Cash In > Over the counter.", jobs=jobs)
    assert _reply(rt, reply.id).status == "sent"  # demo source: recorded in Kapwa, no platform call
    assert _notified(rt, team.manager) == []


def test_a_source_that_needs_approval_holds_every_reply_and_tells_the_reviewers(rt, factory, team, jobs):
    conv = demo_conversation(factory, approval=True)
    reply = do_create_reply(rt, team["moderator"], conv.id, "Pakisend po ang reference number.", jobs=jobs)
    assert _reply(rt, reply.id).status == "pending_approval"
    for reviewer in (team.manager, team.owner):
        [note] = _notified(rt, reviewer)
        assert note.kind == "approval_requested" and note.url == f"/approvals#reply-{reply.id}"
        assert note.text == "Bea Mendoza asks for approval of a reply on “Paano mag-cash in?”"
    assert _notified(rt, team.moderator) == [] and _notified(rt, team.analyst) == []
    with rt.db.sessions() as s:
        submitted = s.scalar(select(ReplyEvent).where(ReplyEvent.reply_id == reply.id,
                                                      ReplyEvent.action == "submitted"))
        assert submitted.note == "replies through this source need approval"

    # A manager's own reply waits too, for someone else.
    own = do_create_reply(rt, team["manager"], conv.id, "Update: naayos na po.", jobs=jobs)
    assert _reply(rt, own.id).status == "pending_approval"
    with pytest.raises(Forbidden, match="someone other than its author"):
        do_approve_reply(rt, team["manager"], own.id, jobs=jobs)
    with pytest.raises(Forbidden):
        do_reject_reply(rt, team["manager"], own.id, "ayoko")
    do_approve_reply(rt, team["owner"], own.id, jobs=jobs)
    assert _reply(rt, own.id).status == "sent"
    assert _reply(rt, own.id).reviewer_user_id == team.owner.id


def test_roles_that_need_approval(rt, factory, team, jobs):
    conv = demo_conversation(factory)
    assert do_set_approval_roles(rt, team["manager"], ["moderator"]) == ["moderator"]
    held = do_create_reply(rt, team["moderator"], conv.id, "Hello po!", jobs=jobs)
    free = do_create_reply(rt, team["manager"], conv.id, "Hello ulit!", jobs=jobs)
    assert (_reply(rt, held.id).status, _reply(rt, free.id).status) == ("pending_approval", "sent")
    with rt.db.sessions() as s:
        note = s.scalar(select(ReplyEvent.note).where(ReplyEvent.reply_id == held.id, ReplyEvent.action == "submitted"))
    assert note == "replies by your role need approval"

    do_set_approval_roles(rt, team["owner"], ["moderator", "manager"])
    assert _reply(rt, do_create_reply(rt, team["manager"], conv.id, "Isa pa.", jobs=jobs).id).status == \
        "pending_approval"
    assert _reply(rt, do_create_reply(rt, team["owner"], conv.id, "Owner here.", jobs=jobs).id).status == "sent"
    with pytest.raises(ActionError, match="owner cannot be made to need approval"):
        do_set_approval_roles(rt, team["owner"], ["owner"])
    with pytest.raises(Forbidden):
        do_set_approval_roles(rt, team["moderator"], [])
    with pytest.raises(Forbidden):
        do_set_source_reply_approval(rt, team["moderator"], conv.source_id, True)


def test_the_only_reviewer_may_approve_their_own_reply_and_the_history_says_so(rt, factory, jobs):
    owner = factory.user(Role.owner, name="Solo Owner")
    conv = demo_conversation(factory, approval=True)
    reply = do_create_reply(rt, actor(owner), conv.id, "Salamat sa pasensya!", jobs=jobs)
    assert _reply(rt, reply.id).status == "pending_approval"
    do_approve_reply(rt, actor(owner), reply.id, jobs=jobs)
    assert _reply(rt, reply.id).status == "sent"
    with rt.db.sessions() as s:
        approved = s.scalar(select(ReplyEvent).where(ReplyEvent.reply_id == reply.id, ReplyEvent.action == "approved"))
    assert approved.note == "self-approved: no other reviewer in the workspace"


def test_who_may_write_and_review(rt, factory, team, jobs):
    conv = demo_conversation(factory, approval=True)
    with pytest.raises(Forbidden):
        do_create_reply(rt, team["analyst"], conv.id, "Hi!", jobs=jobs)
    reply = do_create_reply(rt, team["moderator"], conv.id, "Hi po!", jobs=jobs)
    other = factory.user(Role.moderator, name="Another Moderator")
    with pytest.raises(Forbidden):
        do_approve_reply(rt, actor(other), reply.id, jobs=jobs)
    with pytest.raises(ActionError, match="say why"):
        do_reject_reply(rt, team["manager"], reply.id, "  ")


def test_a_reply_the_platform_cannot_take_is_refused_before_it_is_queued(rt, factory, team, jobs):
    imported = factory.conversation(factory.source("import", name="Old forum export"), title="Lumang tanong")
    with pytest.raises(ActionError, match="imported from a file"):
        do_create_reply(rt, team["moderator"], imported.id, "Hello", jobs=jobs)
    conv = demo_conversation(factory, kind="mastodon")
    with pytest.raises(ActionError, match="Mastodon accepts at most 500 characters in one message; this reply has 501"):
        do_create_reply(rt, team["moderator"], conv.id, "a" * 501, jobs=jobs)
    with pytest.raises(ActionError, match="the reply is empty"):
        do_create_reply(rt, team["moderator"], conv.id, "   \n ", jobs=jobs)
