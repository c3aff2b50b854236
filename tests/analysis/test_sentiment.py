"""Sentiment step: shipped artefact loads, clear EN/TL/Taglish examples, ranges, chain, determinism."""

import pytest

from kapwa.analysis import features as F
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
    assert SentimentStep.version.startswith(f"1-{F.FEATURES_VERSION}-") and "missing" not in SentimentStep.version


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


@pytest.mark.parametrize("text", [
    "Nasa Help > FAQs po yan, salamat!",
    "Pakicheck po yung Settings > Account, nandoon po yung option.",
    "Na-forward na po namin sa team, babalikan namin kayo.",
    "Sa app po, tap Profile tapos Edit para mapalitan yung email.",
    "Hello po, pwede po pa-send ng screenshot para ma-check namin?",
])
def test_taglish_support_replies_are_not_negative(text):
    assert _run([text])[0]["sentiment_label"] != "negative", text


@pytest.mark.parametrize("text", [
    "How do I reset my password?", "Where can I download the invoice?", "Is the event free for students?",
    "Please do NOT share your OTP with anyone", "What time does the support team reply on weekends?",
])
def test_english_help_desk_questions_and_notices_are_not_negative(text):
    assert _run([text])[0]["sentiment_label"] != "negative", text


@pytest.mark.parametrize("text", [
    "Maaari po bang malaman kung kailan darating ang aking refund?", "Magkano po ang bayad sa paglilipat ng pera?",
    "Saan po makikita ang resibo ng aking bayad?", "Mayroon po bang ibang paraan para magbayad?",
])
def test_formal_tagalog_questions_about_money_are_not_negative(text):
    assert _run([text])[0]["sentiment_label"] != "negative", text


def test_ranges_and_empty():
    for r in _run(["", "ok", "😀😀😀", "http://x.y @someone 123", "a" * 5000, "\x00 nul"]):
        assert -1.0 <= r["sentiment_score"] <= 1.0
        assert r["sentiment_label"] in {"negative", "neutral", "positive"}
    SentimentStep().run([], [])


def test_batch_equals_one_by_one():
    texts = ["Salamat po!", "Tangina mo, bobo", "Thanks for the help!", "", "Ang bagal ng app 😡 :("]
    together = _run(texts)
    assert together == [_run([t])[0] for t in texts]


def test_valence_lexicon_features_follow_negation_within_a_text_only():
    def valence(texts):
        return F._lexicon_features(F.token_codes(featurize(texts).flat))

    happy, not_happy, hindi = (valence([t]) for t in ("happy", "I am not happy", "hindi happy"))
    assert len(happy[1]) == 1 and happy[1][0] != not_happy[1][0]  # "not happy" leans the other way
    assert hindi[1][0] == not_happy[1][0]  # a Filipino negator flips it too
    doc, bucket = valence(["I will not", "happy"])
    assert bucket[doc == 1].tolist() == happy[1].tolist()  # the previous text's "not" does not
    assert len(valence(["the invoice is attached"])[1]) == 0


def test_features_do_not_depend_on_the_batch():
    texts = ["Salamat po!", "I <3 this &amp; that :) http://x.y @bob 12,000", "sooo gooood", "", "ñandú 😀",
             "I will not", "happy to help"]
    whole = featurize(texts)
    for i, t in enumerate(texts):
        one = featurize([t])
        assert sorted(one.bucket.tolist()) == sorted(whole.bucket[whole.doc == i].tolist())
        assert one.inv[0] == whole.inv[i]
    assert tokens("Sooo gooood po!!! :) @bob http://x.y 12,000 &amp; <3") == [
        "soo", "good", "!!!", ":)", "<user>", "<url>", "<num>", "&", "❤"]


def test_chain_and_determinism():
    texts = ["Salamat po!", "Tangina mo, bobo", "Thanks for the help!"]
    a = Chain(steps=[SentimentStep(), ToxicityStep()]).analyze(texts)
    F._last[:] = [None, None]
    b = Chain(steps=[SentimentStep(), ToxicityStep()]).analyze(texts)
    assert a == b
    assert set(a[0]["versions"]) == {"sentiment", "toxicity"}
    assert all({"sentiment_score", "sentiment_label", "toxicity_score", "toxicity_categories"} <= r.keys() for r in a)
