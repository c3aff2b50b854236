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
its language is then the side with more evidence (lingua breaks a tie). Clear cases skip lingua (most
chat; this keeps the step fast):

* function words all of one language, at least 3 and 30% of the words;
* or at least 2 function words of one language, none of the other and at most one content word leaning to
  it, and nothing that could be Spanish or Indonesian (no word from ``OTHER_MARKERS``, no letters outside
  a–z) — lingua could only have overruled these with Spanish or Indonesian (on 20,000 English and Filipino
  dataset texts, allowing that one content word changed 2 answers and saved a third of the lingua calls).

Otherwise lingua's top language (of the first 400 characters) is used when its confidence is at least
``MIN_CONFIDENCE`` (or when the function words agree with it); a text with clear Tagalog function words
that lingua calls Indonesian/Malay is Tagalog. lingua's answers are cached per text (chat repeats itself:
"Salamat po!", "Same here"). Texts with fewer than 3 words or 12 characters are "unknown".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from kapwa.analysis.lexicon_tl import (
    AMBIGUOUS,
    EN_MARKERS,
    SEP,
    TL_MARKERS,
    TL_PREFIXES,
    batch_words,
    wordset,
)

MIN_WORDS = 3
MIN_CHARS = 12
MIN_CONFIDENCE = 0.5
TAGLISH_MIN = 1.0
TAGLISH_SHARE = 0.15
WORD_CLEAR = 0.7
SURE_SHARE = 0.3  # function words of one language only, >= 30% of the words: lingua is skipped
LINGUA_CHARS = 400  # lingua sees at most this much of a long text
_CACHE_MAX = 100_000
_TEXT_CACHE_MAX = 20_000

# Common Spanish and Indonesian/Malay words: a text with one of them is never decided without lingua.
OTHER_MARKERS = wordset("""
el la los las del que y en es por con una un unos se lo le su sus al muy este esta eso como pero gracias hola
tengo puedo quiero cuenta yang dan ini itu tidak saya ada dengan untuk dari ke akan bisa sudah belum aku kamu
juga atau karena tapi apa bagaimana kenapa terima kasih tolong sejak
""")

_lock = threading.Lock()
_detectors: dict[str, Any] = {}
_word_cache: dict[str, str | None] = {}
# per token, packed: 2 × English evidence | 2 × Tagalog evidence << 8 | English function word << 16 |
# Tagalog function word << 17 | maybe Spanish/Indonesian << 18 | 1 << 19
SEP_CODE = 1 << 30
_token_cache: dict[str, int] = {SEP: SEP_CODE}
_text_cache: OrderedDict[str, tuple[str, float]] = OrderedDict()


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
    for w, values in zip(todo, pair.compute_language_confidence_values_in_parallel(todo), strict=True):
        p_en = next((v.value for v in values if v.language == en), 0.0)
        _word_cache[w] = "en" if p_en >= WORD_CLEAR else "tl" if p_en <= 1 - WORD_CLEAR else None


def _is_content(w: str) -> bool:
    return len(w) >= 4 and w not in TL_MARKERS and w not in EN_MARKERS and w not in AMBIGUOUS


def _parts(tok: str) -> tuple[bool, list[str]]:
    """(is a Tagalog-prefixed English stem like "nag-crash", the hyphen-separated parts)."""
    head, _, stem = tok.partition("-")
    if stem and head in TL_PREFIXES:
        return True, []
    return False, tok.split("-") if stem else [tok]


def _content_words(tokens: Iterable[str]) -> set[str]:
    out = set()
    for tok in tokens:
        out.update(w for w in _parts(tok)[1] if _is_content(w))
    return out


def _token_info(tok: str) -> int:
    """Evidence of one token, packed (see _token_cache); its content words must be classified already."""
    info = _token_cache.get(tok)
    if info is None:
        en = tl = 0.0
        prefixed, parts = _parts(tok)
        if prefixed:  # nag-crash, na-resolve, i-check
            en = tl = 1.0
        for w in parts:
            if w in TL_MARKERS:
                tl += 1.0
            elif w in EN_MARKERS:
                en += 1.0
            elif _is_content(w):
                side = _word_cache.get(w)
                en += 0.5 if side == "en" else 0.0
                tl += 0.5 if side == "tl" else 0.0
        other = tok in OTHER_MARKERS or not tok.isascii()
        info = (min(255, int(2 * en)) | min(255, int(2 * tl)) << 8 | (tok in EN_MARKERS) << 16
                | (tok in TL_MARKERS) << 17 | other << 18 | 1 << 19)  # bit 19: never 0, so "or" works
        _token_cache[tok] = info
    return info


def evidence(tokens: list[str]) -> tuple[float, float]:
    """(English, Tagalog) evidence for a tokenised text; content words must already be classified."""
    codes = [_token_cache.get(t) or _token_info(t) for t in tokens]
    return sum(c & 255 for c in codes) / 2, sum(c >> 8 & 255 for c in codes) / 2


