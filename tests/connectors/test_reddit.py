"""Reddit contract tests: PRAW talks to a local server replaying Reddit's documented JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, RateLimited, Unreachable
from kapwa.connectors.reddit import RedditConnector
from kapwa.core.models import Conversation, Identity, Message, Source
from tests.connectors._helpers import opened, sync_stored

CREDS = {"client_id": "kapwa-app", "client_secret": "s3cret", "refresh_token": "rt-kapwa"}
READ = ("reddit/auth.json", "reddit/subreddit_new.json", "reddit/subreddit_comments.json",
        "reddit/inbox_mentions.json", "reddit/inbox_messages.json")


def connector(srv, creds=CREDS, **config) -> RedditConnector:
    config = {"subreddits": ["phinvest"], "api_url": srv.base_url, "auth_url": srv.base_url, **config}
    return opened(RedditConnector(config, dict(creds)))


@pytest.fixture
def source(rt, factory):
    def make(srv, **config):
        return factory.source("reddit", name="r/phinvest", credentials_encrypted=rt.secrets.encrypt_json(CREDS),
                              config={"subreddits": ["phinvest"], "api_url": srv.base_url, "auth_url": srv.base_url,
                                      **config})
    return make


def messages(rt) -> dict[str, Message]:
    with rt.db.sessions() as s:
        return {m.platform_message_id: m for m in s.scalars(select(Message))}


def test_sync_stores_posts_comments_mentions_and_private_messages_as_threads(rt, source, replay):
    srv = replay(*READ)
    src = source(srv)
    out = sync_stored(rt, src.id, RedditConnector)
    assert out.ok and not srv.unmatched, (out.error, srv.unmatched)
    # Every API call carries the OAuth token; the second listing page is asked for with `after`.
    api = [r for r in srv.received if r.path != "/api/v1/access_token"]
    assert all(r.headers["authorization"].startswith("bearer eyJ") for r in api)
    assert srv.sent("GET", "/r/phinvest/new")[1].query["after"] == "t3_1c29zz"

    msgs = messages(rt)
    assert set(msgs) == {"1c2a0f", "1c29zz", "1c29yy", "l2b3a00", "l2b3a01", "l2b3c4d", "l2b3e55", "t4_2ab4cd"}
    post, answer, thanks, mention = msgs["1c2a0f"], msgs["l2b3a00"], msgs["l2b3c4d"], msgs["l2b3e55"]
    # Comments, the reply to a comment and the username mention all join the post's conversation.
    assert answer.conversation_id == post.conversation_id == thanks.conversation_id == mention.conversation_id
    assert (answer.parent_id, thanks.parent_id, mention.parent_id) == (post.id, answer.id, answer.id)
    assert (post.kind, answer.kind, thanks.kind, mention.kind) == ("post", "comment", "reply", "mention")
    assert post.created_at == dt.datetime(2024, 5, 1, 8, 10, tzinfo=dt.UTC)
    assert post.url == "https://www.reddit.com/r/phinvest/comments/1c2a0f/paano_mag-invest_sa_/"
    # The brand's own comment is outbound and does not create a member.
    assert msgs["l2b3a01"].direction == "outbound" and msgs["l2b3a01"].member_id is None
    # A link post without text keeps its link as the text.
    assert msgs["1c29yy"].text == "https://www.pagibigfund.gov.ph/mp2/"
    dm = msgs["t4_2ab4cd"]
    assert dm.kind == "direct" and dm.text.startswith("Na-lock po account ko")
    with rt.db.sessions() as s:
        conv = s.get(Conversation, post.conversation_id)
        assert conv.title == "Paano mag-invest sa MP2?" and conv.channel == "r/phinvest"
        assert s.get(Conversation, dm.conversation_id).is_direct is True
        handles = set(s.scalars(select(Identity.handle)))
        assert handles == {"ana_cruz", "ben_reyes", "carla_m", "old_timer", "dina_s"}
        assert s.get(Source, src.id).sync_cursor is not None


def test_a_second_sync_resumes_from_the_cursor_and_stores_nothing_twice(rt, source, replay):
    srv = replay(*READ)
    src = source(srv)
    first = sync_stored(rt, src.id, RedditConnector)
    before = len(srv.sent("GET", "/r/phinvest/new"))
    second = sync_stored(rt, src.id, RedditConnector)
    assert first.result.inserted == 8
    assert second.ok and second.result.inserted == 0
    # The newest page already reaches back past the cursor: no second page is asked for.
    again = srv.sent("GET", "/r/phinvest/new")[before:]
    assert len(again) == 1 and "after" not in again[0].query


def test_connection_names_the_account_and_subreddits(replay):
    srv = replay("reddit/auth.json", "reddit/errors.json")
    assert connector(srv).test_connection() == "Signed in to Reddit as u/kapwa_ph; reading r/phinvest"
    # The connect form's single "subreddit" works too.
    assert connector(srv, subreddits=None, subreddit="r/phinvest").test_connection().endswith("reading r/phinvest")
    with pytest.raises(AuthError, match=r"Reddit refused access \(HTTP 403: Forbidden\)"):
        connector(srv, subreddits=["secret"]).test_connection()


def test_revoked_token_becomes_a_failing_source_with_plain_words(rt, factory, replay):
    srv = replay("reddit/errors.json")
    src = factory.source("reddit", credentials_encrypted=rt.secrets.encrypt_json({**CREDS, "refresh_token": "revoked"}),
                         config={"subreddits": ["phinvest"], "api_url": srv.base_url, "auth_url": srv.base_url})
    out = sync_stored(rt, src.id, RedditConnector)
    assert not out.ok
    assert out.error == ("Reddit refused the app credentials (invalid_grant): check the client id, secret and token")
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).health == "failing"  # not transient: a person must reconnect


def test_rate_limit_and_outage_are_reported_with_retry_hints(monkeypatch, replay):
    monkeypatch.setattr("prawcore.sessions.time.sleep", lambda s: None)  # prawcore's own retry pause
    srv = replay("reddit/auth.json", "reddit/errors.json")
    with pytest.raises(RateLimited) as limited:
        list(connector(srv, subreddits=["busy"], inbox=False).fetch(None))
    assert limited.value.retry_after == 120.0
    with pytest.raises(Unreachable, match=r"HTTP 503"):
        list(connector(srv, subreddits=["down"], inbox=False).fetch(None))
    assert len(srv.sent("GET", "/r/down/new")) == 3  # prawcore retried twice before giving up


def test_reply_to_a_comment_and_to_the_post(replay):
    srv = replay("reddit/auth.json", "reddit/comment_reply.json", "reddit/post_reply.json")
    c = connector(srv)
    sent = c.reply("1c2a0f", "l2b3a00", "Salamat sa tanong! Online na po.")
    assert sent.platform_message_id == "l2b4z99"
    assert sent.url == "https://www.reddit.com/r/phinvest/comments/1c2a0f/paano_maginvest_sa_mp2/l2b4z99/"
    on_post = c.reply("1c2a0f", "1c2a0f", "Welcome po!")
    assert on_post.platform_message_id == "l2b4z98"
    bodies = [r.form() for r in srv.sent("POST", "/api/comment/")]
    assert [(b["thing_id"], b["text"]) for b in bodies] == [
        ("t1_l2b3a00", "Salamat sa tanong! Online na po."), ("t3_1c2a0f", "Welcome po!")]


def test_publish_submits_a_self_post(replay):
    srv = replay("reddit/auth.json", "reddit/submit.json")
    sent = connector(srv).publish("Sa Sabado, 8 PM.", title="Schedule ng AMA")
    assert sent.platform_message_id == "1c3new"
    assert sent.url == "https://www.reddit.com/r/phinvest/comments/1c3new/"
    body = srv.sent("POST", "/api/submit/")[0].form()
    assert (body["sr"], body["kind"], body["text"]) == ("phinvest", "self", "Sa Sabado, 8 PM.")


def test_moderate_removes_the_right_kind_of_thing(replay):
    srv = replay("reddit/auth.json", "reddit/remove.json")
    connector(srv).moderate("l2b3a00", "remove", reason="spam link")
    assert not srv.unmatched
    assert srv.sent("POST", "/api/remove/")[0].form()["id"] == "t1_l2b3a00"
