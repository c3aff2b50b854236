"""Saved inbox views: personal ones only their owner sees, shared ones for the team (managers share)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound
from kapwa.core.models import AuditEntry, SavedView
from kapwa.inbox import saved_views
from tests.support.web import csrf_of, login


def actor(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=user.role_enum, name=user.name)


def sign_in(client, user):
    client.cookies.clear()
    assert login(client, user.email).status_code == 303


def sidebar(html: str) -> str:
    return html[html.index('<nav class="inbox-views"'):html.index("</nav>", html.index('<nav class="inbox-views"'))]


def test_personal_views_are_private_and_shared_views_are_for_everyone(rt, world, client):
    mod, analyst, manager = world.users["mod"], world.users["analyst"], world.users["manager"]
    mine = saved_views.do_create_view(rt, actor(mod), "My angry VIPs",
                                      "sentiment=negative&segment=vip&page=3&bogus=1")
    assert mine.query == "sentiment=negative&segment=vip"  # normalised: no page, no unknown parameters
    shared = saved_views.do_create_view(rt, actor(manager), "Unanswered questions", "needs_answer=1&sort=waiting",
                                        shared=True)
    with rt.db.sessions() as s:
        assert [v.name for v in saved_views.visible_views(s, mod.workspace_id, mod.id)] == [
            "Unanswered questions", "My angry VIPs"]
        assert [v.name for v in saved_views.visible_views(s, mod.workspace_id, analyst.id)] == [
            "Unanswered questions"]
    # In the sidebar, and opening a view applies its filters.
    sign_in(client, mod)
    html = client.get("/inbox").text
    assert "My angry VIPs" in sidebar(html) and "Unanswered questions" in sidebar(html)
    page = client.get("/inbox", params={"view": mine.id}).text
    assert "Inbox: My angry VIPs" in page and '<option value="vip" selected>' in page
    assert re.findall(r'class="conv-link"[^>]*>([^<]*)<', page) == ["Nawala ang pera ko"]
    sign_in(client, analyst)
    assert "My angry VIPs" not in sidebar(client.get("/inbox").text)
    assert client.get("/inbox", params={"view": mine.id}).status_code == 404  # not theirs
    assert client.get("/inbox", params={"view": shared.id}).status_code == 200


def test_sharing_and_changing_shared_views_needs_a_manager(rt, world):
    mod, manager, analyst = world.users["mod"], world.users["manager"], world.users["analyst"]
    with pytest.raises(Forbidden):
        saved_views.do_create_view(rt, actor(mod), "Team view", "toxic=1", shared=True)
    shared = saved_views.do_create_view(rt, actor(manager), "Toxic", "toxic=1", shared=True)
    with pytest.raises(Forbidden):
        saved_views.do_update_view(rt, actor(mod), shared.id, name="Mine now")
    with pytest.raises(Forbidden):
        saved_views.do_delete_view(rt, actor(mod), shared.id)
    personal = saved_views.do_create_view(rt, actor(analyst), "Mine", "language=tl")  # analysts keep their own
    with pytest.raises(NotFound):
        saved_views.do_delete_view(rt, actor(manager), personal.id)  # even a manager cannot see it
    with pytest.raises(ActionError, match="sentiment"):
        saved_views.do_create_view(rt, actor(analyst), "Bad", "sentiment=furious")
    with pytest.raises(ActionError, match="name"):
        saved_views.do_create_view(rt, actor(analyst), "  ", "")
    renamed = saved_views.do_update_view(rt, actor(manager), shared.id, name="Toxic threads", query="toxic=1&sort=newest")
    assert (renamed.name, renamed.query) == ("Toxic threads", "toxic=1&sort=newest")
    saved_views.do_delete_view(rt, actor(manager), shared.id)
    with rt.db.sessions() as s:
        assert s.get(SavedView, shared.id) is None
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("saved_view.%"))
                                                .order_by(AuditEntry.id))]
    assert actions == ["saved_view.create", "saved_view.create", "saved_view.update", "saved_view.delete"]


def test_save_rename_and_delete_from_the_page(rt, world, client):
    sign_in(client, world.users["manager"])
    csrf = csrf_of(client)
    page = client.get("/inbox", params={"sentiment": "negative", "toxic": "1"}).text
    assert '<input type="hidden" name="query" value="sentiment=negative&amp;toxic=1">' in page
    assert 'name="shared" value="true"' in page  # managers may share
    r = client.post("/inbox/views", data={"csrf_token": csrf, "name": "Angry and toxic",
                                          "query": "sentiment=negative&toxic=1", "shared": "true"},
                    follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        view = s.scalar(select(SavedView))
    assert view.owner_user_id is None and r.headers["location"] == f"/inbox?sentiment=negative&toxic=1&view={view.id}"
    html = client.get(r.headers["location"]).text
    assert 'aria-current="page">Angry and toxic</a>' in html
    client.post(f"/inbox/views/{view.id}", data={"csrf_token": csrf, "name": "Angry", "update_filters": "true",
                                                  "query": "sentiment=negative"})
    with rt.db.sessions() as s:
        assert (s.get(SavedView, view.id).name, s.get(SavedView, view.id).query) == ("Angry", "sentiment=negative")
    client.post(f"/inbox/views/{view.id}/delete", data={"csrf_token": csrf})
    with rt.db.sessions() as s:
        assert s.get(SavedView, view.id) is None
    # A moderator sees no "share" box; asking anyway is refused.
    sign_in(client, world.users["mod"])
    csrf = csrf_of(client)
    assert 'name="shared"' not in client.get("/inbox").text
    r = client.post("/inbox/views", data={"csrf_token": csrf, "name": "x", "shared": "true"}, follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        assert s.scalar(select(SavedView)) is None


def test_saved_views_api(rt, world, client):
    from kapwa.team.actions import do_create_api_token

    def api(user):
        _, secret = do_create_api_token(rt, actor(user), "t")
        return {"Authorization": f"Bearer {secret}"}

    mod, manager = api(world.users["mod"]), api(world.users["manager"])
    r = client.post("/api/v1/inbox/views", json={"name": "Mine", "query": "intent=question"}, headers=mod)
    assert r.status_code == 201 and r.json()["shared"] is False
    mine = r.json()["id"]
    assert client.post("/api/v1/inbox/views", json={"name": "Team", "shared": True}, headers=mod).status_code == 403
    assert client.post("/api/v1/inbox/views", json={"name": "Team", "shared": True},
                       headers=manager).status_code == 201
    assert [v["name"] for v in client.get("/api/v1/inbox/views", headers=mod).json()] == ["Team", "Mine"]
    assert [v["name"] for v in client.get("/api/v1/inbox/views", headers=manager).json()] == ["Team"]
    items = client.get("/api/v1/inbox", params={"view": mine}, headers=mod).json()["items"]
    assert [i["title"] for i in items] == ["Paano mag cash in"]
    assert client.get("/api/v1/inbox", params={"view": mine}, headers=manager).status_code == 404
    assert client.patch(f"/api/v1/inbox/views/{mine}", json={"name": "Questions"}, headers=mod).json()["name"] == (
        "Questions")
    assert client.delete(f"/api/v1/inbox/views/{mine}", headers=manager).status_code == 404
    assert client.delete(f"/api/v1/inbox/views/{mine}", headers=mod).status_code == 204
