"""Suggested answers: a question like one answered before gets that answer first (with who answered where),
an unrelated one gets none, another workspace's answers never show, and saved answers join in."""

from __future__ import annotations

import datetime as dt

import pytest

from kapwa.core.models import Role, SavedReply, utcnow
from kapwa.inbox import suggest_queries as q
from kapwa.inbox.suggest import clean_answer, question_of, suggest_answers
from tests.support.factories import Factory

DAY = dt.timedelta(days=1)


class World:
    def __init__(self, factory: Factory, rt):
        self.f, self.rt = factory, rt
        self.src = factory.source("discourse", name="Bayani forum")
        self.ana = factory.user(Role.moderator, name="Ana Cruz")

    def person(self, name):
        member = self.f.member(name)
        return member, self.f.identity(member, self.src)

    def thread(self, title, question, answers=(), *, asker="Liza Ramos", status="resolved", ago=21,
               intent="question"):
        """A conversation: ``question`` by ``asker``, then ``answers`` — (text, "team" | member name[, extra])."""
        member, ident = self.person(asker)
        start = utcnow() - ago * DAY
        conv = self.f.conversation(self.src, title=title, status=status, started_by_member_id=member.id,
                                   message_count=1 + len(answers), last_message_at=start)
        self.f.message(conv, text=question, identity=ident, created_at=start, intent=intent, needs_answer=True,
                       language="en")
        for i, answer in enumerate(answers):
            text, who, *extra = answer
            kw = dict(extra[0]) if extra else {}
            at = start + dt.timedelta(hours=i + 1)
            if who == "team":
                self.f.message(conv, text=text, direction="outbound", sent_by_user_id=self.ana.id, created_at=at, **kw)
            else:
                self.f.message(conv, text=text, identity=self.person(who)[1], created_at=at, **kw)
        return conv

    def suggestions(self, conv, **kw):
        with self.rt.db.sessions() as s:
            c = s.get(type(conv), conv.id)
            return suggest_answers(s, c, agent=self.ana, **kw)


@pytest.fixture
def world(factory, rt):
    w = World(factory, rt)
    w.cashin = w.thread("GCash cash-in pending", "How long does an InstaPay cash-in from BPI take to arrive in my wallet?",
                        [("Hi Liza! InstaPay cash-ins from BPI usually arrive in your wallet within minutes. If it "
                          "takes longer than an hour, send us the reference number and we'll trace it.", "team"),
                         ("Same here, I also want to know!!", "Jun Reyes")])
    w.kyc = w.thread("Selfie keeps failing", "My selfie verification keeps failing, what should I do?",
                     [("Use good lighting, remove glasses and keep your whole face inside the oval, that fixed my "
                       "selfie verification.", "Tita Mary", {"raw": {"score": 40}})], ago=10)
    w.fee = w.thread("ATM fee", "Is there a fee for ATM withdrawals with the Bayani Pay card?",
                     [("ATM withdrawals with the card cost ₱18 at BancNet ATMs.", "team")], ago=5)
    return w


def test_a_similar_question_gets_the_past_answer_first(world):
    new = world.thread("Cash-in not in wallet", "How long does a cash-in from BPI via InstaPay take? Not in my wallet yet.",
                       asker="Maria Santos", status="new", ago=0)
    result = world.suggestions(new)
    assert result.question is not None and result.items
    first = result.items[0]
    assert first.kind == "past_answer" and first.conversation_id == world.cashin.id and first.by_team
    # The old greeting is for Liza; the suggestion greets Maria.
    assert first.text.startswith("Hi Maria! InstaPay cash-ins from BPI usually arrive")
    assert first.source.startswith("answered by Ana Cruz in “GCash cash-in pending”") and "ago" in first.source
    assert 0.3 <= first.score <= 1 and first.resolved
    # A member's "me too" is never suggested; the other topics don't match.
    assert all("Same here" not in s.text for s in result.items)
    assert all(s.conversation_id not in (world.kyc.id, world.fee.id) for s in result.items)


def test_community_answers_count_and_the_conversation_itself_is_left_out(world):
    new = world.thread("Selfie verification failed", "Selfie verification failed again, what should I do?",
                       asker="Maria Santos", status="open", ago=0)
    items = world.suggestions(new).items
    assert items and items[0].conversation_id == world.kyc.id and not items[0].by_team
    assert items[0].author == "Tita Mary" and "good lighting" in items[0].text
    assert all(s.conversation_id != new.id for s in world.suggestions(world.kyc).items)


