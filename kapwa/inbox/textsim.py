"""Text similarity for suggested answers and saved-reply matching: TF-IDF cosine over words and character
4-grams, for short English, Filipino and Taglish texts.

Words catch the topic ("cash-in", "verification"); character 4-grams of each word (with boundary marks)
catch Taglish morphology and typos ("nag-cash-in" / "cash-in", "verify" / "verification", "beripikasyon").
Stopwords of both languages (``kapwa.analysis.lexicon_tl.STOPWORDS``) carry no topic and are dropped.
IDF comes from the texts being compared (the query and its candidates), so words every candidate shares
("app", "account") count for less than the ones that tell them apart — except for the words whose IDF over the
whole index the caller knows (``word_idf``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from kapwa.analysis.lexicon_tl import STOPWORDS

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+")
_NUMBER = re.compile(r"^[\d.,]+$")
CHAR_N = 4
CHAR_WEIGHT = 0.45  # share of the score from character n-grams (the rest from words)
# A few spelling variants that mean the same thing in this community's messages.
_SAME = {"cashin": "cash-in", "cashout": "cash-out", "topup": "top-up", "e-wallet": "ewallet", "kyc": "verification",
         "verify": "verification", "verified": "verification", "beripikasyon": "verification", "pls": "please",
         "pano": "paano", "pde": "pwede", "pede": "pwede", "puwede": "pwede", "acct": "account", "otp": "otp"}


def terms(text: str) -> tuple[str, ...]:
    """Content words of ``text``: lowercased, URLs and numbers dropped, stopwords of both languages dropped,
    Taglish prefixes split off ("nag-cash-in" → "cash-in")."""
    out: list[str] = []
    for w in _WORD.findall(_URL.sub(" ", (text or "").lower())):
        w = w.replace("’", "'")
        head, _, rest = w.partition("-")
        if rest and head in ("nag", "mag", "na", "ma", "i", "pa", "naka", "maka", "nakaka", "pag", "paki", "mai", "ma-"):
            w = rest
        w = _SAME.get(w, w)
        if len(w) < 3 and w not in ("id", "qr"):
            continue
        if w in STOPWORDS or _NUMBER.match(w):
            continue
        out.append(w)
    return tuple(out)


@lru_cache(maxsize=20_000)
def _analysed(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words, character n-grams) of a text, cached: the same past questions and answers come up again."""
    ws = terms(text)
    return ws, tuple(char_grams(ws))


def char_grams(words: Sequence[str]) -> list[str]:
    grams: list[str] = []
    for w in words:
        padded = f" {w} "
        if len(padded) <= CHAR_N:
            grams.append(padded)
            continue
        grams.extend(padded[i : i + CHAR_N] for i in range(len(padded) - CHAR_N + 1))
    return grams


class Corpus:
    """Texts compared with each other: ``score(i, j)`` or ``scores_against(0)`` for query-vs-candidates."""

    def __init__(self, texts: Sequence[str], *, word_idf: dict[str, float] | None = None):
        """``word_idf``: IDF of some words from a bigger collection (the whole index), used instead of the IDF
        among ``texts`` — candidates found by their shared words would otherwise make those words look common."""
        analysed = [_analysed(t or "") for t in texts]
        self.words = [a[0] for a in analysed]
        self.grams = [a[1] for a in analysed]
        n = len(texts)
        self._wvec = self._vectors(self.words, n, word_idf)
        self._cvec = self._vectors(self.grams, n)

    @staticmethod
    def _vectors(docs: list[tuple[str, ...]], n: int, known: dict[str, float] | None = None) -> list[dict[str, float]]:
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        idf = {t: math.log((n + 1) / (c + 0.5)) + 1.0 for t, c in df.items()}
        if known:
            idf.update((t, v) for t, v in known.items() if t in idf)
        vecs = []
        for d in docs:
            tf = Counter(d)
            v = {t: (1.0 + math.log(c)) * idf[t] for t, c in tf.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vecs.append({t: x / norm for t, x in v.items()})
        return vecs

    @staticmethod
    def _cos(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(x * b.get(t, 0.0) for t, x in a.items())

    def score(self, i: int, j: int) -> float:
        w = self._cos(self._wvec[i], self._wvec[j])
        c = self._cos(self._cvec[i], self._cvec[j])
        return (1 - CHAR_WEIGHT) * w + CHAR_WEIGHT * c

    def shared_words(self, i: int, j: int) -> set[str]:
        return set(self.words[i]) & set(self.words[j])

    def scores_against(self, i: int = 0) -> list[float]:
        return [self.score(i, j) for j in range(len(self.words))]


def idf_from_counts(counts: dict[str, int], total: int) -> dict[str, float]:
    """IDF in the same scale as :class:`Corpus` from document counts in a collection of ``total`` texts."""
    total = max(total, 1)
    return {t: math.log((total + 1) / (c + 0.5)) + 1.0 for t, c in counts.items()}


def similarity(a: str, b: str, *, context: Sequence[str] = ()) -> float:
    """Similarity of two texts in [0, 1] (IDF from ``a``, ``b`` and any ``context`` texts)."""
    return Corpus([a, b, *context]).score(0, 1)
