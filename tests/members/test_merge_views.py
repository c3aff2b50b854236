"""Merge pages through the browser client: who may see and do what, CSRF, and what people see."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kapwa.core.models import AuditEntry, Member, MemberMerge, Role
from kapwa.members import merge_queries, merge_views
from kapwa.web.app import create_app

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


@pytest.fixture
def app(rt, monkeypatch):
    """The app with the merge routers first, as kapwa.web.routes.all_routers must list them."""
    from kapwa.web import routes

    original = routes.all_routers

    def with_merge():
        found = original()
        if merge_views.router in found:
            return found
        return [merge_views.router, merge_views.api_router, *found]

    monkeypatch.setattr(routes, "all_routers", with_merge)
    return create_app(rt=rt)


@pytest.fixture
def twins(factory):
    discord, reddit = factory.source("discord", name="Bayani Discord"), factory.source("reddit", name="r/bayanipay")
    a = factory.member("Maria Clara Santos", message_count=3)
    factory.identity(a, discord, handle="mcsantos")
    b = factory.member("maria.santos", message_count=1)
    factory.identity(b, reddit, handle="maria.santos")
    return a, b


def _merged_into(rt, member_id):
    with rt.db.sessions() as s:
        return s.get(Member, member_id).merged_into_id


def test_analyst_sees_suggestions_side_by_side_but_cannot_act(signed_in, twins, rt):
    a, b = twins
    client, _user, csrf = signed_in(Role.analyst)
    page = client.get("/members/merge-suggestions")
    assert page.status_code == 200
    html = page.text
    assert "Maria Clara Santos" in html and "maria.santos" in html
    assert "Bayani Discord" in html and "r/bayanipay" in html  # both members' identities
    assert "One's handle spells the other's name" in html and "likely" in html
    assert "Not the same person" not in html and f'action="/members/{a.id}/merge"' not in html

    r = client.post(f"/members/{a.id}/merge", data={"other_id": b.id, "keep": "this", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/members/merge-suggestions/dismiss", data={"a_id": a.id, "b_id": b.id, "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 403
    assert _merged_into(rt, b.id) is None


def test_manager_merges_from_a_suggestion_keeping_either_member(signed_in, twins, rt):
    a, b = twins
    client, user, csrf = signed_in(Role.manager)
    html = client.get("/members/merge-suggestions").text
    assert "Not the same person" in html and "Keep which member?" in html
    forms = re.findall(r"<form method=\"post\".*?</form>", html, re.DOTALL)
    assert forms and all(CSRF_FIELD.search(f) for f in forms)
    assert all(re.search(r"<label><input type=\"radio\" name=\"keep\"", f) for f in forms if "keep" in f)

    r = client.post(f"/members/{a.id}/merge", follow_redirects=False,
                    data={"other_id": b.id, "keep": "other", "next": "/members/merge-suggestions", "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/members/merge-suggestions"
    assert _merged_into(rt, a.id) == b.id  # "other" kept
    after = client.get("/members/merge-suggestions").text
    assert "No possible duplicates right now." in after and "Members merged" in after
    with rt.db.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "member.merge"))
        assert entry.actor_user_id == user.id and entry.target_id == b.id


def test_undo_from_the_member_history(signed_in, twins, rt):
    a, b = twins
    client, _user, csrf = signed_in(Role.manager)
    client.post(f"/members/{a.id}/merge", data={"other_id": b.id, "keep": "this", "csrf_token": csrf})
    with rt.db.sessions() as s:
        merge_id = s.scalar(select(MemberMerge.id))
        panel = merge_queries.merge_panel(s, a.workspace_id, a.id, "")
    assert [e.merged.id for e in panel["merge_history"]] == [b.id] and panel["merge_history"][0].can_undo

    r = client.post(f"/members/merges/{merge_id}/undo", data={"next": f"/members/{a.id}#merges", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/members/{a.id}#merges"
    assert _merged_into(rt, b.id) is None
    again = client.post(f"/members/merges/{merge_id}/undo", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 303  # refused with a message, not an error page
    assert "already undone" in client.get(again.headers["location"]).text


def test_posts_without_csrf_are_refused(signed_in, twins, rt):
    a, b = twins
    client, _user, _csrf = signed_in(Role.owner)
    r = client.post(f"/members/{a.id}/merge", data={"other_id": b.id, "keep": "this"}, follow_redirects=False)
    assert r.status_code == 403
    assert _merged_into(rt, b.id) is None


def test_not_the_same_person_hides_the_suggestion(signed_in, twins, rt):
    a, b = twins
    client, _user, csrf = signed_in(Role.manager)
    r = client.post("/members/merge-suggestions/dismiss", data={"a_id": b.id, "b_id": a.id, "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "No possible duplicates right now." in html and "Marked as different people" in html


def test_merge_panel_renders_history_search_and_labelled_forms(signed_in, twins, factory, rt, app):
    """The include the member page gets: history with Undo, and "Merge with…" search results."""
    a, b = twins
    client, _user, csrf = signed_in(Role.manager)
    client.post(f"/members/{a.id}/merge", data={"other_id": b.id, "keep": "this", "csrf_token": csrf})
    target = factory.member("Maria C. Santos")
    factory.identity(target, factory.source("telegram"), handle="mariacs")

    class ManagerViewer:
        def can(self, role):
            return Role.manager.at_least(Role(role))

    with rt.db.sessions() as s:
        ctx = merge_queries.merge_panel(s, a.workspace_id, a.id, "Maria C")
        html = app.state.templates.env.get_template("members/_merge_panel.html").render(
            m=s.get(Member, a.id), viewer=ManagerViewer(), csrf_token="tok123", **ctx)
    assert "Merged in:" in html and "maria.santos" in html and "Undo merge" in html
    assert [t.id for t in ctx["merge_targets"]] == [target.id]  # not the member itself, not the merged one
    assert f'<input type="hidden" name="other_id" value="{target.id}">' in html
    forms = re.findall(r"<form method=\"post\".*?</form>", html, re.DOTALL)
    assert len(forms) == 2 and all('name="csrf_token" value="tok123"' in x for x in forms)
    assert '<label for="merge-q"' in html and 'id="merge-q"' in html


def test_api_merge_and_undo(signed_in, twins, rt):
    a, b = twins
    client, _user, csrf = signed_in(Role.manager)
    headers = {"X-CSRF-Token": csrf}
    listed = client.get("/api/v1/merge-suggestions").json()
    assert {listed[0]["a"]["id"], listed[0]["b"]["id"]} == {a.id, b.id} and listed[0]["reasons"]
    r = client.post(f"/api/v1/members/{a.id}/merge", json={"merge_id": b.id}, headers=headers)
    assert r.status_code == 201 and r.json()["kept_member_id"] == a.id
    again = client.post(f"/api/v1/members/{a.id}/merge", json={"merge_id": b.id}, headers=headers)
    assert again.status_code == 400 and "already merged" in again.json()["detail"]
    undo = client.post(f"/api/v1/merges/{r.json()['id']}/undo", headers=headers)
    assert undo.status_code == 200 and _merged_into(rt, b.id) is None


def test_api_merge_needs_a_manager(signed_in, twins, rt):
    a, b = twins
    client, _user, csrf = signed_in(Role.moderator)
    r = client.post(f"/api/v1/members/{a.id}/merge", json={"merge_id": b.id}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and _merged_into(rt, b.id) is None


def test_every_reason_a_suggestion_can_give_has_a_label():
    from pathlib import Path

    source = Path(merge_queries.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'reasons\.append\("([a-z-]+)"\)', source))
    template = (Path(merge_views.__file__).parents[1] / "web/templates/members/merge_suggestions.html").read_text()
    assert len(codes) >= 10
    assert not [c for c in codes if f'"{c}": _(' not in template]
