"""Bulk actions, assignment with a notification, and internal notes whose @mentions notify teammates."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kapwa.core.actions import ActionError, Actor, Forbidden
from kapwa.core.models import AuditEntry, Conversation, Notification
from kapwa.inbox import actions, bulk
from tests.support.web import csrf_of, login


def actor(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=user.role_enum, name=user.name)


def convs(rt, w, *names):
    with rt.db.sessions() as s:
        return [s.get(Conversation, w.convs[n].id, options=[selectinload(Conversation.tags)]) for n in names]


def notifications(rt, user):
    with rt.db.sessions() as s:
        return s.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()


def audit(rt, action):
    with rt.db.sessions() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_bulk_resolve_is_one_action_with_an_audit_entry_per_conversation(rt, world):
    mod = world.users["mod"]
    ids = [world.convs[n].id for n in ("angry", "cashin", "old")]
    result = bulk.do_bulk(rt, actor(mod), ids + [999999], "resolve")
    assert sorted(result.changed) == sorted(ids[:2]) and result.missing == [999999]  # "old" was resolved already
    angry, cashin, old = convs(rt, world, "angry", "cashin", "old")
    assert angry.status == cashin.status == old.status == "resolved" and angry.resolved_at is not None
    assert angry.priority_score == 0 and angry.priority_reasons == []  # rescored: out of the queue
    entries = audit(rt, "conversation.update")
    assert sorted(e.target_id for e in entries) == sorted(ids[:2])
    assert all(e.changes["status"][1] == "resolved" and e.actor_user_id == mod.id for e in entries)


def test_bulk_assign_status_priority_and_tags(rt, world):
    mod, manager = world.users["mod"], world.users["manager"]
    ids = [world.convs[n].id for n in ("angry", "cashin", "thanks")]
    bulk.do_bulk(rt, actor(mod), ids, "assign", str(manager.id))
    assert {c.assignee_id for c in convs(rt, world, "angry", "cashin", "thanks")} == {manager.id}
    told = notifications(rt, manager)
    assert len(told) == 1 and told[0].text == "Dina Moderator assigned you 3 conversations"
    assert told[0].url == "/inbox?assignee=me" and told[0].kind == "assigned"
    bulk.do_bulk(rt, actor(mod), ids[:1], "assign", "me")
    assert convs(rt, world, "angry")[0].assignee_id == mod.id
    assert notifications(rt, mod) == []  # nobody is notified of their own assignment
    bulk.do_bulk(rt, actor(mod), ids[:1], "assign", "none")
    assert convs(rt, world, "angry")[0].assignee_id is None
    bulk.do_bulk(rt, actor(mod), ids, "status", "pending")
    assert {c.status for c in convs(rt, world, "angry", "cashin", "thanks")} == {"pending"}
    bulk.do_bulk(rt, actor(mod), ids[:2], "priority", "urgent")
    angry = convs(rt, world, "angry")[0]
    assert angry.priority == "urgent" and ["marked urgent", 40] in angry.priority_reasons
    bulk.do_bulk(rt, actor(mod), ids, "tag", "Outage")
    assert all("outage" in [t.name for t in c.tags] for c in convs(rt, world, "angry", "cashin", "thanks"))
    result = bulk.do_bulk(rt, actor(mod), ids, "untag", "outage")
    assert len(result.changed) == 3 and len(audit(rt, "conversation.untag")) == 3


def test_bulk_refuses_what_it_cannot_do(rt, world):
    ids = [world.convs["angry"].id]
    with pytest.raises(Forbidden):
        bulk.do_bulk(rt, actor(world.users["analyst"]), ids, "resolve")
    mod = actor(world.users["mod"])
    for action, value, match in (("status", "done", "status"), ("explode", None, "action"), ("tag", "", "tag"),
                                 ("assign", "99999", "assignee"), ("priority", "", "priority")):
        with pytest.raises(ActionError, match=match):
            bulk.do_bulk(rt, mod, ids, action, value)
    with pytest.raises(ActionError, match="select"):
        bulk.do_bulk(rt, mod, [], "resolve")
    assert convs(rt, world, "angry")[0].status == "new"  # nothing half-done


def test_bulk_form_and_json_on_the_page(rt, world, client):
    login(client, world.users["mod"].email)
    csrf = csrf_of(client)
    html = client.get("/inbox").text
    assert 'form="bulk-form"' in html and 'id="bulk-form"' in html
    ids = [world.convs["angry"].id, world.convs["cashin"].id]
    r = client.post("/inbox/bulk", data={"csrf_token": csrf, "action": "resolve", "ids": ids,
                                         "next": "/inbox?sort=newest"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inbox?sort=newest"
    assert {c.status for c in convs(rt, world, "angry", "cashin")} == {"resolved"}
    # The keyboard shortcuts post the same form and read JSON back.
    r = client.post("/inbox/bulk", data={"action": "assign", "assignee": str(world.users["manager"].id),
                                         "ids": ids[:1]},
                    headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert r.json() == {"action": "assign", "changed": ids[:1], "missing": [], "status": None,
                        "assignee_id": world.users["manager"].id, "assignee_name": "Marco Manager"}
    r = client.post("/inbox/bulk", data={"action": "status", "status": "nope", "ids": ids},
                    headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert r.status_code == 400 and "status" in r.json()["detail"]
    assert client.post("/inbox/bulk", data={"action": "resolve", "ids": ids}).status_code == 403  # no CSRF token


def test_assigning_one_conversation_notifies_the_assignee(rt, world):
    mod, manager = world.users["mod"], world.users["manager"]
    actions.do_update_conversation(rt, actor(mod), world.convs["cashin"].id, assignee_id=manager.id)
    told = notifications(rt, manager)
    assert [(n.kind, n.text, n.url) for n in told] == [
        ("assigned", "Dina Moderator assigned you: Paano mag cash in", f"/conversations/{world.convs['cashin'].id}")]
    actions.do_update_conversation(rt, actor(mod), world.convs["cashin"].id, status="open")  # no new assignment
    assert len(notifications(rt, manager)) == 1


def test_note_mentions_notify_teammates(rt, world):
    mod, manager, analyst = world.users["mod"], world.users["manager"], world.users["analyst"]
    note = actions.do_add_conversation_note(rt, actor(mod), world.convs["angry"].id,
                                            "@Marco can you approve a refund? cc @andy and @dina")
    told = notifications(rt, manager)
    assert [(n.kind, n.text, n.url) for n in told] == [
        ("mention", "Dina Moderator mentioned you on Nawala ang pera ko",
         f"/conversations/{world.convs['angry'].id}#note-{note.id}")]
    assert len(notifications(rt, analyst)) == 1 and notifications(rt, mod) == []  # not the author themself
    entry = audit(rt, "conversation.note")[0]
    assert entry.changes == {"mentioned": [None, [manager.id, analyst.id, mod.id]]}


def test_note_with_a_mention_from_the_page(rt, world, client):
    login(client, world.users["manager"].email)
    csrf = csrf_of(client)
    conv_id = world.convs["angry"].id
    r = client.post(f"/conversations/{conv_id}/notes", data={"csrf_token": csrf, "body": "@Dina please take this"},
                    follow_redirects=False)
    assert r.status_code == 303
    told = notifications(rt, world.users["mod"])
    assert len(told) == 1 and told[0].kind == "mention" and told[0].url.startswith(f"/conversations/{conv_id}#note-")


def test_service_levels_feed_priority_and_follow_status_changes(rt, world, factory):
    from kapwa.core.models import SlaPolicy
    from kapwa.inbox.desk import update_conversations

    with rt.db.write_sessions() as s, s.begin():
        s.add(SlaPolicy(workspace_id=factory.workspace_id, source_id=None, first_response_minutes=60,
                        resolution_minutes=60 * 24 * 7, business_hours={}, holidays=[]))
    update_conversations(rt, [world.convs["angry"].id, world.convs["cashin"].id])
    angry, cashin = convs(rt, world, "angry", "cashin")
    assert angry.first_response_due_at is not None and ["SLA breached", 25] in angry.priority_reasons
    assert ["SLA breached", 25] in cashin.priority_reasons  # asked 1.5 h ago, the target is 1 h
    mod = actor(world.users["mod"])
    actions.do_update_conversation(rt, mod, angry.id, status="resolved")
    angry = convs(rt, world, "angry")[0]
    assert angry.first_response_due_at is None and angry.priority_score == 0
    actions.do_update_conversation(rt, mod, angry.id, status="open")
    angry = convs(rt, world, "angry")[0]
    assert angry.first_response_due_at is not None and ["SLA breached", 25] in angry.priority_reasons
