"""Conversation signals (kapwa/inbox/signals.py) and the readable priority (kapwa/inbox/priority.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kapwa.core.models import Conversation, utcnow
from kapwa.inbox import priority
from kapwa.inbox.desk import update_conversations
from kapwa.inbox.signals import refresh_conversations
from tests.inbox.inbox_world import thread


def conv(rt, c) -> Conversation:
    with rt.db.sessions() as s:
        return s.get(Conversation, c.id)


def test_signals_come_from_the_latest_analysed_inbound_message(rt, world):
    thanks = conv(rt, world.convs["thanks"])
    # The question was answered; the member's latest message is the thank-you, so that is what shows.
    assert (thanks.sentiment_label, thanks.intent, thanks.language) == ("positive", "praise", "en")
    assert thanks.needs_answer is False and thanks.last_outbound_at is not None
    angry = conv(rt, world.convs["angry"])
    assert (angry.sentiment_label, angry.intent, angry.language, angry.is_taglish) == (
        "negative", "complaint", "tl", False)
    assert angry.toxicity_score == pytest.approx(0.8) and angry.needs_answer is True
    assert angry.last_outbound_at is None
    cashin = conv(rt, world.convs["cashin"])
    assert cashin.is_taglish is True and cashin.intent == "question" and cashin.needs_answer is True
    assert conv(rt, world.convs["refund"]).needs_answer is False  # the team replied after the complaint
    assert conv(rt, world.convs["spam"]).needs_answer is False


def test_needs_answer_follows_the_conversation(rt, factory, world):
    src, member = world.sources["discord"], world.members["ana"]
    ident = factory.identity(member, src)
    other = factory.identity(world.members["jose"], src)
    q = {"language": "en", "sentiment_label": "neutral", "intent": "question", "needs_answer": True}
    chat = {"language": "en", "sentiment_label": "neutral", "intent": "other", "needs_answer": False}
    # A question and then more details from the same person: still waiting for the team.
    c = thread(factory, src, "Details follow", member, ident, [("How do I cash in?", 3, "inbound", q),
                                                                ("ref 12345 po", 2.9, "inbound", chat)])
    with rt.db.write_sessions() as s, s.begin():
        refresh_conversations(s, [c.id], utcnow())
    assert conv(rt, c).needs_answer is True
    # Another member answers after it: the latest message (the answer) does not need one.
    factory.message(c, "Try the 7-Eleven kiosk", identity=other, created_at=utcnow(), analyzed_at=utcnow(), **chat)
    # The toxicity is the worst so far, even when a later message is calm.
    factory.message(c, "ang tanga ng app", identity=ident, created_at=utcnow() - dt.timedelta(hours=2.5),
                    analyzed_at=utcnow(), toxicity_score=0.9, **chat)
    with rt.db.write_sessions() as s, s.begin():
        assert refresh_conversations(s, [c.id], utcnow()) == 1
        assert refresh_conversations(s, [c.id], utcnow()) == 0  # nothing changes twice
    got = conv(rt, c)
    assert got.needs_answer is False and got.toxicity_score == pytest.approx(0.9)
    # The original asker comes back with a new question, and the team's reply then ends the wait.
    factory.message(c, "Is there a fee?", identity=ident, created_at=utcnow(), analyzed_at=utcnow(), **q)
    update_conversations(rt, [c.id])
    assert conv(rt, c).needs_answer is True
    factory.message(c, "No fee po!", created_at=utcnow(), direction="outbound")
    update_conversations(rt, [c.id])
    assert conv(rt, c).needs_answer is False and conv(rt, c).last_outbound_at is not None


def test_refresh_is_set_based_over_many_conversations(rt, factory, world):
    src, member = world.sources["forum"], world.members["jose"]
    ident = factory.identity(member, src)
    q = {"language": "en", "sentiment_label": "negative", "intent": "question", "needs_answer": True}
    convs = [thread(factory, src, f"Q{i}", member, ident, [(f"question {i}?", 2, "inbound", q)]) for i in range(30)]
    with rt.db.write_sessions() as s, s.begin():
        assert refresh_conversations(s, [c.id for c in convs] * 2, utcnow()) == 30
    with rt.db.sessions() as s:
        rows = s.scalars(select(Conversation).where(Conversation.id.in_([c.id for c in convs]))).all()
    assert all(c.needs_answer and c.sentiment_label == "negative" for c in rows)


# ----------------------------------------------------------------------------------------------- priority


def test_priority_reasons_are_readable_and_add_up(rt, world):
    angry = conv(rt, world.convs["angry"])
    reasons = dict((label, points) for label, points in angry.priority_reasons)
    assert reasons == {"negative": 30, "toxic": 15, "waiting 5 h": 10, "VIP member": 20, "needs answer": 15,
                       "complaint": 10}
    assert angry.priority_score == 100
    assert [r[1] for r in angry.priority_reasons] == sorted((r[1] for r in angry.priority_reasons), reverse=True)
    cashin = conv(rt, world.convs["cashin"])
    assert dict(map(tuple, cashin.priority_reasons)) == {"question": 15, "waiting 1 h": 2}
    assert priority.reasons_summary(cashin.priority_reasons) == "question +15, waiting 1 h +2 = 17 points"
    # Closed work is not in the queue.
    for name in ("old", "spam"):
        c = conv(rt, world.convs[name])
        assert (c.priority_score, c.priority_reasons) == (0, [])


def test_priority_model_rules(rt, world):
    now = utcnow()
    base = conv(rt, world.convs["cashin"])

    def with_(**kw):
        row = conv(rt, world.convs["cashin"])
        for k, v in kw.items():
            setattr(row, k, v)
        return priority.score(row, kw.pop("vip", False), now)

    assert with_()[0] == base.priority_score
    # Waiting grows two points an hour, capped.
    assert dict(map(tuple, with_(first_message_at=now - dt.timedelta(hours=7))[1]))["waiting 7 h"] == 14
    assert dict(map(tuple, with_(first_message_at=now - dt.timedelta(days=4))[1]))["waiting 4 d"] == 40
    # Pending: the ball is in the member's court, no waiting.
    assert not any(r[0].startswith("waiting") for r in with_(status="pending")[1])
    # Service levels.
    assert ["SLA breached", 25] in with_(first_response_due_at=now - dt.timedelta(minutes=5))[1]
    assert ["SLA due soon", 10] in with_(first_response_due_at=now + dt.timedelta(minutes=30))[1]
    assert not any("SLA" in r[0] for r in with_(first_response_due_at=now + dt.timedelta(hours=3))[1])
    assert not any("SLA" in r[0] for r in with_(first_response_due_at=now - dt.timedelta(hours=1),
                                                first_response_at=now - dt.timedelta(hours=2))[1])
    # A direct message, a manual priority, a bug report.
    assert ["direct message", 10] in with_(is_direct=True)[1]
    assert ["marked urgent", 40] in with_(priority="urgent")[1]
    assert ["marked low", -10] in with_(priority="low")[1]
    assert ["bug report", 10] in with_(intent="bug_report")[1]


def test_inbox_is_sorted_by_priority(signed_in, world):
    client, _user, _csrf = signed_in()
    html = client.get("/inbox").text
    order = [html.index(t) for t in ("Nawala ang pera ko", "Paano mag cash in")]
    assert order == sorted(order)
    # Chips and the tooltip explain the points.
    assert "negative</li>" in html.replace('<span class="visually-hidden"> (+30)</span>', "")
    assert 'title="negative +30, VIP member +20, toxic +15' in html


def test_rescore_job_follows_waiting_time(rt, world):
    later = utcnow() + dt.timedelta(hours=3)
    assert priority.rescore_open(rt, now=later) >= 2
    angry = conv(rt, world.convs["angry"])
    assert ["waiting 8 h", 16] in angry.priority_reasons and angry.priority_score == 106
    from kapwa.core.jobs import PERIODIC, registered

    assert ("inbox.rescore_open", {"minute": "*/10"}) in PERIODIC
    assert registered()["inbox.rescore_open"](rt) >= 0


def test_demo_load_prepares_the_inbox(rt, factory):
    """`kapwa demo load` writes conversations directly; the CLI then runs the desk over every one of them and
    gives the chat sources a round-robin rotation."""
    from kapwa.cli import _update_desk
    from kapwa.core.models import Role, Source

    class Progress:
        def add_task(self, *a, **kw):
            return 1

        def update(self, *a, **kw):
            pass

    mod, manager = factory.user(Role.moderator), factory.user(Role.manager)
    factory.user(Role.analyst)
    discord, forum = factory.source("discord"), factory.source("discourse")
    member = factory.member(is_vip=True)
    q = {"language": "en", "sentiment_label": "negative", "intent": "question", "needs_answer": True}
    first = thread(factory, discord, "Help", member, factory.identity(member, discord), [("help?", 3, "inbound", q)])
    other = thread(factory, forum, "Help 2", member, factory.identity(member, forum), [("help?", 3, "inbound", q)])
    _update_desk(rt, Progress())
    got = conv(rt, first)
    assert got.needs_answer and got.sentiment_label == "negative" and got.priority_score > 0
    assert got.assignee_id == mod.id and conv(rt, other).assignee_id is None
    with rt.db.sessions() as s:
        assert s.get(Source, discord.id).auto_assign_user_ids == [mod.id, manager.id]
        assert s.get(Source, forum.id).auto_assign_user_ids == []
