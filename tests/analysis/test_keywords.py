"""KeywordStep: up to 5 lowercased keywords / keyphrases, stopwords in English and Tagalog removed."""

from __future__ import annotations

from kapwa.analysis.keywords import KeywordStep, extract
from kapwa.analysis.lexicon_tl import STOPWORDS


def test_taglish_product_terms_kept():
    kws = extract("Hi po, bakit pending pa rin yung cash-in ko since kahapon?")
    assert "cash-in" in kws and "pending" in kws
    assert not {"po", "bakit", "yung", "ko", "since", "pa", "rin"} & set(kws)


def test_normalised_phrases_and_prefix_stripping():
    assert "cash-in" in extract("Paano mag-cash in gamit ang InstaPay?")
    assert "instapay" in extract("Paano mag-cash in gamit ang InstaPay?")
    kws = extract("Hindi gumagana yung QR Ph sa 7-Eleven, nag-crash yung app")
    assert {"qr ph", "7-eleven", "crash", "app"} <= set(kws)
    assert extract("Sana may dark mode") == ["dark mode"]
    assert extract("Thank you po, na-resolve na!") == ["resolve"]


def test_english_bigrams_and_error_codes():
    kws = extract("App crashes when I scan QR, error 503")
    assert "error 503" in kws and "qr" in kws
    assert len(kws) <= 5


def test_limits_lowercase_and_noise():
    text = ("The new update is great, I love the faster bank transfer and the cleaner send money screen. "
            "Check https://example.com/promo or mail juan@gmail.com")
    kws = extract(text)
    assert 1 <= len(kws) <= 5
    assert all(k == k.lower() for k in kws)
    assert {"bank transfer", "send money"} <= set(kws)
    assert not any("http" in k or "@" in k or "gmail" in k for k in kws)
    assert not set(kws) & STOPWORDS


def test_empty_and_stopword_only():
    assert extract("") == []
    assert extract("ok po salamat") == []


def test_step():
    results = [{}, {}]
    KeywordStep().run(["Grabe ang bagal ng delivery, super disappointed ako", ""], results)
    assert set(results[0]["keywords"]) == {"bagal", "delivery", "disappointed"}
    assert results[1]["keywords"] == []
    assert KeywordStep.order == 60


def test_batch_equals_one_by_one():
    from kapwa.analysis.keywords import extract_batch

    texts = ["Paano mag-cash in gamit ang InstaPay?", "", "App crashes when I scan QR, error 503",
             "error\x00 503 \x01cash in\x01", "Sana may dark mode", "ok po salamat", "bills payment via e-wallet"]
    assert extract_batch(texts) == [extract(t) for t in texts]
    assert extract_batch([]) == []


def test_distinct_word_shortcut_matches_general_scoring(monkeypatch):
    from kapwa.analysis import keywords as K

    texts = ["slow login after the update, otp never arrives", "send_money failed again and again", "a b c",
             "crash crash crash on startup", "qr ph payment, then bills payment; error 503", "one two. three four",
             "refund refund please", "gcash", "screen freezes when scanning receipts today"]
    fast = {limit: K.extract_batch(texts, limit) for limit in (0, 1, 2, 5, 9)}
    # a PRODUCT_TERMS that never looks disjoint turns the shortcut off: the general scoring must agree
    no_shortcut = type("NoShortcut", (frozenset,), {"isdisjoint": lambda self, other: False})
    monkeypatch.setattr(K, "PRODUCT_TERMS", no_shortcut(K.PRODUCT_TERMS))
    assert {limit: K.extract_batch(texts, limit) for limit in fast} == fast
