"""The Bluesky connector against recorded AT Protocol XRPC exchanges (lexicon shapes), replayed by a real HTTP
server on loopback: mentions, replies, quotes and likes arrive as a community manager expects, the next sync
stops at what it already has, the session is reused instead of signing in every time, and replies carry the
reply references Bluesky needs to thread them."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import func, select

from kapwa.connectors import bluesky
from kapwa.connectors.base import AuthError, NotSupported, RateLimited, Unreachable
from kapwa.connectors.bluesky import BlueskyConnector
from kapwa.connectors.http_errors import NotFound
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Source
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import create_source, fetch_items, sync_and_reload
from tests.support.replay import load
from tests.support.services import free_port

UTC = dt.UTC
ME = "did:plc:b4y4n1p4yxq7kz2m3n5r6s7t"
OURS = f"at://{ME}/app.bsky.feed.post/3lbzq2hkxnc2a"
MENTION = "at://did:plc:m4r14s4nt0sxq7kz2m3n5r6s/app.bsky.feed.post/3lbzr4qjvxs2k"
REPLY = "at://did:plc:b3nd1z0nxq7kz2m3n5r6s7t8/app.bsky.feed.post/3lbzr7a2bcd2x"
QUOTE = "at://did:plc:c4rl4m3nd0z4xq7kz2m3n5r6/app.bsky.feed.post/3lbzrabc3de2y"
NEW_REPLY = "at://did:plc:m4r14s4nt0sxq7kz2m3n5r6s/app.bsky.feed.post/3lbzs2k3lm4n2b"
CREDS = {"handle": "bayanipay.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
LN = "/xrpc/app.bsky.notification.listNotifications"
LOGIN = "/xrpc/com.atproto.server.createSession"


@pytest.fixture(autouse=True)
def no_kept_sessions():
    bluesky._sessions.clear()  # ports are reused between tests; a kept session must not leak across
    yield
    bluesky._sessions.clear()


def serve(srv, *names: str) -> None:
    srv.add(*load(*(f"bluesky/{n}" for n in names)), *load("bluesky/session.json"))


def connector(srv, **config) -> BlueskyConnector:
    return BlueskyConnector({"service_url": srv.base_url, **config}, dict(CREDS))


def bluesky_source(rt, factory, srv, **config) -> Source:
    return create_source(rt, factory, kind="bluesky", name="BayaniPay sa Bluesky",
                         config={"service_url": srv.base_url, **config}, credentials=dict(CREDS))


# ---------------------------------------------------------------------------------------- reading


def test_a_mention_becomes_a_message_with_its_at_uri_and_bsky_app_link(srv):
    serve(srv, "mention.json")
    items, _, batches = fetch_items(connector(srv))
    it = items[MENTION]
    assert (it.kind, it.direction, it.thread_id, it.parent_id) == ("mention", "inbound", MENTION, None)
    assert it.text == "@bayanipay.bsky.social may outage ba ngayon? Hindi ako maka-login sa app."
    assert it.created_at == dt.datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert it.url == "https://bsky.app/profile/maria.bsky.social/post/3lbzr4qjvxs2k"
    a = it.author
    assert (a.platform_user_id, a.handle, a.display_name, a.profile_url) == (
        "did:plc:m4r14s4nt0sxq7kz2m3n5r6s", "maria.bsky.social", "Maria Santos",
        "https://bsky.app/profile/maria.bsky.social")
    assert a.avatar_url.startswith("https://cdn.bsky.app/img/avatar/")
    login = srv.sent("POST", LOGIN)[0].json()
    assert login == {"identifier": "bayanipay.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    listed = srv.sent("GET", LN)[0]
    assert listed.headers["authorization"].startswith("Bearer eyJ") and listed.query == {"limit": "50"}
    assert json.loads(batches[-1].cursor) == {"seen": "2026-05-01T08:00:01.312Z"}


def test_a_reply_to_our_post_is_threaded_under_it(srv):
    serve(srv, "reply.json")
    items, _, _ = fetch_items(connector(srv))
    it = items[REPLY]
    assert (it.kind, it.parent_id, it.thread_id) == ("reply", OURS, OURS)
    assert it.author.handle == "bendizon.com"  # a domain handle


def test_a_quote_of_our_post_is_a_mention_of_its_own(srv):
    serve(srv, "quote.json")
    items, _, _ = fetch_items(connector(srv))
    assert (items[QUOTE].kind, items[QUOTE].thread_id, items[QUOTE].parent_id) == ("mention", QUOTE, None)
    assert items[QUOTE].text == "Ito yung sinasabi ko, sana ayusin na nila 🙏"


def test_likes_and_reposts_are_reactions_and_follows_are_left_out(srv):
    serve(srv, "reactions.json")
    items, activities, _ = fetch_items(connector(srv))
    assert items == {}
    assert {(a.author.handle, a.type, a.properties["reaction"], a.message_platform_id) for a in activities} == {
        ("dan.bsky.social", "reacted", "like", OURS), ("maria.bsky.social", "reacted", "repost", OURS)}
    like = next(a for a in activities if a.properties["reaction"] == "like")
    assert like.platform_activity_id.endswith("/app.bsky.feed.like/3lbzrd5ef6g2z")
    assert like.occurred_at == dt.datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


def test_our_own_posts_threads_are_read_when_asked(srv):
    serve(srv, "thread.json")
    items, _, _ = fetch_items(connector(srv, own_threads=True))
    assert {k: (v.direction, v.parent_id, v.thread_id) for k, v in items.items()} == {
        OURS: ("outbound", None, OURS), REPLY: ("inbound", OURS, OURS), NEW_REPLY: ("inbound", REPLY, OURS)}
    feed = srv.sent("GET", "/xrpc/app.bsky.feed.getAuthorFeed")[0].query
    assert (feed["actor"], feed["limit"], feed["filter"]) == (ME, "10", "posts_no_replies")
    assert srv.sent("GET", "/xrpc/app.bsky.feed.getPostThread")[0].query == {"uri": OURS, "depth": "10"}


# ------------------------------------------------------------------------------------ into the inbox


def test_full_sync_then_a_second_that_stops_at_what_it_has(srv, rt, factory):
    srv.add(*load("bluesky/sync.json", "bluesky/session.json"))
    src = bluesky_source(rt, factory, srv, backfill_pages=2)
    first = sync_source(rt, src.id)
    assert first.ok, first.error
    pages = [r.query for r in srv.sent("GET", LN)]
    assert pages == [{"limit": "50"}, {"limit": "50", "cursor": "2026-05-01T08:20:00.455Z"}]
    assert (first.result.inserted, first.result.activities) == (3, 2)
    with rt.db.sessions() as s:
        convs = {c.platform_thread_id for c in s.scalars(select(Conversation))}
        assert convs == {OURS, MENTION, QUOTE}
        idents = {i.handle: i for i in s.scalars(select(Identity).where(Identity.source_id == src.id))}
        assert set(idents) == {"maria.bsky.social", "bendizon.com", "carla.bsky.social", "dan.bsky.social"}
        assert idents["dan.bsky.social"].platform_user_id == "did:plc:d4nv1ll4nu3v4xq7kz2m3n5r"
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.type == "reacted")) == 2
        assert json.loads(s.get(Source, src.id).sync_cursor) == {"seen": "2026-05-01T08:35:00.640Z"}

    srv.received.clear()
    second = sync_source(rt, src.id)
    assert second.ok, second.error
    assert [r.query for r in srv.sent("GET", LN)] == [{"limit": "50"}]  # stopped at the newest it had
    assert srv.sent("POST", LOGIN) == []  # the session was kept, not signed in again
    assert (second.result.inserted, second.result.activities) == (1, 0)
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 4
        assert s.scalar(select(func.count()).select_from(Member)) == 4
        new = s.scalar(select(Message).where(Message.platform_message_id == NEW_REPLY))
        parent = s.scalar(select(Message).where(Message.platform_message_id == REPLY))
        assert new.parent_id == parent.id and new.conversation_id == parent.conversation_id
        # the newest notification read, even one Kapwa leaves out (a follow)
        assert json.loads(s.get(Source, src.id).sync_cursor) == {"seen": "2026-05-01T09:01:00.100Z"}


def test_a_kept_session_that_expired_signs_in_again_once(srv):
    serve(srv, "mention.json")
    fetch_items(connector(srv))
    expired = next(e for e in load("bluesky/errors.json") if e.name == "400 expired")
    expired.times = 1
    srv.exchanges.insert(0, expired)
    items, _, _ = fetch_items(connector(srv))
    assert MENTION in items
    assert len(srv.sent("POST", LOGIN)) == 2 and len(srv.sent("GET", LN)) == 3


# --------------------------------------------------------------------------------------------- errors


def failing(srv, name: str, reset_in: float | None = None):
    exchange = next(e for e in load("bluesky/errors.json") if e.name == name)
    if reset_in is not None:  # the recorded reset time, moved to just ahead of now
        exchange.response["headers"]["ratelimit-reset"] = str(int(time.time() + reset_in))
    srv.add(exchange, *load("bluesky/session.json"))


@pytest.mark.parametrize(("name", "cls", "words", "at_least"), [
    ("401", AuthError, ("Bluesky did not accept the sign-in (HTTP 401: Invalid identifier or password). "
                       "Check the handle and app password and connect the source again."), 3600),
    ("404", NotFound, "Bluesky has no such page (HTTP 404: Not Found). Check the address in the source settings.",
     3600),
    ("429 login", RateLimited, "Bluesky asked Kapwa to slow down (HTTP 429); trying again in about 5 minutes.", 280),
    ("429", RateLimited, "Bluesky asked Kapwa to slow down (HTTP 429); trying again in about 2 minutes.", 110),
    ("500", Unreachable, ("Bluesky is having trouble right now (HTTP 500: Internal Server Error); "
                         "Kapwa will try again later."), 45),
    ("502", Unreachable, ("Bluesky is having trouble right now (HTTP 502: Upstream Failure); "
                         "Kapwa will try again later."), 45),
])
def test_failures_read_plainly_on_the_source_and_push_the_next_try_back(srv, rt, factory, name, cls, words,
                                                                      at_least):
    failing(srv, name, reset_in=300 if name == "429 login" else 120 if name == "429" else None)
    with pytest.raises(cls) as caught:
        fetch_items(connector(srv))
    assert caught.value.message == words
    bluesky._sessions.clear()
    src = bluesky_source(rt, factory, srv)
    before, outcome, row = sync_and_reload(rt, src.id)
    assert not outcome.ok and row.last_error == words
    assert row.health == ("degraded" if cls in (RateLimited, Unreachable) else "failing")
    assert row.next_sync_at >= before + dt.timedelta(seconds=at_least)


def test_an_unreachable_service_is_named():
    conn = BlueskyConnector({"service_url": f"http://127.0.0.1:{free_port()}"}, dict(CREDS))
    with pytest.raises(Unreachable, match="Could not connect to 127.0.0.1: the connection was refused"):
        conn.test_connection()


def test_missing_credentials_are_explained():
    with pytest.raises(AuthError, match="Set the Bluesky handle and an app password"):
        BlueskyConnector({}, {"handle": "bayanipay.bsky.social"}).test_connection()


# ---------------------------------------------------------------------------------------- writing


def test_a_reply_carries_root_and_parent_refs_and_facets(srv):
    serve(srv, "send.json")
    sent = connector(srv).reply(OURS, REPLY, "@bendizon.com nasa https://bayanipay.example/faq po #BayaniPay")
    assert srv.sent("GET", "/xrpc/app.bsky.feed.getPosts")[0].query == {"uris": REPLY}
    body = srv.sent("POST", "/xrpc/com.atproto.repo.createRecord")[0].json()
    assert body["repo"] == ME and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "@bendizon.com nasa https://bayanipay.example/faq po #BayaniPay"
    assert record["reply"]["root"] == {"uri": OURS, "cid": "bafyreidfyz3yd6xq2u7ee4bq3hpr6ynbbrfcbgojbujehkg5cmjlkwxqxq",
                                       "$type": "com.atproto.repo.strongRef"}
    assert record["reply"]["parent"]["uri"] == REPLY and record["reply"]["parent"]["cid"] == "bafyreireply1"
    features = {f["features"][0]["$type"]: f for f in record["facets"]}
    assert features["app.bsky.richtext.facet#mention"]["features"][0]["did"] == "did:plc:b3nd1z0nxq7kz2m3n5r6s7t8"
    assert features["app.bsky.richtext.facet#link"]["features"][0]["uri"] == "https://bayanipay.example/faq"
    assert features["app.bsky.richtext.facet#tag"]["features"][0]["tag"] == "BayaniPay"
    assert dt.datetime.fromisoformat(record["createdAt"]).tzinfo is not None
    assert sent.platform_message_id == f"at://{ME}/app.bsky.feed.post/3lbzt5xyz2a2d"
    assert sent.url == "https://bsky.app/profile/bayanipay.bsky.social/post/3lbzt5xyz2a2d"


def test_publish_writes_a_plain_post_in_the_configured_languages(srv):
    serve(srv, "send.json")
    connector(srv, langs=["tl", "en"]).publish("Maintenance sa Sabado, 1–3 AM.", title="Paalala")
    record = srv.sent("POST", "/xrpc/com.atproto.repo.createRecord")[0].json()["record"]
    assert record["text"] == "Paalala\n\nMaintenance sa Sabado, 1–3 AM." and "reply" not in record
    assert record["langs"] == ["tl", "en"]


def test_replying_to_a_deleted_post_says_so(srv):
    serve(srv, "send.json")
    srv.exchanges[0].response["json"] = {"posts": []}
    with pytest.raises(NotFound, match="no longer has the post this replies to"):
        connector(srv).reply(OURS, REPLY, "Hello")
    assert not srv.sent("POST", "/xrpc/com.atproto.repo.createRecord")


def test_moderation_and_direct_messages_are_not_offered():
    conn = BlueskyConnector({}, dict(CREDS))
    with pytest.raises(NotSupported):
        conn.moderate(MENTION, "hide")
    with pytest.raises(NotSupported):
        conn.send_direct("did:plc:x", "Hi")


def test_connection_test_signs_in_afresh_and_names_the_account(srv):
    serve(srv)
    assert connector(srv).test_connection() == f"Signed in as @bayanipay.bsky.social ({ME})"


def test_an_unreadable_cursor_starts_over_instead_of_stopping_the_source(srv):
    serve(srv, "mention.json")
    items, _, _ = fetch_items(connector(srv), "2026-05-01T08:00:01.312Z")  # not JSON: an older cursor format
    assert MENTION in items
