"""The one inbound path: idempotent upsert, thread linking, member resolution, cursor with the batch."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import Batch, InboundActivity, InboundAuthor, InboundItem
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Source
from kapwa.ingest.pipeline import ingest_batch

T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def author(uid: str, **kw) -> InboundAuthor:
    return InboundAuthor(platform_user_id=uid, handle=kw.pop("handle", uid), display_name=kw.pop("name", uid.title()),
                         **kw)


def count(rt, model) -> int:
    with rt.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def src(factory):
    return factory.source("discourse", name="Forum")


def thread_batch(cursor="c1") -> Batch:
    return Batch(items=[
        InboundItem("p1", at(0), "Paano mag-cash in sa 7-Eleven?", author("ana"), title="Cash-in sa 7-Eleven",
                    thread_id="t1", channel="Help"),
        InboundItem("p2", at(30), "Sa app po, Cash In > Over the counter.", author("ben"), kind="reply",
                    thread_id="t1", parent_id="p1"),
        InboundItem("p3", at(45), "Salamat po!", author("ana"), kind="reply", thread_id="t1", parent_id="p2"),
    ], cursor=cursor)


def test_a_batch_becomes_a_conversation_with_members(rt, src):
    r = ingest_batch(rt, src.id, thread_batch())
    assert (r.inserted, r.members_created) == (3, 2)
    with rt.db.sessions() as s:
        conv = s.scalar(select(Conversation))
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        ana = s.scalar(select(Member).where(Member.display_name == "Ana"))
        assert conv.title == "Cash-in sa 7-Eleven" and conv.message_count == 3 and conv.channel == "Help"
        assert conv.started_by_member_id == ana.id
        assert conv.first_response_at == at(30) and conv.needs_answer is False
        assert msgs["p3"].parent_id == msgs["p2"].id and msgs["p2"].parent_id == msgs["p1"].id
        assert ana.message_count == 2 and ana.first_seen_at == at(0) and ana.last_active_at == at(45)
        assert s.get(Source, src.id).sync_cursor == "c1"
        assert s.scalar(select(func.count()).select_from(Activity)) == 3


def test_ingest_is_idempotent_and_applies_edits(rt, src):
    ingest_batch(rt, src.id, thread_batch())
    again = ingest_batch(rt, src.id, thread_batch("c2"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert count(rt, Message) == 3 and count(rt, Member) == 2 and count(rt, Activity) == 3
    edited = thread_batch("c3")
    edited.items[2].text = "Salamat po, gumana na!"
    assert ingest_batch(rt, src.id, edited).updated == 1
    with rt.db.sessions() as s:
        m = s.scalar(select(Message).where(Message.platform_message_id == "p3"))
        assert m.text == "Salamat po, gumana na!" and m.edited_at is not None
        assert s.scalar(select(Conversation)).message_count == 3


def test_replies_find_their_thread_across_batches_and_out_of_order(rt, src):
    ingest_batch(rt, src.id, Batch([InboundItem("r1", at(0), "Root question?", author("a"))]))
    ingest_batch(rt, src.id, Batch([
        InboundItem("r3", at(20), "reply to reply", author("c"), kind="reply", parent_id="r2"),
        InboundItem("r2", at(10), "reply to root", author("b"), kind="reply", parent_id="r1"),
    ]))
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        assert msgs["r3"].parent_id == msgs["r2"].id and msgs["r2"].conversation_id == msgs["r1"].conversation_id


def test_unanswered_question_needs_an_answer_until_someone_else_replies(rt, src):
    ingest_batch(rt, src.id, Batch([InboundItem("q", at(0), "Bakit pending pa rin?", author("a"))]))
    with rt.db.sessions() as s:
        assert s.scalar(select(Conversation.needs_answer)) is True
    ingest_batch(rt, src.id, Batch([InboundItem("q2", at(5), "Pa-follow up po?", author("a"), parent_id="q")]))
    with rt.db.sessions() as s:
        assert s.scalar(select(Conversation.needs_answer)) is True
    ingest_batch(rt, src.id, Batch([InboundItem("ans", at(60), "Na-process na po.", None, direction="outbound",
                                                parent_id="q")]))
    with rt.db.sessions() as s:
        conv = s.scalar(select(Conversation))
        assert conv.needs_answer is False and conv.first_response_at == at(60)


def test_verified_email_joins_the_existing_member(rt, factory, src):
    other = factory.source("email", name="Support inbox")
    ingest_batch(rt, src.id, Batch([InboundItem("f1", at(0), "hi", author("ana-forum", email="Ana@Example.ph",
                                                                            email_verified=True))]))
    ingest_batch(rt, other.id, Batch([InboundItem("e1", at(5), "hello", author("ana@example.ph",
                                                                               email="ana@example.ph",
                                                                               email_verified=True))]))
    ingest_batch(rt, other.id, Batch([InboundItem("e2", at(6), "unverified", author("x", email="ana@example.ph"))]))
    with rt.db.sessions() as s:
        owners = dict(s.execute(select(Identity.platform_user_id, Identity.member_id)).all())
    assert owners["ana-forum"] == owners["ana@example.ph"] != owners["x"]


def test_activities_are_deduplicated_and_linked(rt, src):
    ingest_batch(rt, src.id, thread_batch())
    acts = [InboundActivity("like-1", "reacted", at(50), author("ben"), message_platform_id="p1",
                            properties={"emoji": "❤️"})]
    assert ingest_batch(rt, src.id, Batch(activities=acts)).activities == 1
    assert ingest_batch(rt, src.id, Batch(activities=acts)).activities == 0
    with rt.db.sessions() as s:
        act = s.scalar(select(Activity).where(Activity.type == "reacted"))
        assert act.message_id is not None and act.properties["emoji"] == "❤️"


def test_a_failing_batch_leaves_nothing_and_keeps_the_old_cursor(rt, src, monkeypatch):
    import kapwa.ingest.pipeline as pipeline

    ingest_batch(rt, src.id, thread_batch("good"))

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "update_members", boom)
    with pytest.raises(RuntimeError):
        ingest_batch(rt, src.id, Batch([InboundItem("n1", at(99), "new", author("zed"))], cursor="bad"))
    assert count(rt, Message) == 3 and count(rt, Member) == 2
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).sync_cursor == "good"


def test_items_are_validated():
    with pytest.raises(ValueError, match="created_at"):
        InboundItem("x", dt.datetime(2026, 1, 1), "naive")
    with pytest.raises(ValueError, match="kind"):
        InboundItem("x", T0, "t", kind="tweet")


def test_unthreaded_chat_becomes_conversations_across_batches(rt, factory):
    chat = factory.source("discord", name="Bayani Discord")

    def say(n, who, text, minute):
        return InboundItem(f"c{n}", at(minute), text, author(who), channel="#help")

    ingest_batch(rt, chat.id, Batch([
        say(1, "ana", "Hi, pending pa rin yung cash-in ko from BPI since kahapon?", 0),
        say(2, "ben", "anyone else getting error 503 on the QR scanner?", 1),
        say(3, "mod", "ana: can you DM me the reference number of the cash-in?", 2),
    ]))
    ingest_batch(rt, chat.id, Batch([
        say(4, "ana", "mod: sent na po, salamat!", 3),
        say(5, "carl", "ben: yes same here, 503 din sa QR scanner ko", 4),
    ]))
    with rt.db.sessions() as s:
        conv_of = dict(s.execute(select(Message.platform_message_id, Message.conversation_id)).all())
    assert conv_of["c1"] == conv_of["c3"] == conv_of["c4"]
    assert conv_of["c2"] == conv_of["c5"] != conv_of["c1"]
