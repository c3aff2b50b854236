"""IntentStep rules, plus the chain over only this engineer's steps and `kapwa analyze --stdin`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kapwa.analysis.chain import Chain
from kapwa.analysis.intent import IntentStep, classify
from kapwa.analysis.keywords import KeywordStep
from kapwa.analysis.language import LanguageStep
from kapwa.analysis.pii import PiiStep

RULES = [
    # questions
    ("Hi po, bakit pending pa rin yung cash-in ko since kahapon?", "question", True),
    ("How do I link my BPI account?", "question", True),
    ("Pwede po ba mag-cash in sa 7-Eleven?", "question", True),
    ("Anyone know if InstaPay works on weekends", "question", True),
    ("Patulong po, di ko alam saan makikita yung QR ko", "question", True),
    # complaints
    ("Grabe ang bagal ng delivery, super disappointed ako", "complaint", False),
    ("Worst app ever. Never again.", "complaint", False),
    ("Bakit ganito?! Ang pangit ng update", "complaint", False),  # rhetorical
    ("Nawala yung ₱2,000 ko after mag-send, paki-check naman po", "complaint", True),
    ("Double charged ako sa bills payment, pa-refund po", "complaint", True),
    ("I was double charged, this is unacceptable", "complaint", True),
    ("Hindi gumagana yung QR Ph, paano po ito?", "complaint", True),
    # praise
    ("Thank you po, na-resolve na!", "praise", False),
    ("Salamat po sa mabilis na tulong ninyo, ang galing! 👏", "praise", False),
    ("Love the new design ❤️", "praise", False),
    ("Ang bilis ng refund ko, salamat!", "praise", False),  # praise outweighs the complaint cue
    # feature requests
    ("Sana may dark mode", "feature_request", False),
    ("Pwede bang magdagdag ng dark mode sa app?", "feature_request", False),
    ("Please add an option to export transactions", "feature_request", False),
    ("It would be nice to have a savings goal feature", "feature_request", False),
    # bug reports
    ("App crashes when I scan QR, error 503", "bug_report", True),
    ("Ayaw mag-load ng app since morning", "bug_report", True),
    ("Nag-crash na naman yung app pag nag-open ako ng history", "bug_report", True),
    ("Sana ma-fix niyo agad yung bug sa QR scanner", "bug_report", True),  # bug before feature request
    # spam
    ("Earn ₱5,000 daily! DM me on telegram", "spam", False),
    ("Legit investment! 10% daily profit, message me sa whatsapp", "spam", False),
    ("Crypto giveaway, join now https://t.me/freebtc", "spam", False),
    # an exclamation is not a question, unless it asks one
    ("What a mess this update is.", "other", False),
    ("What an update, wow", "other", False),
    ("What a mess. Is there a fix coming?", "question", True),
    # other
    ("Good morning everyone", "other", False),
    ("", "other", False),
]


@pytest.mark.parametrize(("text", "intent", "needs_answer"), RULES)
def test_rules(text, intent, needs_answer):
    assert classify(text) == (intent, needs_answer)


def test_not_spam_without_contact():
    assert classify("Can I invest through Bayani Pay?") == ("question", True)
    assert classify("Sino may telegram group dito for sellers?")[0] == "question"


def test_sentiment_breaks_praise_complaint_tie():
    text = "Thank you po, pero ang bagal pa rin"
    assert classify(text)[0] == "complaint"
    assert classify(text, "negative")[0] == "complaint"
    assert classify(text, "positive")[0] == "praise"  # one praise cue, one complaint cue: sentiment decides
    assert classify("Ang bilis ng refund, salamat!", "negative")[0] == "complaint"


def test_step_uses_sentiment_when_present_and_works_without():
    results = [{"sentiment_label": "negative"}, {}]
    IntentStep().run(["Ang bilis ng refund, salamat!", "Ang bilis ng refund, salamat!"], results)
    assert results[0]["intent"] == "complaint" and results[1]["intent"] == "praise"
    assert IntentStep.order == 40


class Boom:
    name = "boom"
    version = "0"
    order = 20

    def run(self, texts, results):
        raise RuntimeError("boom")


EXAMPLES = [
    "Hi po, bakit pending pa rin yung cash-in ko since kahapon?",
    "Grabe ang bagal ng delivery, super disappointed ako",
    "Thank you po, na-resolve na!",
    "Sana may dark mode",
    "App crashes when I scan QR, error 503",
    "Earn ₱5,000 daily! DM me on telegram 09171234567",
]


def test_chain_runs_all_steps_and_survives_a_failing_one():
    chain = Chain(steps=[LanguageStep(), Boom(), IntentStep(), PiiStep(), KeywordStep()])
    results = chain.analyze(EXAMPLES)
    assert chain.failures == {"boom": 1}
    assert [r["intent"] for r in results] == [
        "question", "complaint", "praise", "feature_request", "bug_report", "spam"]
    assert [r["language"] for r in results][:2] == ["tl", "tl"]
    assert results[0]["is_taglish"] is True and results[4]["is_taglish"] is False
    assert results[5]["pii"] == [{"type": "phone", "start": 37, "end": 48}]
    assert "cash-in" in results[0]["keywords"]
    for r in results:
        assert r["versions"] == {"language": LanguageStep.version, "intent": IntentStep.version,
                                 "pii": PiiStep.version, "keywords": KeywordStep.version}


def test_cli_analyze_stdin():
    proc = subprocess.run([sys.executable, "-m", "kapwa.cli", "analyze", "--stdin"],
                          input="\n".join(EXAMPLES) + "\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["text"] for row in rows] == EXAMPLES
    for row in rows:
        assert {"language", "taglish", "intent", "needs_answer", "sentiment_label", "toxicity_score"} <= set(row)
    assert rows[0]["language"] == "tl" and rows[0]["taglish"] is True
    assert rows[0]["intent"] == "question" and rows[0]["needs_answer"] is True
    assert rows[5]["intent"] == "spam" and rows[5]["needs_answer"] is False


def test_hoping_for_an_answer_is_not_a_feature_request():
    from kapwa.analysis.intent import IntentStep

    results = [{}, {}]
    IntentStep().run(["Same question din po, sana may sumagot.", "Sana may dark mode na sa app"], results)
    assert results[0]["intent"] != "feature_request" and results[1]["intent"] == "feature_request"


GATE_CASES = [
    "Earn ₱500/day, message me", "earn p500 daily sa bahay", "PHP1,000 kada araw!", "doublecharged ako",
    "nag-e-error yung app", "nagha-hang pa rin", "hindi mag-log in", "Ayaw mag-load", "it'd be great to have this",
    "Pwede po bang magdagdag ng export?", "nakaka-badtrip na", "Walang sumasagot sa hotline", "na-hack ako",
    "Never again!!!", "The app won't open", "code: 503", "keeps crashing", "is there a fee?", "may alam ba kayo",
    "Pa-help naman", "ty po 👍", "❤️❤️", "limited slots only, click here", "work from home, guaranteed income",
    "Legit paying app, libreng pera", "online sabong dito", "bit.ly/xyz crypto giveaway",
]


@pytest.mark.parametrize("text", GATE_CASES + [case[0] for case in RULES])
def test_gates_never_change_the_answer(text):
    for label in (None, "positive", "negative"):
        assert classify(text, label) == classify(text, label, gated=False), text


def test_step_equals_one_by_one():
    texts = GATE_CASES + EXAMPLES + ["", "  ", "a\x00b?"]
    results = [{} for _ in texts]
    IntentStep().run(texts, results)
    assert [(r["intent"], r["needs_answer"]) for r in results] == [classify(t) for t in texts]


def test_step_gates_from_shared_words_equal_gates():
    from kapwa.analysis import intent as I

    texts = ["Nag-crash yung app, don’t know why", "  EARN ₱500 daily!! DM me", "a\x00b paano?", "",
             "ΟΔΟΣ salamat 👍", "won't load", "naka-stuck po"]
    lows = [t.strip().lower() for t in texts]
    assert I._batch_gates_words(texts, lows) == [I.gates(t) for t in lows] == I.batch_gates(lows)