def test_an_unrelated_question_gets_none(world):
    new = world.thread("Dark mode?", "Can I change the colour theme of the app to something darker?",
                       asker="Maria Santos", status="new", ago=0)
    result = world.suggestions(new)
    assert result.question is not None and result.items == []


def test_no_question_no_suggestions(world):
    new = world.thread("Thanks!", "Thanks, the cash-in from BPI arrived in my wallet!", asker="Maria Santos",
                       status="new", ago=0, intent="praise")
    new_msgs = None
    with world.rt.db.sessions() as s:
        new_msgs = q.conversation_messages(s, new.id)
        new_msgs[-1].needs_answer = False
        assert question_of(new_msgs) == (None, "")
        assert suggest_answers(s, s.get(type(new), new.id), new_msgs).items == []


def test_toxic_answers_are_never_suggested(world):
    world.thread("Cash-in delay", "How long does an InstaPay cash-in from BPI take to reach my wallet?",
                 [("Are you stupid? InstaPay cash-in from BPI arrives in your wallet within minutes, read the FAQ.",
                   "Rude Member"),
                  ("InstaPay cash-in from BPI to the wallet takes minutes, you clown.", "Other Rude",
                   {"toxicity_score": 0.92})], ago=2)
    new = world.thread("BPI cash-in", "How long does cash-in from BPI by InstaPay take to arrive in the wallet?",
                       asker="Maria Santos", status="new", ago=0)
    texts = [s.text for s in world.suggestions(new).items]
    assert texts and not any("stupid" in t or "clown" in t for t in texts)


def test_another_workspace_is_never_suggested(world, rt):
    other = World(Factory(rt), rt)
    other.thread("Cash-in", "How long does an InstaPay cash-in from BPI take to arrive in my wallet?",
                 [("SECRET other-workspace answer: InstaPay cash-ins from BPI arrive within minutes in the wallet.",
                   "team")])
    new = world.thread("Cash-in not in wallet", "How long does an InstaPay cash-in from BPI take to arrive?",
                       asker="Maria Santos", status="new", ago=0)
    assert all("SECRET" not in s.text for s in world.suggestions(new).items)
    # and the other workspace's own question does not see this one's answers
    asked = other.thread("Cash-in?", "How long does an InstaPay cash-in from BPI take?", asker="Other Asker",
                         status="new", ago=0)
    assert [s.text[:6] for s in other.suggestions(asked).items] == ["SECRET"]


def test_saved_answers_appear_with_their_name(world, rt, factory):
    with rt.db.write_sessions() as s, s.begin():
        s.add_all([
            SavedReply(workspace_id=factory.workspace_id, name="ATM withdrawal fee", language="en",
                       body="Hi {member_first_name}! ATM withdrawals with the Bayani Pay card cost ₱18 at BancNet ATMs. "
                            "— {agent_name}", is_answer=True),
            SavedReply(workspace_id=factory.workspace_id, name="ATM internal note", language="en",
                       body="ATM withdrawal fee card escalation checklist", is_answer=False),
        ])
    new = world.thread("Card fee", "How much is the ATM withdrawal fee for the Bayani Pay card?",
                       asker="Maria Santos", status="new", ago=0)
    items = world.suggestions(new).items
    saved = [s for s in items if s.kind == "saved_reply"]
    assert len(saved) == 1 and saved[0].source == "Saved reply: ATM withdrawal fee"
    assert saved[0].text == "Hi Maria! ATM withdrawals with the Bayani Pay card cost ₱18 at BancNet ATMs. — Ana Cruz"
    assert any(s.conversation_id == world.fee.id for s in items)  # the past answer is there too
    assert len(items) <= 3


def test_clean_answer_drops_greetings_mentions_and_signatures():
    assert clean_answer("Hi Liza,\n\nIpon earns 4% p.a.\n\nKind regards,\nBea\nBayani Pay Support", "Maria Santos") \
        == "Hi Maria! Ipon earns 4% p.a."
    assert clean_answer("@kuya@hachyderm.io Salamat po! Ipaparating namin sa team", None) == \
        "Salamat po! Ipaparating namin sa team"
    assert clean_answer("Hello po, Mary Grace! Na-reverse na po.", "juan_99") == "Na-reverse na po."
    assert clean_answer("Hi po! Good news po: naibalik na.", "Maria Santos") == "Hi Maria! Good news po: naibalik na."


def test_fts_terms_skip_stopwords_and_numbers():
    assert q.fts_terms("Paano po mag-cash in galing BPI? 500 pesos po") == ["cash", "galing", "bpi", "pesos"]
