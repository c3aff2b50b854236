"""The Discourse connector against recorded Discourse REST API exchanges (docs.discourse.org shapes), replayed by
a real HTTP server on loopback: topics become conversations with their replies in place, private messages are
direct, the next sync reads only bumped topics and their new posts, and replies, new topics and moderation send
what Discourse documents."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import AuthError, RateLimited, Unreachable
from kapwa.connectors.discourse import DiscourseConnector
from kapwa.connectors.http_errors import NotFound, Rejected
from kapwa.core.models import Conversation, Identity, Member, Message, Source
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import create_source, sync_and_reload
from tests.support.replay import Exchange, load
from tests.support.services import free_port

UTC = dt.UTC
CREDS = {"api_key": "d2b8e7c1f0a94b53a1c6e8f7d9b0c2a4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5",
         "api_username": "bayanipay_support"}


def serve(srv, *names: str) -> None:
    srv.add(*load(*(f"discourse/{n}" for n in names), "discourse/categories.json"))


def connector(srv, **config) -> DiscourseConnector:
    return DiscourseConnector({"base_url": srv.base_url, **config}, dict(CREDS))


def fetch(conn: DiscourseConnector, cursor=None):
    batches = list(conn.fetch(cursor))
    return {it.platform_message_id: it for b in batches for it in b.items}, batches


def forum_source(rt, factory, srv, **config) -> Source:
    return create_source(rt, factory, kind="discourse", name="BayaniPay Forum",
                         config={"base_url": srv.base_url, **config}, credentials=dict(CREDS))


# ---------------------------------------------------------------------------------------- reading


def test_a_topic_becomes_a_thread_with_replies_under_the_posts_they_answer(srv):
    serve(srv, "post_in_topic.json")
    items, batches = fetch(connector(srv, private_messages=False))
    question, answer, thanks = items["210"], items["211"], items["212"]
    assert (question.kind, question.parent_id, question.thread_id) == ("post", None, "21")
    assert (answer.kind, answer.parent_id, answer.direction) == ("reply", "210", "outbound")  # the API user
    assert (thanks.kind, thanks.parent_id, thanks.direction) == ("reply", "211", "inbound")
    assert question.title == "Hindi maka-login sa app" and question.channel == "Account at Login"  # subcategory
    assert question.text == "Hindi ako maka-login simula kaninang umaga. Lumalabas ang Error 503. May outage po ba?"
    assert question.html.startswith("<p>Hindi ako") and thanks.text == "Salamat po! Gumana na. :pray:"
    assert question.created_at == dt.datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert question.url == f"{srv.base_url}/t/hindi-maka-login-sa-app/21/1"
    assert question.thread_url == f"{srv.base_url}/t/hindi-maka-login-sa-app/21"
    a = question.author
    assert (a.platform_user_id, a.handle, a.display_name, a.profile_url) == (
        "12", "maria", "Maria Santos", f"{srv.base_url}/u/maria")
    assert a.avatar_url == f"{srv.base_url}/user_avatar/forum.bayanipay.example/maria/96/84_2.png"
    sent = srv.sent("GET", "/latest.json")[0]
    assert (sent.headers["api-key"], sent.headers["api-username"]) == (CREDS["api_key"], "bayanipay_support")
    assert srv.sent("GET", "/categories.json")[0].query == {"include_subcategories": "true"}
    assert json.loads(batches[-1].cursor) == {"bumped_at": "2026-05-01T09:00:00.000Z", "topics": {"21": 3}}


def test_a_reply_to_the_topic_hangs_under_its_first_post_and_small_actions_are_left_out(srv):
    serve(srv, "reply_to_topic.json")
    items, batches = fetch(connector(srv, private_messages=False))
    assert set(items) == {"220", "221"}  # not 222, "closed this topic"
    assert items["221"].parent_id == "220" and items["221"].channel == "Tulong"
    assert json.loads(batches[-1].cursor)["topics"] == {"22": 3}


def test_private_messages_are_direct_conversations(srv):
    serve(srv, "private_message.json")
    items, batches = fetch(connector(srv))
    theirs, ours = items["240"], items["241"]
    assert (theirs.kind, theirs.is_direct, theirs.channel, theirs.thread_id) == ("direct", True, None, "40")
    assert (ours.kind, ours.direction, ours.parent_id) == ("direct", "outbound", "240")
    assert json.loads(batches[-1].cursor)["pm_bumped_at"] == "2026-05-01T09:10:00.000Z"


def test_a_long_topic_is_read_past_its_first_chunk(srv):
    serve(srv, "long_topic.json")
    items, _ = fetch(connector(srv, private_messages=False))
    assert len(items) == 45 and items["3045"].parent_id == "3030"
    assert [r.query["post_ids[]"] for r in srv.sent("GET", "/t/30/posts.json")] == ["3040", "3045"]


def test_a_grown_long_topic_reads_only_its_tail_and_finds_older_parents_by_number(srv):
    serve(srv, "long_topic.json")
    cursor = json.dumps({"bumped_at": "2026-04-30T00:00:00.000Z", "topics": {"30": 40}})
    items, batches = fetch(connector(srv, private_messages=False), cursor)
    assert sorted(items) == ["3041", "3042", "3043", "3044", "3045"]
    assert len(srv.sent("GET", "/t/30/posts.json")) == 1  # the tail only, not the 25 posts after the chunk
    assert srv.sent("GET", "/posts/by_number/30/30.json") and items["3045"].parent_id == "3030"
    assert json.loads(batches[-1].cursor)["topics"] == {"30": 45}


# ------------------------------------------------------------------------------------ into the inbox


def test_full_sync_then_a_second_that_reads_only_bumped_topics(srv, rt, factory):
    srv.add(*load("discourse/sync.json", "discourse/categories.json"))
    src = forum_source(rt, factory, srv, backfill_pages=2)
    first = sync_source(rt, src.id)
    assert first.ok, first.error
    assert srv.sent("GET", "/latest.json")[1].query == {"no_definitions": "true", "page": "1"}  # more_topics_url
    assert first.result.inserted == 9
    with rt.db.sessions() as s:
        convs = {c.platform_thread_id: c for c in s.scalars(select(Conversation))}
        assert set(convs) == {"10", "21", "22", "23", "40"}
        assert convs["40"].is_direct and convs["40"].channel is None and convs["21"].channel == "Account at Login"
        assert convs["21"].title == "Hindi maka-login sa app" and convs["21"].message_count == 3
        assert convs["21"].first_response_at == dt.datetime(2026, 5, 1, 8, 40, tzinfo=UTC)  # our answer
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        assert msgs["212"].parent_id == msgs["211"].id and msgs["211"].parent_id == msgs["210"].id
        idents = {i.handle for i in s.scalars(select(Identity).where(Identity.source_id == src.id))}
        assert idents == {"maria", "ben", "carla", "dan"}  # our own account is not a member
        assert json.loads(s.get(Source, src.id).sync_cursor) == {
            "bumped_at": "2026-05-01T09:00:00.000Z", "pm_bumped_at": "2026-05-01T09:10:00.000Z",
            "topics": {"10": 1, "21": 3, "22": 3, "23": 1, "40": 2}}

    srv.received.clear()
    second = sync_source(rt, src.id)
    assert second.ok, second.error
    assert [r.path for r in srv.received if r.path.startswith("/t/")] == ["/t/21.json"]  # only the bumped topic
    assert [r.query for r in srv.sent("GET", "/latest.json")] == [{}]  # an older topic ended the paging
    assert (second.result.inserted, second.result.updated) == (1, 1)
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 10
        assert s.scalar(select(func.count()).select_from(Member)) == 4
        new = s.scalar(select(Message).where(Message.platform_message_id == "215"))
        first_post = s.scalar(select(Message).where(Message.platform_message_id == "210"))
        assert new.parent_id == first_post.id and new.conversation_id == first_post.conversation_id
        assert first_post.text.endswith("EDIT: naayos na, salamat.") and first_post.edited_at == dt.datetime(
            2026, 5, 1, 9, 30, tzinfo=UTC)
        assert json.loads(s.get(Source, src.id).sync_cursor)["topics"]["21"] == 4


# --------------------------------------------------------------------------------------------- errors


def error(name: str):
    return next(e for e in load("discourse/errors.json") if e.name == name)


@pytest.mark.parametrize(("name", "cls", "words", "at_least"), [
    ("403 bad key", AuthError, ("Discourse refused access (HTTP 403: You are not permitted to view the requested "
                               "resource. The API username or key is invalid.). The account or key may lack the "
                               "permission this needs."), 3600),
    ("403 no access", AuthError, ("Discourse refused access (HTTP 403: You are not permitted to view the "
                                 "requested resource.). The account or key may lack the permission this needs."), 3600),
    ("404", NotFound, ("Discourse has no such topic list (HTTP 404: The requested URL or resource could not be "
                      "found.). Check the address in the source settings."), 3600),
    ("429", RateLimited, "Discourse asked Kapwa to slow down (HTTP 429); trying again in 39 seconds.", 39),
    ("500", Unreachable, "Discourse is having trouble right now (HTTP 500); Kapwa will try again later.", 45),
    ("502", Unreachable, "Discourse is having trouble right now (HTTP 502); Kapwa will try again later.", 45),
])
def test_failures_read_plainly_on_the_source_and_push_the_next_try_back(srv, rt, factory, name, cls, words,
                                                                      at_least):
    srv.add(error(name), *load("discourse/post_in_topic.json", "discourse/categories.json"))
    with pytest.raises(cls) as caught:
        fetch(connector(srv, private_messages=False))
    assert caught.value.message == words
    src = forum_source(rt, factory, srv, private_messages=False)
    before, outcome, row = sync_and_reload(rt, src.id)
    assert not outcome.ok and row.last_error == words
    assert row.health == ("degraded" if cls in (RateLimited, Unreachable) else "failing")
    assert row.next_sync_at >= before + dt.timedelta(seconds=at_least)


def test_an_unreachable_forum_is_named():
    conn = DiscourseConnector({"base_url": f"http://127.0.0.1:{free_port()}"}, dict(CREDS))
    with pytest.raises(Unreachable, match="Could not connect to 127.0.0.1: the connection was refused"):
        conn.test_connection()


def test_a_forum_address_that_redirects_is_not_followed_with_the_api_key(srv):
    srv.add(Exchange({"method": "GET", "path": "/latest.json"},
                     {"status": 301, "headers": {"Location": "https://forum.bayanipay.example/latest.json"},
                      "body": ""}))
    with pytest.raises(Rejected, match="sent Kapwa on to https://forum.bayanipay.example/latest.json; put the"):
        fetch(connector(srv, private_messages=False))
    assert len(srv.received) == 1


def test_missing_settings_are_explained():
    with pytest.raises(AuthError, match="No Discourse API key"):
        DiscourseConnector({"base_url": "https://forum.bayanipay.example"}, {}).test_connection()
    with pytest.raises(Exception, match="Set the forum URL"):
        DiscourseConnector({"base_url": "forum.bayanipay.example"}, dict(CREDS)).test_connection()


# ---------------------------------------------------------------------------------------- writing


def test_a_reply_names_the_topic_and_the_post_number_it_answers(srv):
    serve(srv, "send.json")
    sent = connector(srv).reply("21", "212", "Walang anuman, Maria!")
    assert srv.sent("POST", "/posts.json")[0].json() == {
        "raw": "Walang anuman, Maria!", "topic_id": 21, "reply_to_post_number": 3}
    assert sent.platform_message_id == "250"
    assert sent.url == f"{srv.base_url}/t/hindi-maka-login-sa-app/21/4"
    assert sent.created_at == dt.datetime(2026, 5, 1, 10, 30, tzinfo=UTC)


def test_a_reply_to_the_topic_itself(srv):
    serve(srv, "send.json")
    connector(srv).reply("21", None, "Update: ayos na ang login para sa lahat.")
    assert srv.sent("POST", "/posts.json")[0].json() == {
        "raw": "Update: ayos na ang login para sa lahat.", "topic_id": 21}


def test_publish_opens_a_topic_in_the_named_category(srv):
    serve(srv, "send.json")
    sent = connector(srv).publish("Naka-schedule ang maintenance sa Sabado, 1–3 AM.", channel="tulong",
                                  title="Maintenance sa Sabado")
    assert srv.sent("POST", "/posts.json")[0].json() == {
        "title": "Maintenance sa Sabado", "raw": "Naka-schedule ang maintenance sa Sabado, 1–3 AM.", "category": 5}
    assert sent.url == f"{srv.base_url}/t/maintenance-sa-sabado/50/1"
    with pytest.raises(Rejected, match="no category called 'Balita'"):
        connector(srv).publish("x", channel="Balita", title="Balita")
    with pytest.raises(Rejected, match="needs a title"):
        connector(srv).publish("walang pamagat")


def test_moderation_deletes_hides_and_unhides(srv):
    serve(srv, "send.json")
    conn = connector(srv)
    conn.moderate("213", "delete")
    conn.moderate("212", "hide", reason="Spam na link")
    conn.moderate("212", "unhide")
    assert srv.sent("DELETE", "/posts/213.json")
    assert srv.sent("POST", "/post_actions.json")[0].json() == {
        "id": 212, "post_action_type_id": 4, "take_action": "true", "message": "Spam na link"}
    assert srv.sent("PUT", "/posts/212/unhide.json")
    with pytest.raises(Rejected, match="can delete, hide or unhide a post, not 'ban'"):
        conn.moderate("212", "ban")


@pytest.mark.parametrize(("name", "cls", "words"), [
    ("503 read only", Unreachable, ("Discourse is having trouble right now (HTTP 503: Your site is in read only "
                                   "mode. Please continue to browse, but replying, likes, and other actions are "
                                   "disabled for now.); Kapwa will try again later.")),
    ("422", Rejected, "Discourse refused the request (HTTP 422: Body is too short (minimum is 20 characters))."),
])
def test_a_refused_reply_says_why(srv, name, cls, words):
    srv.add(error(name), *load("discourse/send.json"))
    with pytest.raises(cls) as caught:
        connector(srv).reply("21", None, "ok")
    assert caught.value.message == words


def test_connection_test_names_the_api_user(srv):
    serve(srv, "user.json")
    assert connector(srv).test_connection() == "Signed in to 127.0.0.1 as @bayanipay_support"


def test_a_key_that_cannot_read_private_messages_still_syncs_the_forum(srv, caplog):
    no_pms = error("403 no access")
    no_pms.request["path"] = "/topics/private-messages/bayanipay_support.json"
    srv.add(no_pms, *load("discourse/post_in_topic.json", "discourse/categories.json"))
    items, batches = fetch(connector(srv))
    assert set(items) == {"210", "211", "212"} and "pm_bumped_at" not in json.loads(batches[-1].cursor)
    assert "private messages of bayanipay_support skipped: Discourse refused access (HTTP 403" in caplog.text


def test_an_unreadable_cursor_starts_over_instead_of_stopping_the_source(srv):
    serve(srv, "post_in_topic.json")
    items, _ = fetch(connector(srv, private_messages=False), "bumped_at=2026-05-01")
    assert set(items) == {"210", "211", "212"}


def test_a_topic_deleted_while_syncing_is_skipped_not_fatal(srv):
    gone = error("404")
    gone.request["path"] = "/t/21.json"
    srv.add(gone, *load("discourse/reply_to_topic.json"))
    srv.exchanges.insert(1, load("discourse/sync.json")[0])  # latest lists topics 10, 21 and 22
    srv.add(*load("discourse/sync.json")[3:4], *load("discourse/categories.json"))  # /t/10.json
    items, batches = fetch(connector(srv, private_messages=False))
    assert set(items) == {"100", "220", "221"}
    assert json.loads(batches[-1].cursor)["bumped_at"] == "2026-05-01T09:00:00.000Z"
