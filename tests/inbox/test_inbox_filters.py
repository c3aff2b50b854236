"""The inbox's filters, search, sort and pages: on the /inbox page, the /conversations archive and the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kapwa.core.actions import Actor
from kapwa.core.models import Role
from kapwa.inbox import listing
from kapwa.inbox.desk import update_conversations
from kapwa.team.actions import do_create_api_token
from tests.inbox.inbox_world import thread

TITLE = re.compile(r'<a class="conv-link" href="/conversations/\d+">([^<]*)</a>')


def titles(client, path="/inbox", **params) -> list[str]:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    return TITLE.findall(r.text)


ATTENTION = {"Nawala ang pera ko", "Paano mag cash in", "Salamat sa update", "Refund please"}


@pytest.mark.parametrize("params, expected", [
    ({}, ATTENTION),
    ({"status": "all"}, ATTENTION | {"Old question", "Free load promo"}),
    ({"status": "resolved"}, {"Old question"}),
    ({"status": "spam"}, {"Free load promo"}),
    ({"status": "pending"}, {"Refund please"}),
    ({"source": "forum"}, {"Paano mag cash in", "Refund please"}),
    ({"assignee": "me"}, {"Refund please"}),
    ({"assignee": "none"}, {"Nawala ang pera ko", "Paano mag cash in", "Salamat sa update"}),
    ({"assignee": "mod"}, {"Refund please"}),
    ({"tag": "cash-in"}, {"Paano mag cash in"}),
    ({"language": "taglish"}, {"Paano mag cash in"}),
    ({"language": "tl"}, {"Nawala ang pera ko"}),
    ({"language": "en"}, {"Salamat sa update", "Refund please"}),
    ({"sentiment": "negative"}, {"Nawala ang pera ko", "Refund please"}),
    ({"sentiment": "positive"}, {"Salamat sa update"}),  # the latest message, after an answered question
    ({"toxic": "1"}, {"Nawala ang pera ko"}),
    ({"intent": "question"}, {"Paano mag cash in"}),
    ({"intent": "complaint"}, {"Nawala ang pera ko", "Refund please"}),
    ({"needs_answer": "1"}, {"Nawala ang pera ko", "Paano mag cash in"}),
    ({"segment": "vip"}, {"Nawala ang pera ko"}),
    ({"segment": "champion", "status": "all"}, {"Paano mag cash in", "Old question"}),
    ({"level": "3"}, {"Salamat sa update", "Refund please"}),
    ({"since": "today-3", "status": "all"}, ATTENTION | {"Free load promo"}),
    ({"until": "today-5", "status": "all"}, {"Old question"}),
    ({"sentiment": "negative", "source": "forum", "needs_answer": "1"}, set()),
    ({"sentiment": "negative", "assignee": "none", "toxic": "1", "segment": "vip"}, {"Nawala ang pera ko"}),
])
def test_each_filter_filters(web, world, rt, factory, params, expected):
    params = dict(params)
    if "source" in params:
        params["source"] = world.sources[params["source"]].id
    if params.get("assignee") == "mod":
        params["assignee"] = world.users["mod"].id
    for key in ("since", "until"):
        if key in params:
            days = int(params[key].split("-")[1])
            params[key] = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).date().isoformat()
    got = titles(web, **params)
    assert set(got) == expected and len(got) == len(expected)
    # The API takes the same parameters and finds the same conversations.
    api = _api(rt, factory, world, Role.moderator)
    body = api.get("/api/v1/inbox", params=params).json()
    assert {i["title"] for i in body["items"]} == expected and body["total"] == len(expected)


def test_full_text_search_finds_conversations_by_their_messages(web, world):
    assert titles(web, q="cash in card") == ["Paano mag cash in"]
    assert titles(web, q="scam") == ["Nawala ang pera ko"]
    assert titles(web, q="works") == ["Salamat sa update"]  # any message, not just the latest
    assert titles(web, q="verify account") == []  # resolved: not in the inbox…
    assert titles(web, "/conversations", q="verify account") == ["Old question"]  # …but in the archive
    assert titles(web, q="scam", sentiment="positive") == []


def test_search_words_may_be_in_different_messages_of_a_conversation(web, world):
    # "app down" asked in the first message, "works" said in the third: the conversation has every word.
    assert titles(web, q="app works") == ["Salamat sa update"]
    assert titles(web, q="sent confirm refund") == ["Refund please"]  # the team's own reply counts too
    assert titles(web, q="app refund") == []  # every word, not any word


def test_sorts(web, world):
    assert titles(web)[:2] == ["Nawala ang pera ko", "Paano mag cash in"]  # priority
    assert titles(web, sort="waiting") == ["Refund please", "Salamat sa update", "Nawala ang pera ko",
                                           "Paano mag cash in"]
    assert titles(web, sort="newest") == ["Paano mag cash in", "Nawala ang pera ko", "Salamat sa update",
                                          "Refund please"]
    assert titles(web, sort="oldest") == list(reversed(titles(web, sort="newest")))


def test_bad_filters_are_refused(web):
    for params in ({"sentiment": "furious"}, {"language": "fr"}, {"status": "done"}, {"since": "yesterday"},
                   {"assignee": "boss"}, {"sort": "random"}, {"level": "x"}):
        assert web.get("/inbox", params=params).status_code == 422, params


def test_pages_do_not_count_everything(rt, factory, world, web, monkeypatch):
    src, member = world.sources["forum"], world.members["jose"]
    ident = factory.identity(member, src)
    q = {"language": "en", "sentiment_label": "neutral", "intent": "question", "needs_answer": True}
    convs = [thread(factory, src, f"Bulk question {i:02d}", member, ident, [(f"q{i}?", 2 + i / 100, "inbound", q)])
             for i in range(60)]
    update_conversations(rt, [c.id for c in convs])
    first = web.get("/inbox", params={"source": src.id}).text
    assert '<span class="count">62</span>' in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = web.get("/inbox", params={"source": src.id, "page": 2}).text
    assert len(TITLE.findall(second)) == 12 and 'rel="prev"' in second and 'rel="next"' not in second
    # Past the cap, the count says "at least" instead of counting every match.
    monkeypatch.setattr(listing, "COUNT_CAP", 20)
    capped = web.get("/inbox", params={"source": src.id}).text
    assert '<span class="count">20+</span>' in capped and "Page 1</span>" in capped


def test_archive_lists_every_conversation_newest_first(web, world):
    got = titles(web, "/conversations")
    assert len(got) == 6 and got[0] == "Paano mag cash in" and got[-1] == "Old question"
    assert titles(web, "/conversations", status="attention", sort="priority")[0] == "Nawala ang pera ko"


def test_rows_carry_the_live_hooks(web, world):
    html = web.get("/inbox").text
    angry = world.convs["angry"].id
    row = html[html.index(f'<tr data-conversation-id="{angry}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-field="status"' in row and 'data-field="assignee"' in row
    assert '<div id="live-banner" class="live-banner" hidden></div>' in html
    assert html.index('id="live-banner"') < html.index('<table class="list inbox"')


def _api(rt, factory, world, role: Role) -> TestClient:
    from kapwa.web.app import create_app

    user = world.users[{Role.moderator: "mod", Role.analyst: "analyst", Role.manager: "manager"}[role]]
    _, secret = do_create_api_token(rt, Actor(workspace_id=user.workspace_id, user_id=user.id,
                                              role=user.role_enum), "tests")
    c = TestClient(create_app(rt=rt), base_url="https://testserver")
    c.headers["Authorization"] = f"Bearer {secret}"
    return c


def test_api_items_carry_signals_and_reasons(rt, factory, world):
    api = _api(rt, factory, world, Role.analyst)
    body = api.get("/api/v1/inbox").json()
    first = body["items"][0]
    assert first["title"] == "Nawala ang pera ko" and first["priority_score"] == 100
    assert ["negative", 30] in first["priority_reasons"] and first["sentiment_label"] == "negative"
    assert body["has_next"] is False and body["total_capped"] is False
    assert api.get("/api/v1/inbox", params={"sentiment": "angry"}).status_code == 422
    assert "/api/v1/inbox" in api.get("/api/v1/openapi.json").json()["paths"]
