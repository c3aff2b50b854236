"""Teammate notifications: who an @mention reaches, who notify() reaches, reading them, the bell, isolation."""

from __future__ import annotations

import re

import pytest

from kapwa.core.actions import Actor, transaction
from kapwa.core.models import Notification, Role
from kapwa.team import notifications as notes
from tests.support.factories import Factory
from tests.support.web import csrf_of, login


@pytest.fixture
def team(factory):
    return {
        "maria": factory.user(Role.moderator, email="maria.santos@bayanipay.ph", name="Maria Santos"),
        "jose": factory.user(Role.manager, email="jrizal@bayanipay.ph", name="José Protacio Rizal"),
        "ana": factory.user(Role.analyst, email="ana@bayanipay.ph", name="Ana Reyes"),
        "gone": factory.user(Role.moderator, email="ben@bayanipay.ph", name="Ben Cruz", is_active=False),
    }


def mentioned(rt, factory, body):
    with rt.db.sessions() as s:
        return notes.mentioned_user_ids(s, factory.workspace_id, body)


def actor_for(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=Role(user.role), name=user.name)


@pytest.mark.parametrize("body, who", [
    ("@Maria can you check this?", ["maria"]),  # first name, any case
    ("cc @maria.santos", ["maria"]),  # first.last
    ("@MARIA.SANTOS.", ["maria"]),  # sentence end after first.last
    ("ping @jrizal", ["jose"]),  # e-mail local part
    ("@jose and @Jose again", ["jose"]),  # accents ignored, counted once
    ("@josé.rizal @jose.protacio.rizal", ["jose"]),  # first.last with the accent; every part of the name
    ("(@ana) @maria, thoughts?", ["ana", "maria"]),  # punctuation around, order of first mention
    ("@Ana's question first", ["ana"]),  # possessive
    ("@maria.please look", ["maria"]),  # a glued word falls back to the first name
    ("write to maria.santos@bayanipay.ph", []),  # inside an e-mail address
    ("see https://mastodon.social/@maria and www.example.org/@ana", []),  # inside URLs
    ("her account is @maria@mastodon.social", []),  # a fediverse handle is someone else
    ("reddit.com/u/x/@ana", []),
    ("@ben was here", []),  # inactive teammate
    ("@nobody here, @@maria", []),
    ("", []),
])
def test_mentions(rt, factory, team, body, who):
    assert mentioned(rt, factory, body) == [team[w].id for w in who]


def test_mentions_shared_first_name_reach_both_but_exact_wins(rt, factory, team):
    other = factory.user(Role.moderator, email="mlopez@bayanipay.ph", name="Maria Lopez")
    assert mentioned(rt, factory, "@maria") == [team["maria"].id, other.id]
    assert mentioned(rt, factory, "@maria.lopez") == [other.id]
    assert mentioned(rt, factory, "@mlopez") == [other.id]


def test_mentions_stay_in_the_workspace(rt, factory, team):
    elsewhere = Factory(rt)
    stranger = elsewhere.user(Role.owner, email="carlo@other.org", name="Carlo Other")
    assert mentioned(rt, factory, "@carlo @maria") == [team["maria"].id]
    with rt.db.sessions() as s:
        assert notes.mentioned_user_ids(s, elsewhere.workspace_id, "@carlo @maria") == [stranger.id]


def test_notify_skips_the_actor_inactive_and_other_workspaces(rt, factory, team):
    stranger = Factory(rt).user(Role.owner, name="Carlo Other")
    seen = []
    rt.events.subscribe(seen.append)
    ids = [team["maria"].id, team["jose"].id, team["gone"].id, stranger.id, team["maria"].id, 999999]
    with transaction(rt, actor_for(team["jose"])) as tx:
        made = notes.notify(tx, ids, "mention", "José mentioned you on   Bakit\n pending?", "/members/1#notes")
        assert not [e for e in seen if e.type == "notification.created"], "events wait for the commit"
    assert made == 1
    with rt.db.sessions() as s:
        rows = list(s.query(Notification))
    assert [(n.user_id, n.kind, n.text, n.url, n.actor_user_id) for n in rows] == [
        (team["maria"].id, "mention", "José mentioned you on Bakit pending?", "/members/1#notes", team["jose"].id)]
    events = [e for e in seen if e.type == "notification.created"]
    assert [(e.data["user_id"], e.workspace_id) for e in events] == [(team["maria"].id, factory.workspace_id)]


def test_notify_from_a_job_reaches_everyone_and_links_stay_inside(rt, factory, team):
    with transaction(rt, Actor.system(factory.workspace_id)) as tx:
        made = notes.notify(tx, [team["maria"].id, team["ana"].id], "sla", "x" * 900, "https://evil.example/")
        assert notes.notify(tx, [], "sla", "nothing") == 0
    assert made == 2
    with rt.db.sessions() as s:
        rows = list(s.query(Notification))
        assert all(n.url is None and len(n.text) == 500 and n.actor_user_id is None for n in rows)
        assert notes.unread_count(s, team["maria"].id) == 1


