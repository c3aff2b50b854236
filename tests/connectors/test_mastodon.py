"""The Mastodon connector against recorded Mastodon API exchanges (docs.joinmastodon.org shapes), replayed by a
real HTTP server on loopback: mentions, replies, DMs, threads, boosts and edits arrive the way a community
manager expects, the next sync asks only for what is new, and replies go out where and how members see them."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from kapwa.connectors import mastodon
from kapwa.connectors.base import AuthError, NotSupported, RateLimited, Unreachable
from kapwa.connectors.http_errors import NotFound
from kapwa.connectors.mastodon import MastodonConnector
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Source, utcnow
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import create_source, fetch_items, sync_and_reload
from tests.support.replay import Exchange, load
from tests.support.services import free_port

UTC = dt.UTC
ME, MARIA, BEN, CARLA, DAN = ("110000000000000001", "110000000000000101", "110000000000000102",
                              "110000000000000103", "110000000000000104")
S0, S1, S2, S3, S4, S5 = ("112300000000000001", "112300000000000010", "112300000000000020",
                          "112300000000000030", "112300000000000031", "112300000000000040")
TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"


def serve(srv, *names: str) -> None:
    srv.add(*load(*(f"mastodon/{n}" for n in names)), *load("mastodon/common.json"))


def connector(srv, **config) -> MastodonConnector:
    return MastodonConnector({"instance_url": srv.base_url, **config}, {"access_token": TOKEN})


def mastodon_source(rt, factory, srv, **config) -> Source:
    return create_source(rt, factory, kind="mastodon", name="BayaniPay sa Mastodon",
                         config={"instance_url": srv.base_url, **config}, credentials={"access_token": TOKEN})


# ---------------------------------------------------------------------------------------- reading


def test_a_mention_becomes_a_message_from_its_author(srv):
    serve(srv, "mention.json")
    items, _activities, batches = fetch_items(connector(srv))
    it = items[S2]
    assert (it.kind, it.direction, it.thread_id, it.parent_id) == ("mention", "inbound", S2, None)
    assert it.created_at == dt.datetime(2026, 5, 1, 8, 10, tzinfo=UTC)
    assert it.text == "@bayanipay may outage ba ngayon? Hindi ako maka-login sa app.\nError 503 daw."
    assert it.html.startswith("<p><span class=\"h-card\"")
    assert it.url == f"https://pinoy.social/@ben/{S2}"
    a = it.author
    assert (a.platform_user_id, a.handle, a.display_name, a.profile_url) == (
        BEN, "ben@pinoy.social", "Ben Dizon", "https://pinoy.social/@ben")
    asked = srv.sent("GET", "/api/v1/notifications")[0]
    assert asked.headers["authorization"] == f"Bearer {TOKEN}" and asked.query["limit"] == "40"
    assert "since_id" not in asked.query  # first sync: the newest page only
    assert json.loads(batches[-1].cursor) == {"notifications": "5002"}


def test_a_reply_to_our_post_sits_in_our_posts_thread_with_its_parent(srv):
    serve(srv, "reply.json")
    items, _, _ = fetch_items(connector(srv))
    reply, ours = items[S1], items[S0]
    assert (reply.kind, reply.parent_id, reply.thread_id) == ("reply", S0, S0)
    assert reply.text == "@bayanipay Sana may Tagalog na FAQ po. Paano mag-reset ng password?"
    assert (ours.direction, ours.thread_id, ours.parent_id) == ("outbound", S0, None)  # fetched via context
    assert srv.sent("GET", f"/api/v1/statuses/{S1}/context")


def test_direct_messages_are_direct_conversations_with_our_answers(srv):
    serve(srv, "direct.json")
    items, _, batches = fetch_items(connector(srv))
    theirs, ours = items[S3], items[S4]
    assert (theirs.kind, theirs.is_direct, theirs.direction, theirs.thread_id) == ("direct", True, "inbound", S3)
    assert theirs.text == "@bayanipay Hi po, may tanong ako tungkol sa account ko & sa refund. Private lang po sana."
    assert (ours.kind, ours.is_direct, ours.direction, ours.parent_id, ours.thread_id) == (
        "direct", True, "outbound", S3, S3)
    assert json.loads(batches[-1].cursor) == {"notifications": "5003", "conversations": S4}


def test_a_hashtag_post_deep_in_a_thread_brings_its_ancestors(srv):
    serve(srv, "thread.json")
    items, _, _ = fetch_items(connector(srv, hashtag="#BayaniPayHelp"))
    post = items["112300000000000050"]
    assert (post.kind, post.parent_id, post.thread_id, post.channel) == ("reply", S5, S0, "#BayaniPayHelp")
    assert {k: (v.thread_id, v.parent_id) for k, v in items.items() if k != post.platform_message_id} == {
        S0: (S0, None), S1: (S0, S0), S5: (S0, S1)}
    assert srv.sent("GET", "/api/v1/timelines/tag/BayaniPayHelp")[0].query["limit"] == "40"


def test_boosts_and_favourites_are_reactions_not_messages(srv):
    serve(srv, "reactions.json")
    items, activities, _ = fetch_items(connector(srv))
    assert items == {}
    got = {(a.author.handle, a.type, a.properties["reaction"], a.message_platform_id) for a in activities}
    assert got == {("ben@pinoy.social", "reacted", "boost", S0), ("dan", "reacted", "favourite", S0)}
    assert {a.platform_activity_id for a in activities} == {"notification:5004", "notification:5005"}
    assert all(a.occurred_at.tzinfo is not None for a in activities)


def test_an_edited_status_arrives_with_its_new_text_and_edit_time(srv):
    serve(srv, "edit.json")
    items, _, _ = fetch_items(connector(srv))
    assert items[S2].text.endswith("Update: okay na po!")
    assert items[S2].edited_at == dt.datetime(2026, 5, 1, 9, 5, tzinfo=UTC)


# ------------------------------------------------------------------------------------ into the inbox


def test_full_sync_then_a_second_that_asks_only_for_news_and_duplicates_nothing(srv, rt, factory):
    srv.add(*load("mastodon/sync.json", "mastodon/common.json"))
    src = mastodon_source(rt, factory, srv)
    first = sync_source(rt, src.id)
    assert first.ok, first.error
    assert first.result.inserted == 5 and first.result.activities == 2
    with rt.db.sessions() as s:
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message).where(Message.source_id == src.id))}
        convs = {c.platform_thread_id: c for c in s.scalars(select(Conversation))}
        assert set(convs) == {S0, S2, S3}
        assert msgs[S1].parent_id == msgs[S0].id and msgs[S4].parent_id == msgs[S3].id
        assert msgs[S0].direction == "outbound" and msgs[S0].member_id is None
        assert convs[S3].is_direct and not convs[S0].is_direct and convs[S3].message_count == 2
        assert convs[S0].first_response_at is None or convs[S0].first_response_at >= convs[S0].first_message_at
        idents = {i.handle: i for i in s.scalars(select(Identity).where(Identity.source_id == src.id))}
        assert set(idents) == {"maria", "ben@pinoy.social", "carla@mas.to", "dan"}
        assert idents["carla@mas.to"].profile_url == "https://mas.to/@carla" and idents["maria"].platform == "mastodon"
        reactions = s.scalars(select(Activity).where(Activity.type == "reacted")).all()
        assert {r.message_id for r in reactions} == {msgs[S0].id}
        assert json.loads(s.get(Source, src.id).sync_cursor) == {"notifications": "5005", "conversations": S4}

    srv.received.clear()
    second = sync_source(rt, src.id)
    assert second.ok, second.error
    assert srv.sent("GET", "/api/v1/notifications")[0].query["since_id"] == "5005"
    assert srv.sent("GET", "/api/v1/conversations/")[0].query["since_id"] == S4
    assert (second.result.inserted, second.result.updated) == (1, 1)
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 6
        assert s.scalar(select(func.count()).select_from(Member)) == 4
        new = s.scalar(select(Message).where(Message.platform_message_id == S5))
        edited = s.scalar(select(Message).where(Message.platform_message_id == S2))
        assert new.parent_id == s.scalar(select(Message.id).where(Message.platform_message_id == S1))
        assert s.get(Conversation, new.conversation_id).platform_thread_id == S0
        assert edited.text.endswith("Update: okay na po!") and edited.edited_at is not None


def test_a_gap_longer_than_a_page_is_read_back_to_the_cursor_before_the_cursor_moves(srv, monkeypatch):
    monkeypatch.setattr(mastodon, "BATCH", 20)
    template = load("mastodon/mention.json")[0].response["json"][0]
    newest = []
    for n in range(45, 0, -1):
        note = copy.deepcopy(template)
        note["id"] = str(6000 + n)
        note["status"]["id"] = str(112400000000000000 + n)
        newest.append(note)
    def page(query, notes, times=None):
        return Exchange({"method": "GET", "path": "/api/v1/notifications", "query": query},
                        {"status": 200, "json": notes}, times=times)

    srv.add(page({"since_id": "5999", "max_id": "6006"}, newest[40:]), page({"since_id": "5999"}, newest[:40], 1),
            *load("mastodon/common.json"))
    _, _, batches = fetch_items(connector(srv), json.dumps({"notifications": "5999"}))
    asked = [r.query for r in srv.sent("GET", "/api/v1/notifications")]
    assert [(q.get("since_id"), q.get("max_id")) for q in asked] == [("5999", None), ("5999", "6006")]
    notes = batches[:3]  # the notifications stream: 20 + 20 + 5, oldest first; then the conversations stream
    assert [len(b.items) for b in notes] == [20, 20, 5]
    assert notes[0].items[0].created_at <= notes[2].items[-1].created_at
    assert [b.cursor is None for b in notes] == [True, True, False]  # a crash mid-way re-reads the gap
    assert json.loads(notes[2].cursor)["notifications"] == "6045"


# --------------------------------------------------------------------------------------------- errors


def failing(srv, name: str, reset_in: float | None = None):
    exchange = next(e for e in load("mastodon/errors.json") if e.name == name)
    if reset_in is not None:  # the recorded reset time, moved to just ahead of now
        exchange.response["headers"]["X-RateLimit-Reset"] = (
            utcnow() + dt.timedelta(seconds=reset_in)).isoformat().replace("+00:00", "Z")
    srv.add(exchange)


@pytest.mark.parametrize(("name", "cls", "words", "at_least"), [
    ("401", AuthError, ("Mastodon did not accept the credentials (HTTP 401: The access token is invalid). "
                       "Check the token or password and connect the source again."), 3600),
    ("403", AuthError, ("Mastodon refused access (HTTP 403: This action is outside the authorized scopes). "
                       "The account or key may lack the permission this needs."), 3600),
    ("429", RateLimited, "Mastodon asked Kapwa to slow down (HTTP 429); trying again in about 2 minutes.", 115),
    ("500", Unreachable, "Mastodon is having trouble right now (HTTP 500); Kapwa will try again later.", 45),
    ("503", Unreachable, "Mastodon is having trouble right now (HTTP 503); Kapwa will try again later.", 120),
])
def test_failures_read_plainly_on_the_source_and_push_the_next_try_back(srv, rt, factory, name, cls, words,
                                                                      at_least):
    failing(srv, name, reset_in=120 if name == "429" else None)
    with pytest.raises(cls) as caught:
        connector(srv).test_connection()
    assert caught.value.message == words
    src = mastodon_source(rt, factory, srv)
    before, outcome, row = sync_and_reload(rt, src.id)
    assert not outcome.ok and row.last_error == words
    assert row.health == ("degraded" if cls in (RateLimited, Unreachable) else "failing")
    assert row.next_sync_at >= before + dt.timedelta(seconds=at_least)


def test_replying_to_a_status_that_is_gone_says_so(srv):
    serve(srv, "send.json")
    failing(srv, "404")
    with pytest.raises(NotFound, match=r"^Mastodon has no such status \(HTTP 404: Record not found\)\. "
                                       r"It may have been deleted\.$"):
        connector(srv).reply(None, "112300000000000404", "Hello")
    assert not srv.sent("POST", "/api/v1/statuses")


def test_an_unreachable_instance_is_named():
    conn = MastodonConnector({"instance_url": f"http://127.0.0.1:{free_port()}"}, {"access_token": TOKEN})
    with pytest.raises(Unreachable, match="Could not connect to 127.0.0.1: the connection was refused"):
        conn.test_connection()


def test_missing_settings_are_explained():
    with pytest.raises(AuthError, match="No Mastodon access token"):
        MastodonConnector({"instance_url": "https://social.example"}, {}).test_connection()
    with pytest.raises(Exception, match="Set the instance URL"):
        MastodonConnector({"instance_url": "social.example"}, {"access_token": TOKEN}).test_connection()


def test_a_token_that_looks_like_a_path_is_sent_as_it_is_never_read_from_disk(srv, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-leak\n")
    serve(srv)
    MastodonConnector({"instance_url": srv.base_url}, {"access_token": str(secret)}).test_connection()
    assert srv.received[0].headers["authorization"] == f"Bearer {secret}"


# ---------------------------------------------------------------------------------------- writing


def test_a_reply_keeps_the_visibility_mentions_the_author_and_is_idempotent(srv):
    serve(srv, "send.json")
    sent = connector(srv).reply(S0, S1, "Opo, nasa Settings > Security.")
    post = srv.sent("POST", "/api/v1/statuses")[0]
    assert post.form() == {"status": "@maria Opo, nasa Settings > Security.", "in_reply_to_id": S1,
                           "visibility": "public", "sensitive": "0"}
    assert len(post.headers["idempotency-key"]) == 40
    assert sent.platform_message_id == "112300000000000099"
    assert sent.url == "https://social.example/@bayanipay/112300000000000099"
    assert sent.created_at == dt.datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    connector(srv).reply(S0, S1, "Opo, nasa Settings > Security.")
    keys = {r.headers["idempotency-key"] for r in srv.sent("POST", "/api/v1/statuses")}
    assert len(keys) == 1  # a retried send is the same status to Mastodon


def test_a_reply_to_a_dm_stays_direct(srv):
    serve(srv, "send.json")
    connector(srv).reply(S3, S3, "@carla@mas.to Natanggap po namin.")
    form = srv.sent("POST", "/api/v1/statuses")[0].form()
    assert (form["status"], form["visibility"], form["in_reply_to_id"]) == (
        "@carla@mas.to Natanggap po namin.", "direct", S3)  # already mentioned: not twice


def test_publish_and_direct_messages(srv):
    serve(srv, "send.json")
    conn = connector(srv)
    conn.publish("Maintenance sa Sabado, 1–3 AM.", title="Paalala")
    conn.send_direct(CARLA, "Hello Carla, tapos na ang refund mo.")
    first, second = (r.form() for r in srv.sent("POST", "/api/v1/statuses"))
    assert (first["status"], first["visibility"]) == ("Paalala\n\nMaintenance sa Sabado, 1–3 AM.", "public")
    assert "in_reply_to_id" not in first
    assert (second["status"], second["visibility"]) == ("@carla@mas.to Hello Carla, tapos na ang refund mo.", "direct")


def test_moderation_is_left_to_the_instance():
    with pytest.raises(NotSupported, match="needs the server's own moderation tools"):
        MastodonConnector({"instance_url": "https://social.example"}, {"access_token": TOKEN}).moderate(S2, "hide")


def test_connection_test_names_the_account(srv):
    serve(srv)
    assert connector(srv).test_connection() == "Signed in as @bayanipay on 127.0.0.1"


def test_an_unreadable_cursor_starts_over_instead_of_stopping_the_source(srv):
    serve(srv, "mention.json")
    items, _, batches = fetch_items(connector(srv), "5001")  # not JSON: an older cursor format
    assert S2 in items and json.loads(batches[-1].cursor)["notifications"] == "5002"
