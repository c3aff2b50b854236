"""Keyword step: ``keywords`` = up to 5 lowercased keywords / two-word keyphrases per message, for grouping.

Simple and fast: URLs and e-mail addresses are dropped; product terms are normalised and always kept
("cash in" -> "cash-in", "qr ph", "instapay", "otp" ...); Taglish verb forms lose their Tagalog prefix
("nag-crash" -> "crash", "na-resolve" -> "resolve"); English and Tagalog stopwords (``lexicon_tl``) and pure
numbers go (except in "error 503"). Candidates are the remaining words and the bigrams of adjacent kept
words; score = frequency + an early-position bonus + 0.5 for a bigram + 1 for a product term. A word that
only occurs inside a chosen bigram is not repeated on its own.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, ClassVar

from kapwa.analysis.lexicon_tl import STOPWORDS, TL_PREFIXES, wordset

MAX_KEYWORDS = 5

# Multi-word product terms, normalised (matched on lowercased text before tokenising).
PHRASES = {
    r"cash[\s-]?in": "cash-in", r"cash[\s-]?out": "cash-out", r"qr[\s-]?ph": "qr ph", r"bills?\s+pay(?:ment)?": "bills payment",
    r"send\s+money": "send money", r"bank\s+transfer": "bank transfer", r"dark\s+mode": "dark mode",
    r"e[\s-]?wallet": "e-wallet", r"customer\s+(?:service|support)": "customer service", r"buy\s+load": "buy load",
    r"pay\s+qr": "pay qr", r"7[\s-]?eleven": "7-eleven", r"bayani\s+pay": "bayani pay",
}
PRODUCT_TERMS = frozenset(PHRASES.values()) | wordset(
    "qr otp kyc instapay pesonet gcash maya bpi bdo unionbank landbank metrobank paypal app load wallet "
    "refund verification pin mpin fingerprint biometrics card visa mastercard remittance cashback voucher")
_PHRASE_RE = re.compile(r"\b(?:" + "|".join(f"(?P<p{i}>{p})" for i, p in enumerate(PHRASES)) + r")\b")
_PHRASE_NORM = {f"p{i}": norm for i, norm in enumerate(PHRASES.values())}
_HINT = re.compile("cash|qr|bill|send|bank|dark|wallet|customer|buy|pay|eleven")  # a phrase needs one of these
_DROP = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+")
SEP = "\x00"  # between the texts of a batch
# a text separator, a phrase placeholder, a word, or a run of sentence punctuation (which breaks bigrams)
_PIECE = re.compile(r"\x00|\x01\d+\x01|[^\W_]+(?:['’-][^\W_]+)*|[.!?;,:()\[\]\"/|]+")
_PUNCT = frozenset('.!?;,:()[]"/|')
_NUMBER_AFTER = frozenset(("error", "code"))
# what a piece becomes: the keyword candidate (a str), False (stopword, punctuation), or one of these
_SEP_MARK, _NUMBER_MARK = object(), object()
_value_cache: dict[str, object] = {SEP: _SEP_MARK}
_CACHE_MAX = 200_000
_PLACEHOLDERS = {f"\x01{i}\x01": norm for i, norm in enumerate(PHRASES.values())}


def _norm(tok: str) -> str:
    """A word without the "’" quirk and without a Tagalog prefix on an English stem ("nag-crash" → "crash")."""
    t = tok.replace("’", "'")
    head, _, stem = t.partition("-")
    return stem if stem and head in TL_PREFIXES and len(stem) >= 3 else t


def _value(piece: str) -> object:
    """What a piece is worth as a keyword (see _value_cache)."""
    if piece in _PLACEHOLDERS:
        return _PLACEHOLDERS[piece]  # product phrases are always kept
    if piece[0] in _PUNCT:
        return False
    t = _norm(piece)
    if t in PRODUCT_TERMS:
        return t
    if t.isdigit():
        return _NUMBER_MARK  # kept only right after "error" or "code"
    return t if len(t) >= 3 and t not in STOPWORDS and not t[:1].isdigit() else False


def _keep_phrase(m: re.Match[str]) -> str:
    return f" \x01{m.lastgroup[1:]}\x01 "


def _kept(texts: list[str]) -> list[list]:
    """Per text: each token if it may be a keyword, else False (also for punctuation, and at the end)."""
    lows = []
    for text in texts:
        t = text.lower()
        if SEP in t or "\x01" in t:  # our markers inside a text
            t = t.replace(SEP, " ").replace("\x01", "\x02")
        if "http" in t or "www." in t or "@" in t:
            t = _DROP.sub(" . ", t)
        if _HINT.search(t):
            t = _PHRASE_RE.sub(_keep_phrase, t)
        lows.append(t)
    pieces = _PIECE.findall("\n\x00\n".join(lows))
    new = set(pieces).difference(_value_cache)  # pieces not seen before: value them once
    if len(_value_cache) + len(new) > _CACHE_MAX:
        _value_cache.clear()  # start afresh, with every piece of this batch
        _value_cache[SEP] = _SEP_MARK
        new = set(pieces).difference(_value_cache)
    for p in new:
        _value_cache[p] = _value(p)
    get = _value_cache.get
    vals = list(map(get, pieces))
    if _NUMBER_MARK in vals:
        for i, v in enumerate(vals):
            if v is _NUMBER_MARK:
                prev = pieces[i - 1] if i else ""
                after = prev[:1].isalnum() and _norm(prev) in _NUMBER_AFTER
                vals[i] = _norm(pieces[i]) if after else False
    out = []
    start = 0
    for _ in range(len(texts) - 1):
        end = vals.index(_SEP_MARK, start)
        out.append([*vals[start:end], False])
        start = end + 1
    out.append([*vals[start:], False])
    return out


def _choose(kept: list, limit: int) -> list[str]:
    n = len(kept)
    some = list(filter(None, kept))
    if len(some) <= 1:  # nothing, or one word: no bigram, no ranking
        return some
    if PRODUCT_TERMS.isdisjoint(some) and len(set(some)) == len(some):
        # Every word once and no product term (so no word with a space: only product phrases have one). Then
        # each adjacent pair is a bigram scoring 1.5 + 0.5 × bonus > 1.5 ≥ any word's 1 + 0.5 × bonus, and the
        # bonus falls with the position, so the scoring below would rank the bigrams, then the words, each in
        # text order.
        ranked = [f"{a} {b}" for a, b in pairwise(kept) if a and b]
        if 0 < limit <= len(ranked):
            return ranked[:limit]  # bigrams are never covered
        return _pick(ranked + some, limit)
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    get = scores.get
    for i, tok in enumerate(kept):
        if not tok:
            continue
        bonus = 1.0 - i / n
        scores[tok] = get(tok, 0.0) + 1.0 + (1.0 if tok in PRODUCT_TERMS else 0.0) + 0.5 * bonus
        if tok not in first:
            first[tok] = i
        nxt = kept[i + 1]  # the list ends with False, so there always is a next entry
        if nxt and nxt != tok and " " not in tok and " " not in nxt:
            bigram = f"{tok} {nxt}"
            scores[bigram] = get(bigram, 0.0) + 1.5 + 0.5 * bonus
            if bigram not in first:
                first[bigram] = i
    return _pick(sorted(scores, key=lambda k: (-scores[k], first[k])), limit)


def _pick(ranked: list[str], limit: int) -> list[str]:
    """The best ``limit`` candidates, skipping a word already covered by a chosen bigram."""
    chosen: list[str] = []
    covered: set[str] = set()
    for k in ranked:
        if k in covered:
            continue
        chosen.append(k)
        if " " in k and k not in PRODUCT_TERMS:
            covered.update(k.split(" "))
        if len(chosen) >= limit:
            break
    return chosen


def extract_batch(texts: list[str], limit: int = MAX_KEYWORDS) -> list[list[str]]:
    """Keywords of every text of a batch (one pass of the patterns over the whole batch)."""
    if not texts:
        return []
    return [_choose(kept, limit) for kept in _kept([t or "" for t in texts])]


def extract(text: str, limit: int = MAX_KEYWORDS) -> list[str]:
    return extract_batch([text], limit)[0]


class KeywordStep:
    name: ClassVar[str] = "keywords"
    version: ClassVar[str] = "freq-bigram-kapwa-1"
    order: ClassVar[int] = 60

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        for r, kws in zip(results, extract_batch(texts), strict=True):
            r["keywords"] = kws
