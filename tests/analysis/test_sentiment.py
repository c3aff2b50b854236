"""Sentiment step: shipped artefact loads, clear EN/TL/Taglish examples, ranges, chain, determinism."""

import pytest

from kapwa.analysis.chain import Chain
from kapwa.analysis.features import featurize, load_model, tokens
from kapwa.analysis.sentiment import SentimentStep
from kapwa.analysis.toxicity import ToxicityStep


def _run(texts):
    res = [{} for _ in texts]
    SentimentStep().run(texts, res)
    return res


def test_artefact_loads():
    m = load_model("sentiment")
    assert m.classes == ["negative", "neutral", "positive"]
    assert SentimentStep.version.startswith("1-f1-") and "missing" not in SentimentStep.version


@pytest.mark.parametrize(("text", "label"), [
    ("Salamat po, ang bilis ng refund!", "positive"),
    ("Ang bagal ng app, nawala pa yung pera ko", "negative"),
    ("I love this community, thank you all!", "positive"),
    ("This update is terrible, nothing works", "negative"),
    ("Grabe ang bagal ng delivery, super disappointed ako", "negative"),
])
def test_clear_labels(text, label):
    assert _run([text])[0]["sentiment_label"] == label


def test_po_is_polite_not_negative():
    r = _run(["Hi po, may tanong lang po ako"])[0]
    assert r["sentiment_label"] != "negative"
    assert "po" not in tokens("Opo, salamat po")


def test_ranges_and_empty():
    for r in _run(["", "ok", "😀😀😀", "http://x.y @someone 123", "a" * 5000]):
        assert -1.0 <= r["sentiment_score"] <= 1.0
        assert r["sentiment_label"] in {"negative", "neutral", "positive"}


def test_chain_and_determinism():
    texts = ["Salamat po!", "Tangina mo, bobo", "Thanks for the help!"]
    a = Chain(steps=[SentimentStep(), ToxicityStep()]).analyze(texts)
    featurize.cache_clear()
    b = Chain(steps=[SentimentStep(), ToxicityStep()]).analyze(texts)
    assert a == b
    assert set(a[0]["versions"]) == {"sentiment", "toxicity"}
    assert all({"sentiment_score", "sentiment_label", "toxicity_score", "toxicity_categories"} <= r.keys() for r in a)
