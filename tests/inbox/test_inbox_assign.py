"""Round-robin auto-assignment per source, and choosing the rotation on the sources page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, Forbidden
from kapwa.core.models import AuditEntry, Conversation, Notification, Role, Source, User
from kapwa.inbox.assign import next_in_rotation
from kapwa.inbox.desk import update_conversations
from kapwa.sources.actions import do_set_auto_assign
from tests.inbox.inbox_world import thread

Q = {"language": "en", "sentiment_label": "neutral", "intent": "question", "needs_answer": True}


def _new(factory, src, n, start=0):
    member = factory.member()
    ident = factory.identity(member, src)
    return [thread(factory, src, f"Question {start + i}", member, ident, [(f"q{i}?", 1, "inbound", Q)])
            for i in range(n)]


def _assignees(rt, convs):
    with rt.db.sessions() as s:
        return [s.get(Conversation, c.id).assignee_id for c in convs]


def test_next_in_rotation_wraps_and_skips_inactive():
    assert next_in_rotation([1, 2, 3], {1, 2, 3}, None) == 1
    assert next_in_rotation([1, 2, 3], {1, 2, 3}, 1) == 2
    assert next_in_rotation([1, 2, 3], {1, 2, 3}, 3) == 1
    assert next_in_rotation([1, 2, 3], {1, 3}, 1) == 3
    assert next_in_rotation([1, 2, 3], {1, 2, 3}, 99) == 1  # the last one left the rotation
    assert next_in_rotation([1, 2], set(), 1) is None


def test_round_robin_per_source(rt, factory):
    ana, ben, cy = (factory.user(Role.moderator, name=n) for n in ("Ana", "Ben", "Cy"))
    gone = factory.user(Role.moderator, name="Gone", is_active=False)
    rota = factory.source("discord", name="Rota", auto_assign_user_ids=[ana.id, gone.id, ben.id, cy.id])
    other = factory.source("discord", name="Other", auto_assign_user_ids=[cy.id])
    manual = factory.source("discord", name="Manual")
    convs = _new(factory, rota, 5)
    update_conversations(rt, [c.id for c in convs])
    assert _assignees(rt, convs) == [ana.id, ben.id, cy.id, ana.id, ben.id]  # the inactive teammate is skipped
    # The pointer carries over to the next batch.
    more = _new(factory, rota, 2, start=5)
    update_conversations(rt, [c.id for c in more])
    assert _assignees(rt, more) == [cy.id, ana.id]
    # Per source: each has its own rotation; a source without one assigns nobody.
    theirs, nobody = _new(factory, other, 2), _new(factory, manual, 1)
    update_conversations(rt, [c.id for c in theirs + nobody])
    assert _assignees(rt, theirs) == [cy.id, cy.id] and _assignees(rt, nobody) == [None]
    with rt.db.sessions() as s:
        assert s.get(Source, rota.id).last_assigned_user_id == ana.id
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.auto_assign")).all()
        assert len(audit) == 9 and "round-robin on Rota" in audit[0].summary
        told = s.scalars(select(Notification).where(Notification.user_id == ana.id)).all()
        assert len(told) == 3 and {n.kind for n in told} == {"assigned"}


def test_only_new_unassigned_conversations_are_assigned(rt, factory):
    ana, ben = factory.user(Role.moderator, name="Ana"), factory.user(Role.moderator, name="Ben")
    src = factory.source("discord", auto_assign_user_ids=[ana.id])
    member = factory.member()
    ident = factory.identity(member, src)
    taken = thread(factory, src, "Taken", member, ident, [("q?", 1, "inbound", Q)], assignee_id=ben.id)
    opened = thread(factory, src, "Open", member, ident, [("q?", 1, "inbound", Q)], status="open")
    done = thread(factory, src, "Done", member, ident, [("q?", 1, "inbound", Q)], status="resolved")
    update_conversations(rt, [taken.id, opened.id, done.id])
    assert _assignees(rt, [taken, opened, done]) == [ben.id, None, None]


def test_manager_sets_the_rotation_on_the_sources_page(rt, factory, signed_in):
    src = factory.source("discord", name="Bayani Discord")
    client, manager, csrf = signed_in(Role.manager)
    ana = factory.user(Role.moderator, name="Ana Reyes")
    factory.user(Role.moderator, name="Gone Away", is_active=False)
    html = client.get("/sources").text
    assert f'action="/sources/{src.id}/auto-assign"' in html and "Ana Reyes" in html and "Gone Away" not in html
    r = client.post(f"/sources/{src.id}/auto-assign", data={"csrf_token": csrf, "user_ids": [ana.id, manager.id]},
                    follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).auto_assign_user_ids == [ana.id, manager.id]
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "source.auto_assign")).changes == {
            "auto_assign_user_ids": [[], [ana.id, manager.id]]}
    assert "2 teammates" in client.get("/sources").text
    # Turning it off; a moderator may not change it.
    client.post(f"/sources/{src.id}/auto-assign", data={"csrf_token": csrf})
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).auto_assign_user_ids == []
    with pytest.raises(Forbidden):
        do_set_auto_assign(rt, Actor(workspace_id=src.workspace_id, role=Role.moderator), src.id, [ana.id])
    with rt.db.write_sessions() as s, s.begin():
        s.get(User, ana.id).is_active = False
    with pytest.raises(ActionError, match="active teammates"):
        do_set_auto_assign(rt, Actor(workspace_id=src.workspace_id, role=Role.manager), src.id, [ana.id])
