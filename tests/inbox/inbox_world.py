"""A small community for the inbox tests: threads with analysed messages, brought up to date by the desk hook
exactly as after a real ingest (signals, service levels, priority, auto-assignment)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from kapwa.core.models import Conversation, Role, Tag, utcnow
from kapwa.inbox.desk import update_conversations

HOUR = dt.timedelta(hours=1)


def thread(factory, source, title, member, identity, messages, **conv):
    """messages: [(text, hours_ago, direction, analysis dict)], oldest first."""
    now = utcnow()
    times = [now - dt.timedelta(hours=h) for _, h, _, _ in messages]
    inbound = [t for t, (_, _, d, _) in zip(times, messages, strict=True) if d == "inbound"]
    c = factory.conversation(source, title=title, started_by_member_id=member.id if member else None,
                             message_count=len(messages), first_message_at=times[0], last_message_at=times[-1],
                             last_inbound_at=max(inbound) if inbound else None, **conv)
    for (text, _, direction, analysis), at in zip(messages, times, strict=True):
        extra = dict(analysis)
        if direction == "inbound" and analysis:
            extra.setdefault("analyzed_at", now)
        factory.message(c, text, identity=identity if direction == "inbound" else None, created_at=at,
                        direction=direction, **extra)
    return c


def tag(rt, conv, name):
    with rt.db.write_sessions() as s, s.begin():
        c = s.get(Conversation, conv.id)
        t = s.scalar(select(Tag).where(Tag.workspace_id == c.workspace_id, Tag.name == name))
        if t is None:
            t = Tag(workspace_id=c.workspace_id, name=name)
            s.add(t)
        c.tags.append(t)


def neg(**kw):
    return {"language": "tl", "is_taglish": False, "sentiment_label": "negative", "sentiment_score": -0.7,
            "toxicity_score": 0.1, "intent": "complaint", "needs_answer": True, **kw}


@dataclass
class World:
    sources: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    convs: dict = field(default_factory=dict)

    def ids(self, *names):
        return {self.convs[n].id for n in names}


def build(factory, rt) -> World:
    w = World()
    w.sources = {"discord": factory.source("discord", name="Bayani Discord"),
                 "forum": factory.source("discourse", name="Bayani Forum")}
    w.members = {"maria": factory.member("Maria Clara", is_vip=True),
                 "jose": factory.member("Jose Rizal", segment="champion", level=1),
                 "ana": factory.member("Ana Cruz", level=3)}
    ident = {(m, s): factory.identity(w.members[m], w.sources[s]) for m in w.members for s in w.sources}
    w.users = {"owner": factory.user(Role.owner, name="Olivia Owner"),
               "manager": factory.user(Role.manager, name="Marco Manager"),
               "mod": factory.user(Role.moderator, name="Dina Moderator"),
               "analyst": factory.user(Role.analyst, name="Andy Analyst")}
    d, f = w.sources["discord"], w.sources["forum"]
    w.convs["angry"] = thread(factory, d, "Nawala ang pera ko", w.members["maria"], ident["maria", "discord"], [
        ("Nawala ang pera ko, scam ba ito?!", 5.2, "inbound", neg(toxicity_score=0.8))])
    w.convs["cashin"] = thread(factory, f, "Paano mag cash in", w.members["jose"], ident["jose", "forum"], [
        ("Paano po mag cash in using my card?", 1.5, "inbound",
         {"language": "tl", "is_taglish": True, "sentiment_label": "neutral", "sentiment_score": 0.0,
          "toxicity_score": 0.05, "intent": "question", "needs_answer": True})])
    w.convs["thanks"] = thread(factory, d, "Salamat sa update", w.members["ana"], ident["ana", "discord"], [
        ("Is the app down?", 30, "inbound", {"language": "en", "is_taglish": False, "sentiment_label": "neutral",
                                             "intent": "question", "needs_answer": True}),
        ("It is back now, sorry!", 29, "outbound", {}),
        ("Thank you, it works now!", 28, "inbound", {"language": "en", "is_taglish": False,
                                                     "sentiment_label": "positive", "sentiment_score": 0.8,
                                                     "intent": "praise", "needs_answer": False})], status="open")
    w.convs["refund"] = thread(factory, f, "Refund please", w.members["ana"], ident["ana", "forum"], [
        ("I want a refund, this is broken", 50, "inbound", neg(language="en")),
        ("We sent the refund, please confirm", 48, "outbound", {})],
        status="pending", assignee_id=w.users["mod"].id)
    w.convs["old"] = thread(factory, d, "Old question", w.members["jose"], ident["jose", "discord"], [
        ("How do I verify my account?", 24 * 10, "inbound",
         {"language": "en", "is_taglish": False, "sentiment_label": "neutral", "intent": "question",
          "needs_answer": True})], status="resolved")
    w.convs["spam"] = thread(factory, d, "Free load promo", None, None, [
        ("FREE LOAD click here", 3, "inbound", {"language": "en", "intent": "spam", "needs_answer": False,
                                                "sentiment_label": "positive"})], status="spam")
    tag(rt, w.convs["cashin"], "cash-in")
    tag(rt, w.convs["angry"], "refund")
    update_conversations(rt, [c.id for c in w.convs.values()])
    return w
