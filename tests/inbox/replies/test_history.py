"""A reply's history: every edit keeps the text before and after, a reviewer may edit while approving, a
rejection carries its reason to the author, and each change is in the audit log and announced live."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Forbidden
from kapwa.core.models import AuditEntry, Notification, Reply
from kapwa.inbox.replies.actions import (
    do_approve_reply,
    do_cancel_reply,
    do_create_reply,
    do_edit_reply,
    do_reject_reply,
    do_submit_reply,
)
from tests.inbox.replies.conftest import demo_conversation

DRAFT = "Hi Juan, check mo na lang sa FAQ."
BETTER = "Hi Juan! Pasensya na sa abala. Sa app po: Cash In > Over the counter > 7-Eleven."


def _history(rt, reply_id):
    with rt.db.sessions() as s:
        reply = s.get(Reply, reply_id)
        return reply, [(e.action, e.user.name if e.user else "Kapwa", e.body, e.note) for e in reply.events]


def test_edit_then_approve_with_an_edit_keeps_every_version(rt, factory, team, jobs):
    conv = demo_conversation(factory, approval=True)
    seen = []
    rt.events.subscribe(lambda e: seen.append((e.type, e.data.get("status"))) if e.type == "reply.updated" else None)

    reply = do_create_reply(rt, team["moderator"], conv.id, DRAFT, jobs=jobs)
    do_edit_reply(rt, team["moderator"], reply.id, "Hi Juan, tingnan mo sa FAQ: Cash In.", jobs=jobs)
    do_approve_reply(rt, team["manager"], reply.id, body=BETTER, note="Mas malinaw na steps", jobs=jobs)

    reply, history = _history(rt, reply.id)
    assert reply.status == "sent" and reply.body == BETTER and reply.review_note == "Mas malinaw na steps"
    assert history == [
        ("created", "Bea Mendoza", DRAFT, None),
        ("submitted", "Bea Mendoza", None, "replies through this source need approval"),
        ("edited", "Bea Mendoza", "Hi Juan, tingnan mo sa FAQ: Cash In.", DRAFT),
        ("edited", "Paolo Reyes", BETTER, "Hi Juan, tingnan mo sa FAQ: Cash In."),
        ("approved", "Paolo Reyes", None, "Mas malinaw na steps"),
        ("sent", "Kapwa", None, "demo source: recorded in Kapwa, not sent to a platform"),
    ]
    assert seen == [("reply.updated", "pending_approval"), ("reply.updated", "pending_approval"),
                    ("reply.updated", "approved"), ("reply.updated", "sent")]
    with rt.db.sessions() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "replies",
                                                                AuditEntry.target_id == reply.id)
                                 .order_by(AuditEntry.id)))
        assert actions == ["reply.create", "reply.edit", "reply.approve", "reply.sent"]
        edit = s.scalar(select(AuditEntry).where(AuditEntry.action == "reply.approve"))
        assert edit.changes["body"] == ["Hi Juan, tingnan mo sa FAQ: Cash In.", BETTER]
        [approved] = s.scalars(select(Notification).where(Notification.user_id == team.moderator.id))
        assert approved.text == "Paolo Reyes approved your reply on “Paano mag-cash in?” after editing it"


def test_a_rejection_tells_the_author_why_and_an_edit_resubmits_it(rt, factory, team, jobs):
    conv = demo_conversation(factory, approval=True)
    reply = do_create_reply(rt, team["moderator"], conv.id, DRAFT, jobs=jobs)
    with pytest.raises(ActionError, match="say why"):
        do_reject_reply(rt, team["manager"], reply.id, "")
    do_reject_reply(rt, team["manager"], reply.id, "Masyadong maikli; magbigay ng steps at humingi ng paumanhin.")

    reply, history = _history(rt, reply.id)
    assert reply.status == "rejected" and reply.reviewer_user_id == team.manager.id
    assert history[-1] == ("rejected", "Paolo Reyes", None,
                           "Masyadong maikli; magbigay ng steps at humingi ng paumanhin.")
    with rt.db.sessions() as s:
        [note] = s.scalars(select(Notification).where(Notification.user_id == team.moderator.id))
    assert note.kind == "approval" and note.url == f"/conversations/{conv.id}#reply-{reply.id}"
    assert note.text == ("Paolo Reyes rejected your reply on “Paano mag-cash in?”: Masyadong maikli; magbigay ng "
                         "steps at humingi ng paumanhin.")
    with pytest.raises(ActionError, match="not waiting for approval"):
        do_approve_reply(rt, team["owner"], reply.id, jobs=jobs)

    do_edit_reply(rt, team["moderator"], reply.id, BETTER, jobs=jobs)  # edited: back to the reviewers
    reply, history = _history(rt, reply.id)
    assert reply.status == "pending_approval" and [h[0] for h in history[-2:]] == ["edited", "submitted"]
    do_approve_reply(rt, team["owner"], reply.id, jobs=jobs)
    assert _history(rt, reply.id)[0].status == "sent"


def test_drafts_and_cancelling(rt, factory, team, jobs):
    conv = demo_conversation(factory)
    draft = do_create_reply(rt, team["moderator"], conv.id, DRAFT, submit=False, jobs=jobs)
    assert _history(rt, draft.id)[0].status == "draft"
    with pytest.raises(Forbidden, match="only the author"):
        do_submit_reply(rt, team["manager"], draft.id, jobs=jobs)
    with pytest.raises(Forbidden, match="only the author or a reviewer can edit"):
        do_edit_reply(rt, team["manager"], draft.id, BETTER, jobs=jobs)
    do_submit_reply(rt, team["moderator"], draft.id, jobs=jobs)
    assert _history(rt, draft.id)[0].status == "sent"
    with pytest.raises(ActionError, match="was sent already"):
        do_cancel_reply(rt, team["moderator"], draft.id)
    with pytest.raises(ActionError, match="cannot be edited"):
        do_edit_reply(rt, team["moderator"], draft.id, BETTER, jobs=jobs)

    held = demo_conversation(factory, approval=True)
    pending = do_create_reply(rt, team["moderator"], held.id, DRAFT, jobs=jobs)
    other = factory.user("moderator", name="Other Moderator")
    from tests.inbox.replies.conftest import actor

    with pytest.raises(Forbidden, match="only the author or a manager can cancel"):
        do_cancel_reply(rt, actor(other), pending.id)
    do_cancel_reply(rt, team["moderator"], pending.id, note="Sinagot na ni Paolo sa DM")
    reply, history = _history(rt, pending.id)
    assert reply.status == "cancelled" and history[-1] == ("cancelled", "Bea Mendoza", None, "Sinagot na ni Paolo sa DM")
    with pytest.raises(ActionError, match="not waiting for approval"):
        do_approve_reply(rt, team["manager"], pending.id, jobs=jobs)


def test_a_double_submission_makes_one_reply(rt, factory, team, jobs):
    conv = demo_conversation(factory)
    first = do_create_reply(rt, team["moderator"], conv.id, DRAFT, idempotency_key="form-abc", jobs=jobs)
    again = do_create_reply(rt, team["moderator"], conv.id, DRAFT, idempotency_key="form-abc", jobs=jobs)
    assert again.id == first.id
    with rt.db.sessions() as s:
        assert len(list(s.scalars(select(Reply).where(Reply.conversation_id == conv.id)))) == 1
    with pytest.raises(ActionError, match="already used"):
        do_create_reply(rt, team["manager"], conv.id, DRAFT, idempotency_key="form-abc", jobs=jobs)
