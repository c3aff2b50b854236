"""The empathy check and suggested answers over HTTP: the composer's JSON check (session + CSRF), the API
(token), the suggestions endpoint, and the suggestions panel on the conversation page."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from kapwa.core.actions import Actor
from kapwa.core.models import Role, utcnow
from kapwa.team.actions import do_create_api_token
from tests.support.factories import Factory

ANGRY = "I paid my Meralco bill 3 days ago and the ₱1,500 was deducted but it says unpaid. Unacceptable!"


@pytest.fixture
def desk(factory):
    src = factory.source("discord", name="Bayani Discord")
    maria = factory.member("Maria Santos")
    ident = factory.identity(maria, src)
    team = factory.user(Role.moderator, name="Ana Cruz")
    then = utcnow() - dt.timedelta(days=14)
    answered = factory.conversation(src, title="Cash-in from BPI", status="resolved", message_count=2,
                                    last_message_at=then)
    asker = factory.member("Liza Ramos")
    factory.message(answered, text="How long does an InstaPay cash-in from BPI take to arrive in my wallet?",
                    identity=factory.identity(asker, src), intent="question", needs_answer=True, created_at=then)
    factory.message(answered, text="InstaPay cash-ins from BPI usually arrive in your wallet within minutes.",
                    direction="outbound", sent_by_user_id=team.id, created_at=then + dt.timedelta(hours=1))
    angry = factory.conversation(src, title="Bill unpaid", started_by_member_id=maria.id, message_count=1,
                                 last_message_at=utcnow())
    factory.message(angry, text=ANGRY, identity=ident, language="en", sentiment_score=-0.8, intent="complaint")
    question = factory.conversation(src, title="Cash-in?", started_by_member_id=maria.id, message_count=1,
                                    last_message_at=utcnow())
    factory.message(question, text="How long does a cash-in from BPI via InstaPay take to reach my wallet?",
                    identity=ident, language="en", intent="question", needs_answer=True)
    return {"angry": angry, "question": question, "answered": answered, "team": team}


def test_the_composer_check_flags_a_harsh_draft(signed_in, desk):
    client, _, csrf = signed_in(Role.moderator)
    url = f"/conversations/{desk['angry'].id}/empathy-check"
    r = client.post(url, json={"draft": "As I said, just read the FAQ."}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    report = r.json()
    codes = [f["code"] for f in report["findings"]]
    assert "dismissive" in codes and "no_apology" in codes and report["ok"] is False
    assert report["member_upset"] is True and report["labels"]["use_this"] == "Use this"
    opening = next(f for f in report["findings"] if f["code"] == "no_apology")
    assert opening["suggestion"].startswith("I'm sorry about the trouble with your payment, Maria.")
    good = client.post(url, headers={"X-CSRF-Token": csrf}, json={
        "draft": "I'm sorry about the trouble with your payment, Maria. Could you send us the reference number by DM "
                 "so we can check it right away?"}).json()
    assert good["findings"] == [] and good["ok"] is True


def test_the_composer_check_needs_csrf_a_moderator_and_the_workspace(signed_in, desk, rt, client):
    url = f"/conversations/{desk['angry'].id}/empathy-check"
    c, _, csrf = signed_in(Role.moderator)
    assert c.post(url, json={"draft": "hi"}).status_code == 403  # no CSRF header
    assert c.post(url, json={"draft": "x" * 10_001}, headers={"X-CSRF-Token": csrf}).status_code == 422
    other = Factory(rt).conversation(title="Elsewhere")
    assert c.post(f"/conversations/{other.id}/empathy-check", json={"draft": "hi"},
                  headers={"X-CSRF-Token": csrf}).status_code == 404
    c.post("/logout", headers={"X-CSRF-Token": csrf})
    a, _, csrf = signed_in(Role.analyst)
    assert a.post(url, json={"draft": "hi"}, headers={"X-CSRF-Token": csrf}).status_code == 403


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


def test_api_check_with_a_conversation_or_a_described_member(api, desk):
    c = api(Role.moderator)
    r = c.post("/api/v1/empathy-check", json={"draft": "Calm down, it's not our problem.",
                                              "conversation_id": desk["angry"].id})
    assert r.status_code == 200 and {"dismissive"} <= {f["code"] for f in r.json()["findings"]}
    r = c.post("/api/v1/empathy-check", json={
        "draft": "You can cash in from BPI through InstaPay and it usually arrives within minutes.",
        "member_texts": ["Paano po mag-cash in galing BPI? Ilang minuto po bago pumasok?"],
        "member_language": "tl", "member_name": "Maria Santos"})
    body = r.json()
    assert r.status_code == 200 and [f["code"] for f in body["findings"]] == ["language_mismatch"]
    assert body["reply_language"] == "tl" and body.get("labels") is None
    assert c.post("/api/v1/empathy-check", json={"draft": "hi", "member_language": "klingon"}).status_code == 422
    assert c.post("/api/v1/empathy-check", json={"draft": "hi", "conversation_id": 999999}).status_code == 404
    assert api(Role.analyst).post("/api/v1/empathy-check", json={"draft": "hi"}).status_code == 403


def test_api_suggestions(api, desk):
    c = api(Role.analyst)
    body = c.get(f"/api/v1/conversations/{desk['question'].id}/suggestions").json()
    assert body["question_message_id"] is not None
    first = body["items"][0]
    assert first["conversation_id"] == desk["answered"].id and first["kind"] == "past_answer"
    assert first["text"].startswith("InstaPay cash-ins from BPI usually arrive") and 0 < first["score"] <= 1
    assert first["source"].startswith("answered by Ana Cruz in “Cash-in from BPI”")
    assert c.get(f"/api/v1/conversations/{desk['angry'].id}/suggestions").json()["items"] == []
    assert c.get("/api/v1/conversations/999999/suggestions").status_code == 404


def test_the_conversation_page_shows_suggested_answers(signed_in, desk):
    client, _, _ = signed_in(Role.moderator)
    html = client.get(f"/conversations/{desk['question'].id}").text
    assert 'id="suggested-answers"' in html and "Suggested answers" in html
    assert "InstaPay cash-ins from BPI usually arrive" in html and 'class="insert-answer"' in html
    assert "answered by Ana Cruz in “Cash-in from BPI”" in html
    # Not a question: no panel.
    assert 'id="suggested-answers"' not in client.get(f"/conversations/{desk['angry'].id}").text


def test_analysts_see_suggestions_without_insert_buttons(signed_in, desk):
    client, _, _ = signed_in(Role.analyst)
    html = client.get(f"/conversations/{desk['question'].id}").text
    assert 'id="suggested-answers"' in html and 'class="insert-answer"' not in html
