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
_DROP = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+")
_TOKEN = re.compile(r"\x00\d+\x00|[^\W_]+(?:['’-][^\W_]+)*")
_NUMBER_AFTER = frozenset(("error", "code"))


def _tokens(text: str) -> list[str]:
    text = _DROP.sub(" . ", text.lower())
    found: list[str] = []

    def keep_phrase(m: re.Match[str]) -> str:
        found.append(_PHRASE_NORM[m.lastgroup])
        return f" \x00{len(found) - 1}\x00 "

    text = _PHRASE_RE.sub(keep_phrase, text)
    out: list[str] = []
    # sentence punctuation breaks bigrams: mark it with None
    for chunk in re.split(r"[.!?;,:()\[\]\"/|]+", text):
        for tok in _TOKEN.findall(chunk):
            if tok.startswith("\x00"):
                out.append(found[int(tok.strip("\x00"))])
                continue
            tok = tok.replace("’", "'")
            head, _, stem = tok.partition("-")
            if stem and head in TL_PREFIXES and len(stem) >= 3:
                tok = stem
            out.append(tok)
        out.append("")
    return out


def _keep(tok: str, prev: str) -> bool:
    if not tok:
        return False
    if tok in PRODUCT_TERMS:
        return True
    if tok.isdigit():
        return prev in _NUMBER_AFTER
    return len(tok) >= 3 and tok not in STOPWORDS and not any(c.isdigit() for c in tok[:1])


def extract(text: str, limit: int = MAX_KEYWORDS) -> list[str]:
    toks = _tokens(text or "")
    kept = [tok if _keep(tok, toks[i - 1] if i else "") else None for i, tok in enumerate(toks)]
    n = max(1, len(toks))
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, tok in enumerate(kept):
        if tok is None:
            continue
        bonus = 1.0 - i / n
        scores[tok] = scores.get(tok, 0.0) + 1.0 + (1.0 if tok in PRODUCT_TERMS else 0.0) + 0.5 * bonus
        first.setdefault(tok, i)
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if nxt is not None and nxt != tok and " " not in tok and " " not in nxt:
            bigram = f"{tok} {nxt}"
            scores[bigram] = scores.get(bigram, 0.0) + 1.5 + 0.5 * bonus
            first.setdefault(bigram, i)
    ranked = sorted(scores, key=lambda k: (-scores[k], first[k]))
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


class KeywordStep:
    name: ClassVar[str] = "keywords"
    version: ClassVar[str] = "freq-bigram-kapwa-1"
    order: ClassVar[int] = 60

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        for text, r in zip(texts, results, strict=True):
            r["keywords"] = extract(text)
