"""Language step: ``language`` ("en", "tl", "es", "id" or "unknown") and ``is_taglish``.

lingua (restricted to English, Tagalog, Spanish, Indonesian, full-accuracy models, built once lazily
and shared by every step instance) gives the text-level language. lingua alone mislabels code-switched
Taglish ("Grabe ang bagal ng delivery, super disappointed ako" comes out English), so a token-level check
counts evidence for each side:

* function words from ``lexicon_tl`` (weight 1): "ang", "ng", "po", "yung" ... vs "the", "is", "when" ...
* Taglish verb forms with a Tagalog prefix on an English stem ("nag-crash", "na-resolve", weight 1 for
  Tagalog + 1 for English);
* remaining content words of 4+ letters, classified one by one by an English/Tagalog-only lingua
  detector (weight 0.5 if it is clear: P >= 0.7 of the pair; cached).

A text is Taglish when both sides have at least 1.0 and the smaller side is at least 15% of the total;
its language is then the side with more evidence (lingua breaks a tie). A text whose function words are all of one language, at least 3 and 30% of its
words, is that language without asking lingua (most chat; this keeps the step fast). Otherwise lingua's
top language (of the first 400 characters) is
used when its confidence is at least ``MIN_CONFIDENCE`` (or when the function words agree with it); a text with clear Tagalog function words that
lingua calls Indonesian/Malay is Tagalog. Texts with fewer than 3 words or 12 characters are "unknown".
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from kapwa.analysis.lexicon_tl import AMBIGUOUS, EN_MARKERS, TL_MARKERS, TL_PREFIXES, words

MIN_WORDS = 3
MIN_CHARS = 12
MIN_CONFIDENCE = 0.5
TAGLISH_MIN = 1.0
TAGLISH_SHARE = 0.15
WORD_CLEAR = 0.7
SURE_SHARE = 0.3  # function words of one language only, >= 30% of the words: lingua is skipped
LINGUA_CHARS = 400  # lingua sees at most this much of a long text
_CACHE_MAX = 100_000

_lock = threading.Lock()
_detectors: dict[str, Any] = {}
_word_cache: dict[str, str | None] = {}


def detectors() -> tuple[Any, Any]:
    """(text detector, English/Tagalog word detector), built on first use and shared."""
    if not _detectors:
        with _lock:
            if not _detectors:
                from lingua import Language, LanguageDetectorBuilder

                langs = (Language.ENGLISH, Language.TAGALOG, Language.SPANISH, Language.INDONESIAN)
                text = LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()
                # lingua keeps loaded models in a process-wide cache, so this one costs (almost) nothing.
                pair = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.TAGALOG).build()
                _detectors.update(text=text, pair=pair, en=Language.ENGLISH, tl=Language.TAGALOG)
    return _detectors["text"], _detectors["pair"]


def _classify_words(candidates: set[str]) -> None:
    """Fill the word cache with "en", "tl" or None for words not seen yet."""
    todo = [w for w in candidates if w not in _word_cache]
    if not todo:
        return
    _, pair = detectors()
    en = _detectors["en"]
    if len(_word_cache) + len(todo) > _CACHE_MAX:
        _word_cache.clear()
    for w, values in zip(todo, pair.compute_language_confidence_values_in_parallel(todo), strict=True):
        p_en = next((v.value for v in values if v.language == en), 0.0)
        _word_cache[w] = "en" if p_en >= WORD_CLEAR else "tl" if p_en <= 1 - WORD_CLEAR else None


def _is_content(w: str) -> bool:
    return len(w) >= 4 and w not in TL_MARKERS and w not in EN_MARKERS and w not in AMBIGUOUS


def evidence(tokens: list[str]) -> tuple[float, float]:
    """(English, Tagalog) evidence for a tokenised text; content words must already be classified."""
    en = tl = 0.0
    for tok in tokens:
        head, _, stem = tok.partition("-")
        if stem and head in TL_PREFIXES:  # nag-crash, na-resolve, i-check
            tl += 1.0
            en += 1.0
            continue
        for w in tok.split("-") if stem else (tok,):
            if w in TL_MARKERS:
                tl += 1.0
            elif w in EN_MARKERS:
                en += 1.0
            elif _is_content(w):
                side = _word_cache.get(w)
                if side == "en":
                    en += 0.5
                elif side == "tl":
                    tl += 0.5
    return en, tl


def _function_words(tokens: list[str]) -> tuple[int, int]:
    en = sum(1 for w in tokens if w in EN_MARKERS)
    tl = sum(1 for w in tokens if w in TL_MARKERS)
    return en, tl


def _content_words(tokens: list[str]) -> set[str]:
    out = set()
    for tok in tokens:
        head, _, stem = tok.partition("-")
        if stem and head in TL_PREFIXES:
            continue
        out.update(w for w in tok.split("-") if _is_content(w))
    return out


class LanguageStep:
    name: ClassVar[str] = "language"
    version: ClassVar[str] = "lingua-2.1.1+kapwa-1"
    order: ClassVar[int] = 10

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        tokens = [words(t or "") for t in texts]
        long_enough = [i for i, (t, toks) in enumerate(zip(texts, tokens, strict=True))
                       if len(toks) >= MIN_WORDS and len((t or "").strip()) >= MIN_CHARS]
        for r in results:
            r["language"] = "unknown"
            r["is_taglish"] = False
        if not long_enough:
            return
        candidates: set[str] = set()
        for i in long_enough:
            candidates |= _content_words(tokens[i])
        _classify_words(candidates)
        need_lingua: list[int] = []
        for i in long_enough:
            en, tl = evidence(tokens[i])
            taglish = min(en, tl) >= TAGLISH_MIN and min(en, tl) / (en + tl) >= TAGLISH_SHARE
            results[i]["is_taglish"] = taglish
            fw_en, fw_tl = _function_words(tokens[i])
            if taglish and en != tl:
                results[i]["language"] = "tl" if tl > en else "en"
            elif not taglish and (fw := max(fw_en, fw_tl)) >= 3 and min(fw_en, fw_tl) == 0 \
                    and fw >= SURE_SHARE * len(tokens[i]):
                # plainly English or plainly Tagalog by its function words: no need to ask lingua (speed)
                results[i]["language"] = "en" if fw_en else "tl"
            else:
                need_lingua.append(i)
        if not need_lingua:
            return
        text_detector, _ = detectors()
        confidences = text_detector.compute_language_confidence_values_in_parallel(
            [texts[i][:LINGUA_CHARS] for i in need_lingua])
        for i, values in zip(need_lingua, confidences, strict=True):
            top = values[0] if values else None
            code = top.language.iso_code_639_1.name.lower() if top else "unknown"
            conf = top.value if top else 0.0
            en, tl = evidence(tokens[i])
            if results[i]["is_taglish"]:  # a tie between the two sides
                lang = code if code in ("en", "tl") else "tl"
            elif tl >= 2 and en == 0 and code in ("id", "ms", "en"):
                lang = "tl"  # clear Tagalog function words; lingua confuses short Tagalog with Malay
            elif en >= 2 and tl == 0 and code == "tl":
                lang = "en"
            elif conf >= MIN_CONFIDENCE or (code == "tl" and tl > en) or (code == "en" and en > tl):
                lang = code  # confident, or lingua agrees with the function words
            elif tl >= 2 and tl > en:
                lang = "tl"
            elif en >= 2 and en > tl:
                lang = "en"
            else:
                lang = "unknown"
            results[i]["language"] = lang
