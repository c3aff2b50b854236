"""LanguageStep: lingua + function-word Taglish check."""

from __future__ import annotations

import pytest

from kapwa.analysis.base import Step
from kapwa.analysis.language import LanguageStep


def analyse(*texts: str) -> list[dict]:
    results: list[dict] = [{} for _ in texts]
    LanguageStep().run(list(texts), results)
    return results


def one(text: str) -> tuple[str, bool]:
    r = analyse(text)[0]
    return r["language"], r["is_taglish"]


def test_step_protocol():
    step = LanguageStep()
    assert isinstance(step, Step)
    assert step.name == "language" and step.order == 10 and step.version.startswith("lingua-")


@pytest.mark.parametrize("text", [
    "The new update is great, love the faster transfers",
    "Can someone help me? My account got locked after I changed my phone",
    "App crashes when I scan QR, error 503",
])
def test_english(text):
    assert one(text) == ("en", False)


@pytest.mark.parametrize("text", [
    "Salamat po sa mabilis na tulong ninyo, ang galing!",
    "Ang ganda ng bagong update, mas mabilis na ngayon",
    "Hindi ko po matanggap yung OTP, ilang beses na akong nag-try",
    "Pwede bang magdagdag ng dark mode sa app?",
])
def test_filipino_not_taglish(text):
    assert one(text) == ("tl", False)


@pytest.mark.parametrize("text", [
    "Hi po, bakit pending pa rin yung cash-in ko since kahapon?",
    "Grabe ang bagal ng delivery, super disappointed ako",  # lingua alone says English
    "Paano mag-cash in gamit ang InstaPay?",
    "Sana ma-fix niyo agad yung bug sa QR scanner",
])
def test_taglish_is_flagged_and_tagalog_majority(text):
    assert one(text) == ("tl", True)


def test_taglish_english_majority():
    lang, taglish = one("I tried to cash in three times already pero hindi pa rin pumapasok, what should I do?")
    assert taglish is True
    assert lang in ("en", "tl")


@pytest.mark.parametrize("text", ["ok", "Salamat po!", "thanks!!", "   ", "", "😂😂😂", "₱5,000 09171234567"])
def test_too_short_is_unknown(text):
    assert one(text) == ("unknown", False)


def test_other_languages():
    assert one("¿Dónde puedo cambiar mi contraseña de la cuenta?")[0] == "es"
    assert one("Saya tidak bisa login ke aplikasi sejak kemarin")[0] == "id"


def test_batch_keeps_order_and_mixes_short_and_long():
    texts = ["ok", "The new update is great, love the faster transfers", "",
             "Salamat po sa mabilis na tulong ninyo, ang galing!"]
    assert [r["language"] for r in analyse(*texts)] == ["unknown", "en", "unknown", "tl"]


def test_batch_equals_one_by_one_and_separator_in_text():
    texts = ["The new update is great, love the faster transfers", "ok", "Salamat po sa mabilis na tulong ninyo!",
             "Grabe ang bagal ng delivery, super disappointed ako", "Saya tidak bisa login ke aplikasi sejak kemarin",
             "a\x00b the new update is great", "Nice, thanks for sharing the link!", "Sayang, hindi ko napansin ang post"]
    together = analyse(*texts)
    assert together == [analyse(t)[0] for t in texts]
    assert together[6] == {"language": "en", "is_taglish": False}
    assert together[7] == {"language": "tl", "is_taglish": False}
