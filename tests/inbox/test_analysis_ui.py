"""What the message analysis looks like in the inbox: list filters, labels on messages, a member's sentiment
over time, and teammates' label corrections (stored, audited, exported for training)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound
from kapwa.core.models import AuditEntry, LabelCorrection, Message, Role
from kapwa.inbox import corrections, queries
from kapwa.inbox.desk import update_conversations
from kapwa.members import queries as member_queries
from kapwa.team.actions import do_create_api_token

NOW = dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture
def world(factory):
    """Five conversations, each with messages whose analysis fields are set directly."""
    src = factory.source("discord", name="Bayani Discord")
    maria = factory.member("Maria Clara")
    ident = factory.identity(maria, src, handle="mclara")
    at = NOW - dt.timedelta(days=1)

    angry = factory.conversation(src, title="Nawala ang pera ko")
    factory.message(angry, "Nawala ang pera ko, scam ba ito?!", identity=ident, created_at=at, language="tl",
                    is_taglish=False, sentiment_label="negative", sentiment_score=-0.7, toxicity_score=0.8,
                    toxicity_categories=["insult"], intent="complaint", needs_answer=True)

    happy = factory.conversation(src, title="Salamat sa update")
    factory.message(happy, "Thank you, it works now!", identity=ident, created_at=at, language="en",
                    is_taglish=False, sentiment_label="positive", sentiment_score=0.8, toxicity_score=0.1,
                    intent="praise", needs_answer=False)
    # The team's own (outbound) message is never what the analysis filters look at.
    factory.message(happy, "Sorry for the trouble", created_at=at, direction="outbound",
                    sentiment_label="negative", sentiment_score=-0.3, toxicity_score=0.9, intent="complaint")

    taglish = factory.conversation(src, title="Paano mag cash in")
    factory.message(taglish, "Paano po mag cash in using my card?", identity=ident, created_at=at, language="tl",
                    is_taglish=True, sentiment_label="neutral", sentiment_score=0.0, toxicity_score=0.35,
                    toxicity_categories=["profanity"], intent="question", needs_answer=True)

    mixed = factory.conversation(src, title="Two messages, two moods")
    factory.message(mixed, "This is broken again", identity=ident, created_at=at, language="en",
                    sentiment_label="negative", sentiment_score=-0.5, intent="bug_report")
    factory.message(mixed, "Is there a fix?", identity=ident, created_at=at, language="en",
                    sentiment_label="neutral", sentiment_score=0.0, intent="question", needs_answer=True)

    plain = factory.conversation(src, title="Not analysed yet")
    factory.message(plain, "Hello", identity=ident, created_at=at)
    return {"angry": angry, "happy": happy, "taglish": taglish, "mixed": mixed, "plain": plain, "member": maria,
            "ident": ident, "source": src}


def _titles(rt, factory, **filters) -> set[str]:
    with rt.db.sessions() as s:
        rows, total = queries.list_conversations(s, factory.workspace_id, queries.ConversationFilter(**filters))
    assert total == len(rows)
    return {c.title for c in rows}


def _message(rt, conv) -> Message:
    with rt.db.sessions() as s:
        return s.scalars(select(Message).where(Message.conversation_id == conv.id, Message.direction == "inbound")
                         .order_by(Message.id)).first()


# --------------------------------------------------------------------------------------------- list filters


def test_analysis_filters_match_conversations_by_their_inbound_messages(rt, factory, world):
    assert _titles(rt, factory, sentiment="negative") == {"Nawala ang pera ko", "Two messages, two moods"}
    assert _titles(rt, factory, sentiment="positive") == {"Salamat sa update"}
    assert _titles(rt, factory, sentiment="neutral") == {"Paano mag cash in", "Two messages, two moods"}
    assert _titles(rt, factory, toxic=True) == {"Nawala ang pera ko"}  # 0.35 is below 0.5; outbound 0.9 ignored
    assert _titles(rt, factory, intent="question") == {"Paano mag cash in", "Two messages, two moods"}
    assert _titles(rt, factory, intent="bug_report") == {"Two messages, two moods"}
    assert _titles(rt, factory, message_needs_answer=True) == {
        "Nawala ang pera ko", "Paano mag cash in", "Two messages, two moods"}
    assert _titles(rt, factory, language="taglish") == {"Paano mag cash in"}
    assert _titles(rt, factory, language="tl") == {"Nawala ang pera ko"}  # Taglish is its own choice
    assert _titles(rt, factory, language="en") == {"Salamat sa update", "Two messages, two moods"}
    assert len(_titles(rt, factory)) == 5


def test_combined_filters_must_hold_on_the_same_message(rt, factory, world):
    # "mixed" has a negative message and a question, but no negative question.
    assert _titles(rt, factory, sentiment="negative", intent="question") == set()
    assert _titles(rt, factory, sentiment="negative", intent="complaint", toxic=True) == {"Nawala ang pera ko"}
    # Analysis filters combine with the other filters.
    assert _titles(rt, factory, sentiment="negative", status="resolved") == set()


def test_list_page_has_labelled_filter_controls_and_filters(signed_in, world, rt):
    # The conversations page (the archive) shares the inbox's filters, which read each conversation's current
    # signals (its latest analysed member message; the worst toxicity) as the desk keeps them after analysis.
    update_conversations(rt, [c.id for c in world.values() if getattr(c, "__tablename__", "") == "conversations"])
    client, _user, _csrf = signed_in(Role.analyst)
    html = client.get("/conversations").text
    for control_id, name in (("clanguage", "language"), ("csentiment", "sentiment"), ("cintent", "intent")):
        assert f'<label for="{control_id}">' in html and f'id="{control_id}" name="{name}"' in html
    assert 'name="toxic" value="1"' in html and 'name="needs_answer" value="1"' in html
    page = client.get("/conversations", params={"sentiment": "negative", "toxic": "true"})
    assert page.status_code == 200
    assert "Nawala ang pera ko" in page.text and "Salamat sa update" not in page.text
    assert '<option value="negative" selected>' in page.text
    # "Two messages, two moods" was negative first, then asked a question: it is a question now.
    questions = client.get("/conversations", params={"intent": "question"}).text
    assert "Two messages, two moods" in questions and "Paano mag cash in" in questions
    assert "Two messages, two moods" not in client.get("/conversations", params={"sentiment": "negative"}).text
    assert client.get("/conversations", params={"sentiment": "furious"}).status_code == 422
    assert client.get("/conversations", params={"language": "fr"}).status_code == 422


def test_api_list_takes_the_same_filters(rt, factory, world, app):
    c = _api_client(rt, factory, app, Role.analyst)
    got = c.get("/api/v1/conversations", params={"language": "taglish", "message_needs_answer": True}).json()
    assert [x["title"] for x in got["items"]] == ["Paano mag cash in"] and got["total"] == 1
    got = c.get("/api/v1/conversations", params={"intent": "praise"}).json()
    assert [x["title"] for x in got["items"]] == ["Salamat sa update"]
    assert c.get("/api/v1/conversations", params={"intent": "rant"}).status_code == 422
    detail = c.get(f"/api/v1/conversations/{world['taglish'].id}").json()
    assert detail["messages"][0]["is_taglish"] is True and detail["messages"][0]["toxicity_categories"] == [
        "profanity"]


# --------------------------------------------------------------------------------------- conversation page


def test_conversation_page_spells_out_each_messages_labels(signed_in, world):
    client, _user, _csrf = signed_in(Role.analyst)
    html = client.get(f"/conversations/{world['angry'].id}").text
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", " ", text)
    assert "Language: Tagalog" in text
    assert "Sentiment: negative −0.70" in text
    assert "Toxicity: 0.80 · insult" in text
    assert "Intent: complaint" in text
    assert "Needs an answer" in text
    assert "Correct labels" not in html  # analysts may look, not correct

    taglish = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(f"/conversations/{world['taglish'].id}").text))
    assert "Taglish" in taglish and "Toxicity: 0.35 · profanity" in taglish and "Intent: question" in taglish
    happy = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(f"/conversations/{world['happy'].id}").text))
    assert "Toxicity: 0.10" not in happy  # below 0.3: not shown
    assert "Sentiment: positive +0.80" in happy and "Language: English" in happy


def test_moderator_sees_a_labelled_correction_form_per_inbound_message(signed_in, world, rt):
    client, _user, _csrf = signed_in(Role.moderator)
    html = client.get(f"/conversations/{world['angry'].id}").text
    msg = _message(rt, world["angry"])
    assert "<summary>Correct labels</summary>" in html
    form = html[html.index(f'action="/messages/{msg.id}/labels"'):]
    form = form[:form.index("</form>")]
    assert 'name="csrf_token"' in form
    for name, prefix in (("sentiment_label", "cl-sent"), ("toxic", "cl-toxic"), ("intent", "cl-intent"),
                         ("language", "cl-lang")):
        assert f'<label for="{prefix}-{msg.id}">' in form and f'id="{prefix}-{msg.id}" name="{name}"' in form
    assert '<option value="negative" selected>' in form and '<option value="yes" selected>' in form
    assert '<option value="complaint" selected>' in form and '<option value="tl" selected>' in form
    # One form per inbound message; none for the team's own replies.
    happy = client.get(f"/conversations/{world['happy'].id}").text
    assert happy.count("<summary>Correct labels</summary>") == 1


# ----------------------------------------------------------------------------------------- member chart


def test_sentiment_by_week_averages_scores_per_week(rt, factory, world):
    conv = world["plain"]
    ident = world["ident"]
    monday = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Manila, Monday of NOW's week
    factory.message(conv, "a", identity=ident, created_at=monday, sentiment_score=-0.4)
    factory.message(conv, "b", identity=ident, created_at=monday - dt.timedelta(weeks=2), sentiment_score=0.6)
    factory.message(conv, "c", identity=ident, created_at=monday - dt.timedelta(weeks=2), sentiment_score=0.2)
    factory.message(conv, "too old", identity=ident, created_at=monday - dt.timedelta(weeks=30), sentiment_score=1)
    factory.message(conv, "deleted", identity=ident, created_at=monday, sentiment_score=1, deleted_at=monday)
    with rt.db.sessions() as s:
        trend = member_queries.sentiment_by_week(s, factory.workspace_id, world["member"].id, now=NOW)
    assert len(trend.weeks) == 26 and trend.weeks[-1].start == dt.date(2026, 3, 2)
    assert trend.weeks[0].start == dt.date(2026, 3, 2) - dt.timedelta(weeks=25)
    by_week = {w.start: (round(w.average, 3), w.messages) for w in trend.with_data}
    # The world's messages (Tuesday of this week): -0.7, 0.8, 0.0, -0.5, 0.0; plus "a" -0.4.
    assert by_week == {dt.date(2026, 3, 2): (round((-0.7 + 0.8 + 0 - 0.5 + 0 - 0.4) / 6, 3), 6),
                       dt.date(2026, 2, 16): (0.4, 2)}
    assert trend.messages == 8 and trend.lowest.start == dt.date(2026, 3, 2)
    assert trend.highest.start == trend.weeks[-3].start and trend.latest.start == dt.date(2026, 3, 2)


def test_member_page_shows_the_sentiment_chart_with_a_summary_and_a_table(signed_in, factory, world):
    member = factory.member("Jose Rizal")
    ident = factory.identity(member, world["source"])
    now = dt.datetime.now(dt.UTC)
    for days, score in ((1, -0.6), (1, -0.2), (22, 0.5), (40, 0.1), (41, 0.3)):
        factory.message(world["plain"], "x", identity=ident, created_at=now - dt.timedelta(days=days),
                        sentiment_score=score)
    client, _user, _csrf = signed_in(Role.analyst)
    html = client.get(f"/members/{member.id}").text
    assert '<h2 id="sentiment-h">Sentiment over the last 26 weeks</h2>' in html
    svg = html[html.index("<svg class=\"sentiment-chart\""):html.index("</svg>", html.index("sentiment-chart"))]
    assert 'role="img"' in svg and 'aria-labelledby="sentiment-h"' in svg and 'aria-describedby="sentiment-desc"' in svg
    assert 3 <= svg.count("<rect") <= 4 and "style=" not in svg  # weeks with data; geometry as SVG attributes
    assert svg.count('class="neg"') == 1 and svg.count('class="pos"') >= 2
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Average +0.02 over 5 analysed messages" in text and "Lowest: week of" in text and "(−0.40)" in text
    assert "<summary>Show as a table</summary>" in html and "Average sentiment per week" in html
    start = html.index("<summary>Show as a table</summary>")
    table = html[start:html.index("</table>", start)]
    assert table.count("<tr>") == svg.count("<rect") + 1 and "−0.40" in table


def test_member_page_without_analysed_messages_says_so(signed_in, factory):
    member = factory.member("Juan dela Cruz")
    client, _user, _csrf = signed_in(Role.analyst)
    html = client.get(f"/members/{member.id}").text
    assert "No analysed messages in the last 26 weeks." in html and "sentiment-chart" not in html


# -------------------------------------------------------------------------------------- label corrections


def test_moderator_corrects_labels_message_correction_and_audit(signed_in, world, rt):
    client, user, csrf = signed_in(Role.moderator)
    msg = _message(rt, world["angry"])
    update_conversations(rt, [world["angry"].id])
    assert "Nawala ang pera ko" in client.get("/conversations", params={"toxic": "true"}).text
    r = client.post(f"/messages/{msg.id}/labels", data={
        "csrf_token": csrf, "sentiment_label": "negative",  # unchanged: no correction
        "toxic": "no", "intent": "question", "language": "taglish"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/conversations/{world['angry'].id}#msg-{msg.id}"
    with rt.db.sessions() as s:
        m = s.get(Message, msg.id)
        assert (m.toxicity_score, m.toxicity_categories, m.intent) == (0.0, [], "question")
        assert (m.language, m.is_taglish, m.sentiment_label) == ("tl", True, "negative")
        got = {(c.field, c.old_value, c.new_value, c.user_id, c.workspace_id)
               for c in s.scalars(select(LabelCorrection))}
        assert got == {("toxic", "yes", "no", user.id, user.workspace_id),
                       ("intent", "complaint", "question", user.id, user.workspace_id),
                       ("language", "tl", "taglish", user.id, user.workspace_id)}
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "message.label_correction")).all()
        assert len(audit) == 1 and audit[0].actor_user_id == user.id
        assert (audit[0].target_type, audit[0].target_id) == ("messages", msg.id)
        assert audit[0].changes == {"toxic": ["yes", "no"], "intent": ["complaint", "question"],
                                    "language": ["tl", "taglish"]}
    # The corrected labels show on the page, marked as corrected, and the filters follow them.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(f"/conversations/{world['angry'].id}").text))
    assert "Labels corrected" in text and "Intent: question (corrected)" in text and "Toxicity:" not in text
    assert "Nawala ang pera ko" not in client.get("/conversations", params={"toxic": "true"}).text
    # Submitting the same values again changes nothing.
    again = client.post(f"/messages/{msg.id}/labels", data={"csrf_token": csrf, "toxic": "no", "intent": "question"},
                        follow_redirects=False)
    assert again.status_code == 303
    with rt.db.sessions() as s:
        assert len(s.scalars(select(LabelCorrection)).all()) == 3


def test_manager_may_correct_and_toxic_yes_sets_the_score(signed_in, world, rt):
    client, _user, csrf = signed_in(Role.manager)
    msg = _message(rt, world["happy"])
    r = client.post(f"/messages/{msg.id}/labels", data={"csrf_token": csrf, "toxic": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        assert s.get(Message, msg.id).toxicity_score == 1.0


def test_analyst_cannot_correct_labels(signed_in, world, rt):
    client, _user, csrf = signed_in(Role.analyst)
    msg = _message(rt, world["angry"])
    r = client.post(f"/messages/{msg.id}/labels", data={"csrf_token": csrf, "intent": "praise"},
                    follow_redirects=False)
    assert r.status_code == 403
    with rt.db.sessions() as s:
        assert s.get(Message, msg.id).intent == "complaint" and not s.scalars(select(LabelCorrection)).all()


def test_correcting_labels_needs_the_csrf_token(signed_in, world, rt):
    client, _user, _csrf = signed_in(Role.moderator)
    msg = _message(rt, world["angry"])
    for data in ({"intent": "praise"}, {"intent": "praise", "csrf_token": "forged"}):
        r = client.post(f"/messages/{msg.id}/labels", data=data, follow_redirects=False)
        assert r.status_code == 403
    with rt.db.sessions() as s:
        assert s.get(Message, msg.id).intent == "complaint"


def test_correction_form_rejects_unknown_values_and_messages(signed_in, world, rt):
    client, _user, csrf = signed_in(Role.moderator)
    msg = _message(rt, world["angry"])
    assert client.post(f"/messages/{msg.id}/labels", data={"csrf_token": csrf, "intent": "rant"},
                       follow_redirects=False).status_code == 422
    assert client.post("/messages/999999/labels", data={"csrf_token": csrf, "intent": "praise"},
                       follow_redirects=False).status_code == 404


def test_do_correct_label_checks_role_value_and_workspace(rt, factory, world):
    msg = _message(rt, world["angry"])
    mod = Actor(workspace_id=factory.workspace_id, user_id=None, role=Role.moderator)
    with pytest.raises(ActionError, match="must be one of"):
        corrections.do_correct_label(rt, mod, msg.id, "intent", "rant")
    with pytest.raises(ActionError, match="field"):
        corrections.do_correct_label(rt, mod, msg.id, "text", "hacked")
    with pytest.raises(ActionError, match="moderator"):
        corrections.do_correct_label(rt, Actor(workspace_id=factory.workspace_id, role=Role.analyst), msg.id,
                                     "intent", "praise")
    from tests.support.factories import Factory

    other = Factory(rt)
    stranger = Actor(workspace_id=other.workspace_id, role=Role.owner)
    with pytest.raises(NotFound):
        corrections.do_correct_label(rt, stranger, msg.id, "intent", "praise")
    stored = corrections.do_correct_label(rt, mod, msg.id, "sentiment_label", "neutral")
    assert (stored.old_value, stored.new_value) == ("negative", "neutral")
    assert corrections.do_correct_label(rt, mod, msg.id, "sentiment_label", "neutral") is None


# ---------------------------------------------------------------------------------------- training export


def _api_client(rt, factory, app, role: Role) -> TestClient:
    user = factory.user(role)
    _, secret = do_create_api_token(rt, Actor(workspace_id=user.workspace_id, user_id=user.id,
                                              role=user.role_enum), "tests")
    c = TestClient(app, base_url="https://testserver")
    c.headers["Authorization"] = f"Bearer {secret}"
    return c


def test_api_exports_label_corrections_for_training(rt, factory, world, app):
    msg = _message(rt, world["taglish"])
    mod = factory.user(Role.moderator)
    actor = Actor(workspace_id=factory.workspace_id, user_id=mod.id, role=Role.moderator)
    corrections.do_correct_label(rt, actor, msg.id, "sentiment_label", "negative")
    corrections.do_correct_label(rt, actor, msg.id, "intent", "complaint")
    c = _api_client(rt, factory, app, Role.analyst)
    got = c.get("/api/v1/label-corrections").json()
    assert got["next_after_id"] is None
    assert [(i["field"], i["old_value"], i["new_value"]) for i in got["items"]] == [
        ("sentiment_label", "neutral", "negative"), ("intent", "question", "complaint")]
    first = got["items"][0]
    assert first["message_id"] == msg.id and first["text"] == "Paano po mag cash in using my card?"
    assert first["is_taglish"] is True and first["user_id"] == mod.id and first["created_at"]
    page = c.get("/api/v1/label-corrections", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_after_id"] == first["id"]
    rest = c.get("/api/v1/label-corrections", params={"after_id": page["next_after_id"]}).json()
    assert [i["field"] for i in rest["items"]] == ["intent"]
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert c.get("/api/v1/label-corrections", params={"since": future}).json()["items"] == []
    assert "/api/v1/label-corrections" in c.get("/api/v1/openapi.json").json()["paths"]
