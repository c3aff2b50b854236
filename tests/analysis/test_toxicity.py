"""Toxicity step: artefact, clear examples, categories, ranges."""

from kapwa.analysis.features import load_model
from kapwa.analysis.toxicity import ToxicityStep


def _run(texts):
    res = [{} for _ in texts]
    ToxicityStep().run(texts, res)
    return res


def test_artefact_loads():
    assert load_model("toxicity").classes == ["toxic", "hate"]
    assert ToxicityStep.version.startswith("1-f")


def test_tagalog_profanity_insult():
    r = _run(["Tangina mo, bobo"])[0]
    assert r["toxicity_score"] >= 0.5
    assert {"profanity", "insult"} <= set(r["toxicity_categories"])


def test_benign_not_toxic():
    for text in ["Thanks for the help!", "Salamat po, ang bilis ng refund!", "Hi po, may tanong lang po ako",
                 "Ang bagal ng app, nawala pa yung pera ko"]:
        r = _run([text])[0]
        assert r["toxicity_score"] < 0.5, text
        assert r["toxicity_categories"] == [], text


def test_threats():
    for text in ["Papatayin kita", "I will kill you"]:
        r = _run([text])[0]
        assert "threat" in r["toxicity_categories"] and r["toxicity_score"] >= 0.5


def test_ranges_and_types():
    for r in _run(["", "!!!", "You are an idiot", "fuuuuck this", "a" * 3000]):
        assert 0.0 <= r["toxicity_score"] <= 1.0
        assert isinstance(r["toxicity_categories"], list)


def test_help_desk_notices_and_complaints_are_not_toxic():
    """Community traffic: a safety notice in capitals and an angry complaint about the service are not
    abuse (none of these sentences is in the training seed sets)."""
    for text in ["Please do NOT share your OTP with anyone", "NEVER send your card number in a DM",
                 "Grabe ang bagal ng cash-in, nakakainis!", "I'm so angry right now, the service is awful",
                 "Bakit ang tagal ng refund ko? Isang linggo na!"]:
        r = _run([text])[0]
        assert r["toxicity_score"] < 0.5, text
        assert r["toxicity_categories"] == [], text


def test_abuse_aimed_at_the_team_is_toxic():
    for text in ["You are an idiot and everyone hates you", "Ang tanga ng support niyo, mga inutil"]:
        r = _run([text])[0]
        assert r["toxicity_score"] >= 0.5 and "insult" in r["toxicity_categories"], text


def test_a_lone_model_call_needs_confidence_to_flag():
    """With no category to explain it, the toxic head's probability is rescaled: only ≥ SURE reaches the 0.5
    flag line, the order of scores is kept, and 0 and 1 stay put."""
    import numpy as np

    from kapwa.analysis.toxicity import SURE, THRESHOLD, unsupported

    p = np.linspace(0.0, 1.0, 101)
    q = unsupported(p)
    assert np.all(np.diff(q) > 0) and q[0] == 0.0 and q[-1] == 1.0
    assert unsupported(np.array([SURE]))[0] == THRESHOLD
    assert np.all(q[p < SURE] < THRESHOLD) and np.all(q[p >= SURE] >= THRESHOLD)
    # a categorised text keeps its lexicon floor and categories
    r = _run(["Ang tanga mo talaga"])[0]
    assert r["toxicity_score"] >= 0.7 and "insult" in r["toxicity_categories"]
