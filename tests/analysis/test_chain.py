"""The analysis chain: ordered steps, each recorded with its version, each able to fail alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kapwa.analysis.chain import Chain, analyze_messages
from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.models import Message
from kapwa.ingest.pipeline import ingest_batch


class Shouty:
    name, version, order = "shouty", "1.0", 10

    def run(self, texts, results):
        for text, r in zip(texts, results, strict=True):
            r["intent"] = "question" if text.endswith("?") else "other"
            r["needs_answer"] = text.endswith("?")


class Broken:
    name, version, order = "broken", "0.1", 20

    def run(self, texts, results):
        raise RuntimeError("model file missing")


class UsesEarlier:
    name, version, order = "later", "2.0", 30

    def run(self, texts, results):
        for r in results:
            r["keywords"] = ["question"] if r.get("intent") == "question" else []


def test_steps_run_in_order_and_a_failing_step_degrades_only_itself(caplog):
    chain = Chain(steps=[Shouty(), Broken(), UsesEarlier()])
    out = chain.analyze(["Paano mag-cash in?", "Salamat po!"])
    assert [r["intent"] for r in out] == ["question", "other"]
    assert out[0]["keywords"] == ["question"]  # a later step sees an earlier step's fields
    assert out[0]["versions"] == {"shouty": "1.0", "later": "2.0"}  # the broken step is not recorded
    assert chain.failures == {"broken": 1} and "model file missing" in caplog.text


def test_results_are_stored_on_messages_with_versions(rt, factory):
    conv = factory.conversation()
    m = factory.message(conv, text="Bakit pending pa rin?")
    assert analyze_messages(rt, [m.id], Chain(steps=[Shouty(), Broken()])) == 1
    with rt.db.sessions() as s:
        got = s.get(Message, m.id)
    assert got.intent == "question" and got.needs_answer is True
    assert got.analysis_versions == {"shouty": "1.0"} and got.analyzed_at is not None


def test_ingest_runs_the_analysis_hook_after_commit(rt, factory, monkeypatch):
    import kapwa.analysis.chain as chain_mod

    monkeypatch.setattr(chain_mod, "default_chain", lambda: Chain(steps=[Shouty()]))
    src = factory.source("discourse")
    when = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    ingest_batch(rt, src.id, Batch([InboundItem("q1", when, "May fee ba ang InstaPay?", InboundAuthor("u1"))]))
    with rt.db.sessions() as s:
        assert s.scalar(select(Message.intent)) == "question"


def test_re_analysis_keeps_what_a_person_corrected(rt, factory):
    from kapwa.core.actions import Actor
    from kapwa.core.models import Role
    from kapwa.inbox.corrections import do_correct_label

    conv = factory.conversation()
    m = factory.message(conv, text="Is this a question?")
    analyze_messages(rt, [m.id], Chain(steps=[Shouty()]))
    mod = factory.user(Role.moderator)
    do_correct_label(rt, Actor(workspace_id=mod.workspace_id, user_id=mod.id, role=mod.role_enum), m.id,
                     "intent", "complaint")
    analyze_messages(rt, [m.id], Chain(steps=[Shouty()]))
    with rt.db.sessions() as s:
        got = s.get(Message, m.id)
    assert got.intent == "complaint" and got.needs_answer is True  # corrected field kept, others refreshed


def test_the_nightly_job_re_analyses_only_stale_messages(rt, factory, monkeypatch):
    import kapwa.analysis.chain as chain_mod
    from kapwa.core.builtin_jobs import reanalyze_stale

    conv = factory.conversation()
    a = factory.message(conv, text="Old model?")
    b = factory.message(conv, text="Fresh already")
    chain = Chain(steps=[Shouty()])
    analyze_messages(rt, [b.id], chain)
    monkeypatch.setattr(chain_mod, "default_chain", lambda: chain)
    assert reanalyze_stale(rt) == 1  # only a; b already carries the current versions
    with rt.db.sessions() as s:
        assert s.get(Message, a.id).intent == "question"