def test_a_failed_action_leaves_no_notification(rt, factory, team):
    with pytest.raises(RuntimeError), transaction(rt, actor_for(team["jose"])) as tx:
        notes.notify(tx, [team["maria"].id], "assigned", "Assigned to you", "/conversations/1")
        raise RuntimeError("the action failed after notifying")
    with rt.db.sessions() as s:
        assert notes.unread_count(s, team["maria"].id) == 0
    assert not [e for e in rt.events.published if e.type == "notification.created"]


def _notify(rt, sender, users, text="hello", url="/members"):
    with transaction(rt, actor_for(sender)) as tx:
        notes.notify(tx, [u.id for u in users], "mention", text, url)


def test_mark_read_only_touches_your_own(rt, factory, team):
    maria, ana, jose = team["maria"], team["ana"], team["jose"]
    for i in range(3):
        _notify(rt, jose, [maria, ana], f"note {i}")
    with rt.db.sessions() as s:
        mine, _ = notes.notifications_for(s, maria.id)
        theirs, _ = notes.notifications_for(s, ana.id)
    assert notes.do_mark_read(rt, actor_for(maria), [mine[0].id, theirs[0].id]) == 1
    assert notes.do_mark_read(rt, actor_for(maria), [mine[0].id]) == 0  # already read
    with rt.db.sessions() as s:
        assert (notes.unread_count(s, maria.id), notes.unread_count(s, ana.id)) == (2, 3)
        rows, total = notes.notifications_for(s, maria.id)
        assert total == 3 and [n.text for n in rows] == ["note 1", "note 0", "note 2"]  # unread first, newest first
    assert notes.do_mark_read(rt, actor_for(maria), all=True) == 2
    assert notes.do_mark_read(rt, actor_for(maria), [mine[1].id], unread=True) == 1
    with rt.db.sessions() as s:
        assert (notes.unread_count(s, maria.id), notes.unread_count(s, ana.id)) == (1, 3)


def _bell(html: str) -> int:
    return int(re.search(r'id="notification-bell"[^>]*data-unread-count="(\d+)"', html).group(1))


def test_bell_page_and_opening_a_notification(rt, factory, team, client):
    _notify(rt, team["jose"], [team["maria"]], "José mentioned you on <b>Maria Clara</b>", "/members/42#notes")
    _notify(rt, team["jose"], [team["maria"]], "An old one", None)
    assert login(client, team["maria"].email).status_code == 303
    home = client.get("/").text
    assert _bell(home) == 2 and 'aria-label="Notifications, 2 unread"' in home
    page = client.get("/notifications")
    assert "&lt;b&gt;Maria Clara&lt;/b&gt;" in page.text and "<b>Maria" not in page.text
    first = re.search(r'href="/notifications/(\d+)/open"', page.text).group(1)
    r = client.get(f"/notifications/{first}/open", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/members/42#notes"
    assert _bell(client.get("/notifications").text) == 1
    r = client.post("/notifications/read", data={"all": "true", "csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/notifications?unread=1").text
    assert _bell(page) == 0 and "No unread notifications." in page and "Mark all as read" not in page


def test_someone_elses_notification_cannot_be_opened(rt, factory, team, client):
    _notify(rt, team["jose"], [team["ana"]], "for Ana", "/members/1")
    with rt.db.sessions() as s:
        (n,), _ = notes.notifications_for(s, team["ana"].id)
    login(client, team["maria"].email)
    r = client.get(f"/notifications/{n.id}/open", follow_redirects=False)
    assert r.headers["location"] == "/notifications"
    with rt.db.sessions() as s:
        assert notes.unread_count(s, team["ana"].id) == 1


def test_api_lists_and_marks_read(rt, factory, team, client):
    _notify(rt, team["jose"], [team["maria"]], "one", "/conversations/1")
    _notify(rt, team["jose"], [team["maria"], team["ana"]], "two", "/conversations/2")
    login(client, team["maria"].email)
    body = client.get("/api/v1/notifications").json()
    assert (body["total"], body["unread"]) == (2, 2)
    assert [i["text"] for i in body["items"]] == ["two", "one"] and body["items"][0]["read_at"] is None
    r = client.post("/api/v1/notifications/read", json={"ids": [body["items"][0]["id"]]},
                    headers={"X-CSRF-Token": csrf_of(client)})
    assert r.json() == {"changed": 1, "unread": 1}
    assert [i["text"] for i in client.get("/api/v1/notifications?unread=true").json()["items"]] == ["one"]
    r = client.post("/api/v1/notifications/read", json={"ids": [1]})
    assert r.status_code == 403  # a browser session still needs its CSRF token


def test_autocomplete_handles_reach_exactly_their_teammate(rt, factory, team):
    factory.user(Role.moderator, email="mlopez@bayanipay.ph", name="Maria Lopez")
    with rt.db.sessions() as s:
        from kapwa.team.queries import team as whole_team

        users = whole_team(s, factory.workspace_id)
        choices = notes.mention_choices(users)
        assert {c["name"]: c["handle"] for c in choices} == {
            "Maria Santos": "maria.santos", "Maria Lopez": "maria.lopez", "José Protacio Rizal": "jose",
            "Ana Reyes": "ana"}  # Ben is inactive
        by_name = {u.name: u.id for u in users}
        for c in choices:
            assert notes.mentioned_user_ids(s, factory.workspace_id, f"hi @{c['handle']} !") == [by_name[c["name"]]]
