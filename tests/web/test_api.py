"""REST API under /api/v1: the same resources as the UI, documented in OpenAPI, strict about input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kapwa.core.actions import Actor
from kapwa.core.models import Role
from kapwa.team.actions import do_create_api_token


@pytest.fixture
def api(app, factory, rt):
    def as_role(role: Role) -> TestClient:
        user = factory.user(role)
        _, secret = do_create_api_token(rt, Actor(workspace_id=user.workspace_id, user_id=user.id,
                                                  role=user.role_enum), "tests")
        c = TestClient(app, base_url="https://testserver")
        c.headers["Authorization"] = f"Bearer {secret}"
        return c

    return as_role


@pytest.fixture
def data(factory):
    src = factory.source("discourse", name="Bayani forum")
    member = factory.member("Ana Reyes")
    ident = factory.identity(member, src, handle="anareyes")
    conv = factory.conversation(src, title="Paano mag-cash in sa 7-Eleven?", needs_answer=True)
    factory.message(conv, text="Paano po mag-cash in sa 7-Eleven?", identity=ident)
    return {"conv": conv, "member": member, "source": src}


def test_openapi_documents_the_resources(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    for p in ("/api/v1/members", "/api/v1/members/{member_id}", "/api/v1/conversations",
              "/api/v1/conversations/{conversation_id}", "/api/v1/sources", "/api/v1/team", "/api/v1/audit",
              "/api/v1/search", "/api/v1/me"):
        assert p in paths
    assert not any(p.startswith(("/members", "/login")) for p in paths)  # HTML routes stay out of the API docs
    assert client.get("/api/docs").status_code == 200


def test_members_and_conversations(api, data):
    c = api(Role.analyst)
    members = c.get("/api/v1/members", params={"q": "anareyes"}).json()
    assert members["total"] == 1 and members["items"][0]["identities"][0]["handle"] == "anareyes"
    conv = c.get(f"/api/v1/conversations/{data['conv'].id}").json()
    assert conv["messages"][0]["text"].startswith("Paano po") and conv["needs_answer"] is True
    listing = c.get("/api/v1/conversations", params={"needs_answer": True, "q": "7-eleven"}).json()
    assert [x["id"] for x in listing["items"]] == [data["conv"].id]
    assert c.get("/api/v1/search", params={"q": "cash"}).json()[0]["conversation_id"] == data["conv"].id


def test_conversations_carry_their_tag_names(api, data, rt, factory):
    from kapwa.core.actions import Actor
    from kapwa.inbox.actions import do_tag_conversation

    mod = factory.user(Role.moderator)
    do_tag_conversation(rt, Actor(workspace_id=mod.workspace_id, user_id=mod.id, role=mod.role_enum),
                        data["conv"].id, "cash-in")
    c = api(Role.analyst)
    assert c.get("/api/v1/conversations").json()["items"][0]["tags"] == ["cash-in"]
    assert c.get(f"/api/v1/conversations/{data['conv'].id}").json()["tags"] == ["cash-in"]


def test_patch_conversation_and_audit(api, data):
    mod = api(Role.moderator)
    r = mod.patch(f"/api/v1/conversations/{data['conv'].id}", json={"status": "pending", "priority": "high"})
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["priority"] == "high"
    audit = api(Role.manager).get("/api/v1/audit", params={"action": "conversation."}).json()
    assert audit["items"][0]["changes"]["status"] == ["new", "pending"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"priority": "asap"}, "priority"),
        ({"assignee_id": 424242}, "assignee"),
        ({"colour": "red"}, "colour"),
        ({"status": 5}, "status"),
    ],
)
def test_bad_payloads_are_refused_naming_the_field(api, data, body, field):
    r = api(Role.moderator).patch(f"/api/v1/conversations/{data['conv'].id}", json=body)
    assert r.status_code in (400, 422)
    assert field in r.json()["detail"] or field in str(r.json().get("field"))


def test_unknown_ids_are_404(api):
    c = api(Role.owner)
    assert c.get("/api/v1/members/999").status_code == 404
    assert c.patch("/api/v1/conversations/999", json={"status": "open"}).status_code == 404


def test_team_api_is_for_owners(api):
    owner = api(Role.owner)
    r = owner.post("/api/v1/team", json={"email": "new@bayani.ph", "name": "Kiko", "password": "long enough pw",
                                         "role": "analyst"})
    assert r.status_code == 201 and r.json()["role"] == "analyst"
    assert api(Role.manager).post("/api/v1/team", json={"email": "x@y.z", "name": "x", "password": "long enough pw",
                                                        "role": "owner"}).status_code == 403
