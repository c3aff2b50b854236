"""Sending through the connector (a Discourse forum replayed on loopback): in-thread, recorded as an outbound
message the next sync recognises; a refusal says why and can be retried; nothing is ever sent twice."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.actions import ActionError
from kapwa.core.jobs import JobQueue
from kapwa.core.models import Conversation, Message, Notification, Reply, ReplyEvent, utcnow
from kapwa.inbox.replies.actions import do_create_reply, do_retry_reply, do_settle_reply
from kapwa.inbox.replies.send import (
    STUCK_AFTER,
    _call,
    _claim,
    _record_sent,
    is_unknown,
    reconcile,
    send_reply,
)
from kapwa.ingest.pipeline import ingest_batch
from tests.connectors._helpers import create_source
from tests.inbox.replies.conftest import forum_error, reply_ok
from tests.support.replay import load

ANSWER = "Walang anuman, Maria! Naayos na ang login para sa lahat."


def _load(rt, reply_id):
    with rt.db.sessions() as s:
        reply = s.get(Reply, reply_id)
        return reply, s.get(Conversation, reply.conversation_id), [e.action for e in reply.events]


def _posts(forum) -> int:
    return len([r for r in forum.sent("POST", "/posts.json")])


def _queued(rt, team, topic, body=ANSWER):
    """A reply approved and waiting on the queue, with no worker running: the test runs the send job itself."""
    return do_create_reply(rt, team["moderator"], topic.conversation.id, body, jobs=JobQueue(rt))


def test_a_reply_goes_into_the_thread_under_the_latest_message_and_into_the_conversation(rt, team, topic, forum,
                                                                                       jobs):
    reply_ok(forum)
    reply = do_create_reply(rt, team["moderator"], topic.conversation.id, ANSWER, jobs=jobs)

    [post] = forum.sent("POST", "/posts.json")
    assert post.json() == {"raw": ANSWER, "topic_id": 21, "reply_to_post_number": 3}  # answers post 212
    reply, conv, events = _load(rt, reply.id)
    assert reply.status == "sent" and reply.platform_message_id == "250" and reply.attempts == 1
    assert reply.url == f"{forum.base_url}/t/hindi-maka-login-sa-app/21/4"
    assert reply.in_reply_to_id == topic.thanks.id
    assert events == ["created", "submitted", "sent"]
    with rt.db.sessions() as s:
        msg = s.get(Message, reply.message_id)
        assert (msg.direction, msg.kind, msg.sent_by_user_id, msg.parent_id) == (
            "outbound", "reply", team.moderator.id, topic.thanks.id)
        assert (msg.text, msg.url, msg.platform_message_id) == (ANSWER, reply.url, "250")
        assert msg.created_at == dt.datetime(2026, 5, 1, 10, 30, tzinfo=dt.UTC)
    assert conv.message_count == 3 and conv.needs_answer is False and conv.status == "open"
    assert conv.first_response_at == msg.created_at and conv.last_outbound_at == msg.created_at

    # The next sync fetches the same post from the forum: recognised, not added again.
    item = InboundItem("250", msg.created_at, ANSWER, InboundAuthor("3", handle="bayanipay_support"), kind="reply",
                       direction="outbound", thread_id="21", parent_id="212", url=reply.url)
    result = ingest_batch(rt, topic.source.id, Batch([item]), analyze=False)
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message).where(
            Message.conversation_id == conv.id)) == 3
        assert s.get(Conversation, conv.id).message_count == 3


def test_a_refusal_says_why_tells_the_author_and_a_retry_sends_it(rt, team, topic, forum, jobs):
    forum.add(forum_error("403 bad key", "GET", "/posts/212.json"))
    reply = do_create_reply(rt, team["moderator"], topic.conversation.id, ANSWER, jobs=jobs)
    reply, conv, events = _load(rt, reply.id)
    assert reply.status == "failed" and reply.attempts == 1 and events[-1] == "failed"
    assert reply.last_error == (
        "Discourse did not take the reply: Discourse refused access (HTTP 403: You are not permitted to view the "
        "requested resource. The API username or key is invalid.). The account or key may lack the permission "
        "this needs. Check the source's account and its permissions on the Sources page.")
    with rt.db.sessions() as s:
        [note] = s.scalars(select(Notification).where(Notification.user_id == team.moderator.id))
        assert note.kind == "reply_failed" and note.url == f"/conversations/{conv.id}#reply-{reply.id}"
        assert note.text.startswith("Your reply on “Hindi maka-login sa app” was not sent: Discourse did not take")
        assert s.scalar(select(func.count()).select_from(Message).where(Message.conversation_id == conv.id)) == 2
    assert conv.needs_answer is True and conv.first_response_at is None

    forum.exchanges[:] = []  # the key is fixed; then the forum has a bad moment
    forum.add(load("discourse/send.json")[0], forum_error("500"))
    do_retry_reply(rt, team["moderator"], reply.id, jobs=jobs)
    reply, _, _ = _load(rt, reply.id)
    assert reply.status == "failed" and reply.attempts == 2
    assert reply.last_error == "Discourse did not take the reply: Discourse is having trouble right now (HTTP 500)."

    forum.exchanges[:] = []
    reply_ok(forum)
    do_retry_reply(rt, team["manager"], reply.id, jobs=jobs)
    reply, conv, events = _load(rt, reply.id)
    assert reply.status == "sent" and reply.attempts == 3 and reply.last_error is None
    assert events == ["created", "submitted", "failed", "retried", "failed", "retried", "sent"]
    assert _posts(forum) == 2 and conv.needs_answer is False  # the refused POST and the one that worked


def test_the_send_job_twice_or_at_once_makes_one_platform_call(rt, team, topic, forum):
    reply_ok(forum)
    first = _queued(rt, team, topic)
    assert send_reply(rt, first.id) == "sent"
    assert send_reply(rt, first.id) == "skipped"  # a re-delivered job
    assert _posts(forum) == 1

    second = _queued(rt, team, topic, "Pakisubukan po ulit ngayon.")
    barrier, outcomes = threading.Barrier(4), []

    def worker():
        barrier.wait()
        outcomes.append(send_reply(rt, second.id, analyze=False))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert _posts(forum) == 2
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReplyEvent).where(
            ReplyEvent.reply_id == second.id, ReplyEvent.action == "sent")) == 1


def test_a_sync_that_brings_the_message_first_is_adopted_not_duplicated(rt, team, topic, forum):
    reply_ok(forum)
    reply = _queued(rt, team, topic)
    claimed = _claim(rt, reply.id)
    sent = _call(rt, claimed)  # the forum has the post now…
    item = InboundItem("250", sent.created_at, ANSWER, None, kind="reply", direction="outbound", thread_id="21",
                       parent_id="212")
    ingest_batch(rt, topic.source.id, Batch([item]), analyze=False)  # …and a sync fetched it before we recorded it
    message_id, new = _record_sent(rt, claimed, sent)
    assert new is False
    with rt.db.sessions() as s:
        rows = list(s.scalars(select(Message).where(Message.platform_message_id == "250")))
        assert [m.id for m in rows] == [message_id] and rows[0].sent_by_user_id == team.moderator.id
        assert s.get(Reply, reply.id).status == "sent"


def test_after_a_crash_between_the_platform_and_the_commit_nothing_is_sent_again(rt, team, topic, forum, jobs):
    reply_ok(forum)
    reply = _queued(rt, team, topic)
    claimed = _claim(rt, reply.id)
    _call(rt, claimed)  # posted; then the worker dies before recording it

    assert send_reply(rt, reply.id) == "skipped"  # a re-delivered job finds nothing to claim
    stuck, _, _ = _load(rt, reply.id)
    assert stuck.status == "sending" and not is_unknown(stuck)
    later = utcnow() + STUCK_AFTER + dt.timedelta(seconds=1)
    assert is_unknown(stuck, later)  # shown as "unknown — check the platform"
    assert reconcile(rt, later) == 0  # nothing synced yet: left for a person
    assert _posts(forum) == 1

    # The next sync brings the post in: the reply is linked to it without another platform call.
    item = InboundItem("250", utcnow(), ANSWER, None, kind="reply", direction="outbound", thread_id="21",
                       parent_id="212", url=f"{forum.base_url}/t/hindi-maka-login-sa-app/21/4")
    ingest_batch(rt, topic.source.id, Batch([item]), analyze=False)
    assert reconcile(rt, later) == 1
    settled, _, events = _load(rt, reply.id)
    assert settled.status == "sent" and settled.platform_message_id == "250" and events[-1] == "reconciled"
    with rt.db.sessions() as s:
        assert s.get(Message, settled.message_id).sent_by_user_id == team.moderator.id
    assert _posts(forum) == 1


def test_a_person_settles_an_unknown_send(rt, team, topic, forum, jobs):
    reply = _queued(rt, team, topic)
    _claim(rt, reply.id)  # claimed, then nothing: Kapwa never heard back
    with pytest.raises(ActionError, match="only a failed reply can be retried"):
        do_retry_reply(rt, team["moderator"], reply.id, jobs=jobs)
    with pytest.raises(ActionError, match="whose send is unknown"):
        do_settle_reply(rt, team["moderator"], reply.id, "resend", jobs=jobs)  # not unknown yet: still in flight
    with rt.db.write_sessions() as s, s.begin():
        s.get(Reply, reply.id).last_attempt_at = utcnow() - STUCK_AFTER - dt.timedelta(minutes=1)

    reply_ok(forum)
    do_settle_reply(rt, team["moderator"], reply.id, "resend", jobs=jobs)  # not on the forum: send it again
    settled, _, events = _load(rt, reply.id)
    assert settled.status == "sent" and events[-2:] == ["resent", "sent"] and _posts(forum) == 1

    other = _queued(rt, team, topic, "Isa pang sagot.")
    _claim(rt, other.id)
    with rt.db.write_sessions() as s, s.begin():
        s.get(Reply, other.id).last_attempt_at = utcnow() - STUCK_AFTER - dt.timedelta(minutes=1)
    link = f"{forum.base_url}/t/hindi-maka-login-sa-app/21/5"
    do_settle_reply(rt, team["manager"], other.id, "sent", url=link, jobs=jobs)
    settled, _, events = _load(rt, other.id)
    assert (settled.status, settled.url, events[-1]) == ("sent", link, "marked_sent") and _posts(forum) == 1


def test_no_answer_in_time_leaves_the_outcome_unknown_instead_of_inviting_a_second_send(rt, factory, team, jobs):
    silent = socket.socket()  # a homeserver that accepts the connection and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        src = create_source(rt, factory, kind="matrix", name="Slow homeserver",
                            config={"homeserver": f"http://127.0.0.1:{silent.getsockname()[1]}", "timeout": 1},
                            credentials={"user_id": "@bayanipay:localhost", "access_token": "syt_token"})
        conv = factory.conversation(src, title="Nawala ang load ko", platform_thread_id="!room:localhost:2026-05-01")
        factory.message(conv, text="Nawala po ang load ko", platform_message_id="$question")
        reply = do_create_reply(rt, team["moderator"], conv.id, "Titingnan po namin.", jobs=jobs)
    finally:
        silent.close()
    reply, _, events = _load(rt, reply.id)
    assert reply.status == "sending" and is_unknown(reply) and events[-1] == "unknown"
    assert reply.last_error.startswith("Matrix did not take the reply: cannot reach http://127.0.0.1:")
    assert reply.last_error.endswith("no answer within 1 s. It may have been posted anyway: check the platform "
                                     "before sending it again.")
    with pytest.raises(ActionError, match="only a failed reply can be retried"):
        do_retry_reply(rt, team["moderator"], reply.id, jobs=jobs)
    do_settle_reply(rt, team["moderator"], reply.id, "sent", jobs=jobs)  # found it in the room
    reply, _, events = _load(rt, reply.id)
    assert reply.status == "sent" and events[-1] == "marked_sent"