def _lingua(texts: list[str]) -> list[tuple[str, float]]:
    """(top language code, its confidence) per text, cached per text."""
    out: list[tuple[str, float] | None] = [_text_cache.get(t) for t in texts]
    todo = [i for i, got in enumerate(out) if got is None]
    if todo:
        text_detector, _ = detectors()
        for i, values in zip(todo, text_detector.compute_language_confidence_values_in_parallel(
                [texts[i] for i in todo]), strict=True):
            top = values[0] if values else None
            out[i] = (top.language.iso_code_639_1.name.lower(), top.value) if top else ("unknown", 0.0)
            _text_cache[texts[i]] = out[i]
        while len(_text_cache) > _TEXT_CACHE_MAX:
            _text_cache.popitem(last=False)
    return out  # type: ignore[return-value]


class LanguageStep:
    name: ClassVar[str] = "language"
    version: ClassVar[str] = "lingua-2.1.1+kapwa-1"
    order: ClassVar[int] = 10

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        for r in results:
            r["language"] = "unknown"
            r["is_taglish"] = False
        if not texts:
            return
        texts = [t or "" for t in texts]
        flat = batch_words(texts)
        new = set(flat).difference(_token_cache)  # SEP is cached as SEP_CODE
        if new:
            candidates = _content_words(new)
            if len(_word_cache) + len(candidates) > _CACHE_MAX or len(_token_cache) + len(new) > 2 * _CACHE_MAX:
                _word_cache.clear()  # start afresh, with every word of this batch
                _token_cache.clear()
                _token_cache[SEP] = SEP_CODE
                new.update(flat)
                new.discard(SEP)
                candidates = _content_words(new)
            _classify_words(candidates)
            for w in new:
                _token_info(w)
        codes = np.fromiter(map(_token_cache.get, flat), np.int64, len(flat))
        seps = np.flatnonzero(codes == SEP_CODE)
        codes[seps] = 0
        n_words = np.diff(seps) - 1
        chars = np.fromiter((len(t.strip()) for t in texts), np.int64, len(texts))
        long_enough = np.flatnonzero((n_words >= MIN_WORDS) & (chars >= MIN_CHARS))
        if not len(long_enough):
            return
        start = seps[:-1]  # each text's segment starts at the SEP before it (code 0)
        en = np.add.reduceat(codes & 255, start)[long_enough] / 2
        tl = np.add.reduceat(codes >> 8 & 255, start)[long_enough] / 2
        fw_en = np.add.reduceat(codes >> 16 & 1, start)[long_enough]
        fw_tl = np.add.reduceat(codes >> 17 & 1, start)[long_enough]
        other = np.bitwise_or.reduceat(codes >> 18 & 1, start)[long_enough] > 0
        low = np.minimum(en, tl)
        with np.errstate(invalid="ignore", divide="ignore"):
            taglish = (low >= TAGLISH_MIN) & (low / (en + tl) >= TAGLISH_SHARE)
        fw, fw_low = np.maximum(fw_en, fw_tl), np.minimum(fw_en, fw_tl)
        sure = ~taglish & (fw >= 3) & (fw_low == 0) & (fw >= SURE_SHARE * n_words[long_enough])
        # lingua could only have overruled these with Spanish or Indonesian, and nothing looks like either
        clear_en = ~taglish & ~other & (fw_en >= 2) & (fw_tl == 0) & (tl <= 0.5)
        clear_tl = ~taglish & ~other & (fw_tl >= 2) & (fw_en == 0) & (en <= 0.5)
        need_lingua: list[tuple[int, float, float, bool]] = []
        for j, i in enumerate(long_enough.tolist()):
            res = results[i]
            if taglish[j]:
                res["is_taglish"] = True
                if en[j] != tl[j]:
                    res["language"] = "tl" if tl[j] > en[j] else "en"
                    continue
            elif sure[j]:  # plainly English or plainly Tagalog by its function words
                res["language"] = "en" if fw_en[j] else "tl"
                continue
            elif clear_en[j] or clear_tl[j]:
                res["language"] = "en" if clear_en[j] else "tl"
                continue
            need_lingua.append((i, float(en[j]), float(tl[j]), bool(taglish[j])))
        if not need_lingua:
            return
        for (i, en_i, tl_i, tie), (code, conf) in zip(
                need_lingua, _lingua([texts[i][:LINGUA_CHARS] for i, *_ in need_lingua]), strict=True):
            results[i]["language"] = _decide(code, conf, en_i, tl_i, tie)


def _decide(code: str, conf: float, en: float, tl: float, tie: bool) -> str:
    """The language of a text lingua was asked about (``tie``: Taglish with equal evidence)."""
    if tie:
        return code if code in ("en", "tl") else "tl"
    if tl >= 2 and en == 0 and code in ("id", "ms", "en"):
        return "tl"  # clear Tagalog function words; lingua confuses short Tagalog with Malay
    if en >= 2 and tl == 0 and code == "tl":
        return "en"
    if conf >= MIN_CONFIDENCE or (code == "tl" and tl > en) or (code == "en" and en > tl):
        return code  # confident, or lingua agrees with the function words
    if tl >= 2 and tl > en:
        return "tl"
    if en >= 2 and en > tl:
        return "en"
    return "unknown"
