"""Text features and sparse linear models for the sentiment and toxicity steps, in pure Python.

No numpy at run time: features are hashed n-grams, models are quantised sparse weight tables expanded
into ``array('b')`` at load (≈ 0.8 MB per 3-class model), and scoring is a dictionary walk.

Features (shared by every model, so one text is featurised once per batch — see :func:`featurize`):

* normalisation: HTML entities unescaped, lowercase, URLs → ``<url>``, @mentions → ``<user>``, numbers →
  ``<num>``, a letter repeated 3+ times collapsed to 2 ("sooo goood" → "soo good"), the Filipino
  honorific particles *po* / *opo* removed (they carry politeness, not polarity; VADER reads "po" as
  negative), emoji and emoticons kept as tokens;
* word unigrams + bigrams (CRC-32 with start value 1) and character 3–5-grams of the normalised token
  string padded with spaces (CRC-32), hashed into 2**18 buckets; binary (present/absent), L2-normalised.

The training scripts (training/analysis/) build their scipy matrices from these very functions, so the
features at training and at run time are identical by construction.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import math
import re
from array import array
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import accumulate, pairwise, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from zlib import crc32

N_BITS = 18
N_BUCKETS = 1 << N_BITS
MASK = N_BUCKETS - 1
MODELS_DIR = Path(__file__).resolve().parent / "models"
FEATURES_VERSION = "f1"  # bump when anything below changes the feature space

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_USER = re.compile(r"@\w+")
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")
_REPEAT = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(
    r"<url>|<user>|<num>"  # placeholders
    r"|[:;=8][-'^]?[()\[\]dpo/\\|*3]+(?=\s|$)"  # emoticons :) ;-( :d :p
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words (any script), with inner apostrophes
    r"|[!?]+"  # runs of ! and ?
    r"|[^\w\s<>]"  # any other symbol on its own: emoji, #, etc.
)
POLITE = frozenset({"po", "opo", "pu", "poh"})


def tokens(text: str) -> list[str]:
    """Normalised tokens (see the module docstring)."""
    if "&" in text:
        text = html.unescape(text)
    t = text.lower()
    if "http" in t or "www." in t:
        t = _URL.sub(" <url> ", t)
    if "@" in t:
        t = _USER.sub(" <user> ", t)
    if "<3" in t:
        t = t.replace("<3", " ❤ ")
    t = _NUM.sub(" <num> ", t)
    t = _REPEAT.sub(r"\1\1", t)
    return [w for w in _TOKEN.findall(t) if w not in POLITE]


class Feats(NamedTuple):
    idx: tuple[int, ...]  # distinct buckets
    inv: float  # 1 / sqrt(len(idx)) — binary features, L2-normalised
    get: Callable  # operator.itemgetter(*idx), padded to ≥ 2 items so it always returns a tuple
    toks: list[str]  # normalised tokens (reused by the toxicity lexicons)


_AND = MASK.__and__


@lru_cache(maxsize=4096)
def featurize(text: str) -> Feats:
    """Features of one text. Cached, so the steps of one batch featurise each text once.

    Word n-grams: crc32(token or "a b", 1); char n-grams: crc32(n-gram) — all masked to 18 bits.
    The char loop runs as nested ``map`` calls so it stays in C.
    """
    toks = tokens(text)
    raw = set(map(crc32, [w.encode() for w in toks], repeat(1)))
    raw.update(map(crc32, [f"{a} {b}".encode() for a, b in pairwise(toks)], repeat(1)))
    s = f" {' '.join(toks)} "
    if s.isascii():
        b = s.encode()
        n = len(b)
        for k in (3, 4, 5):
            raw.update(map(crc32, map(b.__getitem__, map(slice, range(n - k + 1), range(k, n + 1)))))
    else:
        n = len(s)
        for k in (3, 4, 5):
            raw.update(crc32(s[i : i + k].encode()) for i in range(n - k + 1))
    idx = tuple(set(map(_AND, raw)))
    if not idx:
        return Feats((), 0.0, _ZERO_GET, toks)
    return Feats(idx, 1.0 / math.sqrt(len(idx)), itemgetter(*idx, *idx[:1]) if len(idx) == 1 else itemgetter(*idx), toks)


def _ZERO_GET(_w):
    return ()


class LinearModel:
    """A quantised sparse linear model over :func:`featurize` buckets, ``K`` outputs.

    ``kind`` is ``"softmax"`` (one multinomial model, outputs sum to 1) or ``"sigmoid"`` (independent
    binary heads). Artefact: gzip JSON ``{classes, kind, bias, scale, idx (delta-encoded buckets), w
    (K ints in −127..127 per bucket), meta}``; expanded at load into one ``array('b')`` per output so scoring is
    ``sum(itemgetter(*buckets)(w))`` — C speed.
    """

    def __init__(self, path: Path):
        raw = path.read_bytes()
        self.sha = hashlib.sha256(raw).hexdigest()[:12]
        d = json.loads(gzip.decompress(raw))
        self.classes: list[str] = d["classes"]
        self.kind: str = d["kind"]
        self.bias: list[float] = d["bias"]
        self.scale: float = d["scale"]
        self.meta: dict = d.get("meta", {})
        if d.get("buckets") != N_BUCKETS or d.get("features") != FEATURES_VERSION:
            raise ValueError(f"{path.name}: built for another feature space")
        k = self.k = len(self.classes)
        flat = d["w"]
        buckets = list(accumulate(d["idx"]))
        self.w = []
        for j in range(k):
            w = array("b", bytes(N_BUCKETS))
            for h, q in zip(buckets, flat[j::k], strict=True):
                w[h] = q
            self.w.append(w)  # 256 kB per output: stays in the CPU cache, unlike a 2 MB list

    def logits(self, text: str) -> list[float]:
        ft = featurize(text)
        f = self.scale * ft.inv
        get = ft.get
        if len(ft.idx) == 1:  # the getter repeats the single bucket
            return [b + f * get(w)[0] for b, w in zip(self.bias, self.w, strict=True)]
        return [b + f * sum(get(w)) for b, w in zip(self.bias, self.w, strict=True)]

    def predict_proba(self, text: str) -> list[float]:
        z = self.logits(text)
        if self.kind == "softmax":
            m = max(z)
            e = [math.exp(x - m) for x in z]
            s = sum(e)
            return [x / s for x in e]
        return [1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x)))) for x in z]


def export_model(path: Path, classes: list[str], kind: str, coef, intercept, meta: dict) -> dict:
    """Quantise and write a model (used by the training scripts; needs numpy, which run time does not).

    ``coef``: array (K, N_BUCKETS); ``intercept``: (K,). Weights are scaled so the 99.99th percentile of
    |w| maps to 127 (the rare larger ones are clipped), then rounded; zeros are not stored.
    """
    import numpy as np

    coef = np.asarray(coef, dtype=np.float64)
    k = coef.shape[0]
    assert coef.shape[1] == N_BUCKETS and len(classes) == k
    nz_abs = np.abs(coef[coef != 0])
    top = float(np.quantile(nz_abs, 0.9999)) if nz_abs.size else 1.0
    scale = top / 127.0
    q = np.clip(np.rint(coef / scale), -127, 127).astype(np.int64).T  # (N_BUCKETS, K)
    keep = np.flatnonzero(np.any(q != 0, axis=1))
    idx = np.diff(np.concatenate([[0], keep])).tolist()
    d = {"classes": classes, "kind": kind, "bias": [float(x) for x in intercept], "scale": scale,
         "buckets": N_BUCKETS, "features": FEATURES_VERSION, "idx": idx, "w": q[keep].ravel().tolist(),
         "meta": meta}
    data = json.dumps(d, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, 9, mtime=0))
    return {"stored_buckets": int(keep.size), "bytes": path.stat().st_size}


@cache
def load_model(name: str) -> LinearModel:
    """Load ``models/<name>.json.gz`` once per process (shared by every step instance)."""
    return LinearModel(MODELS_DIR / f"{name}.json.gz")


def artefact_version(name: str, step: int) -> str:
    """``<step>-<features>-<artefact sha256[:12]>`` — cheap (hashes the file, does not parse it)."""
    try:
        sha = hashlib.sha256((MODELS_DIR / f"{name}.json.gz").read_bytes()).hexdigest()[:12]
    except OSError:
        sha = "missing"
    return f"{step}-{FEATURES_VERSION}-{sha}"


# --- a cheap Tagalog cue, used only when the language step has not run -----------------------------
TL_FUNCTION_WORDS = frozenset(
    ["ang", "ng", "mga", "sa", "na", "ay", "ko", "mo", "ka", "siya", "kami", "tayo", "kayo", "sila", "ako", "ikaw", "hindi", "di", "wala", "may", "yung", "nang", "lang", "naman", "din", "rin", "ba", "pa", "kasi", "talaga", "sobrang", "ganda", "bakit", "paano", "ano", "sino", "saan", "kung", "pero", "at", "nga", "nya", "niya", "natin", "namin", "ninyo", "nila", "ito", "iyan", "iyon", "dito", "diyan", "doon", "po", "opo", "salamat"])


def tagalog_share(text: str) -> float:
    toks = [t for t in tokens(text) if t.isalpha()]
    if not toks:
        return 0.0
    return sum(t in TL_FUNCTION_WORDS for t in toks) / len(toks)
