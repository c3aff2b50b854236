"""Text features and linear models for the sentiment and toxicity steps, a whole batch at a time (numpy).

Features (shared by every model, so a batch is featurised once — see :func:`featurize`):

* normalisation: HTML entities unescaped, lowercase, URLs → ``<url>``, @mentions → ``<user>``, numbers →
  ``<num>``, a letter repeated 3+ times collapsed to 2 ("sooo goood" → "soo good"), the Filipino
  honorific particles *po* / *opo* removed (they carry politeness, not polarity; VADER reads "po" as
  negative), emoji and emoticons kept as tokens;
* word unigrams + bigrams, and character 3–5-grams of the normalised token string padded with spaces;
* one "valence v" feature per word of VADER's crowd-rated lexicon (its mean rating rounded, −4…4; the sign
  flipped after a negator such as "not" or "hindi" among the three tokens before), so a word the training
  data rarely shows still leans the right way (vaderSentiment's lexicon file, MIT, a PyPI dependency);
* hashed into 2**N_BITS buckets; value = occurrences / sqrt(all n-gram occurrences of the text) (for a
  text without repeated n-grams this is binary and L2-normalised).

How: the regular expressions run once over the batch joined with a separator token, so the token stream
of the whole batch is one string; its code points go into one numpy array, and every n-gram — character
windows and whole tokens alike — is hashed from prefix sums of a polynomial hash (mod 2**64), then mixed
into a bucket. Windows that cross the separator are dropped, so a text's features never depend on the
other texts of its batch. Models are dense ``int8`` weight matrices ``W[bucket, k]``; a batch is scored
with one gather and one ``reduceat`` per output — no Python loop per text beyond the tokens.

The training scripts (training/analysis/) build their scipy matrices from :func:`featurize` itself, so
the features at training and at run time are identical by construction.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import threading
from functools import cache
from itertools import compress, repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kapwa.analysis.lexicon_tl import EN_MARKERS, TL_MARKERS

N_BITS = 18
N_BUCKETS = 1 << N_BITS  # hashed n-gram buckets
N_ROWS = 2 * N_BUCKETS  # weight rows (= feature columns): the buckets, then their Filipino-only copies
MODELS_DIR = Path(__file__).resolve().parent / "models"
FEATURES_VERSION = "f3"  # bump when anything below changes the feature space

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_USER = re.compile(r"@\w+")
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")
_REPEAT = re.compile(r"(\w)\1\1+")
_TOKEN = re.compile(
    r"<url>|<user>|<num>"  # placeholders
    r"|[:;=8][-'^]?[()\[\]dpo/\\|*3]+(?=\s|$)"  # emoticons :) ;-( :d :p
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words (any script), with inner apostrophes
    r"|[!?]+"  # runs of ! and ?
    r"|[^\w\s<>]"  # any other symbol on its own: emoji, #, \x00 (the batch separator), etc.
)
POLITE = frozenset({"po", "opo", "pu", "poh"})
SEP = "\x00"
_JOIN = f"\n{SEP}\n"

# polynomial hash mod 2**64 (P odd, so it has an inverse) and the salts of the n-gram kinds
_P = 0x100000001B3
_PINV = pow(_P, -1, 1 << 64)
_SALT_CHAR, _SALT_WORD, _SALT_BIGRAM = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
_SALT_LEX = 0x27D4EB2F165667C5
NEGATORS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "cannot", "can't",
                      "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't",
                      "shouldn't", "couldn't", "haven't", "hasn't", "hadn't", "ain't", "dont", "cant", "wont",
                      "didnt", "doesnt", "isnt", "hindi", "di", "wala", "walang", "ayaw", "huwag", "wag"})


@cache
def _lexicon() -> dict[str, int]:
    """VADER's crowd-rated valence lexicon (vaderSentiment, MIT): token → mean valence rounded (−4…4, 0 left
    out). Words a model has rarely seen still lean the right way."""
    import vaderSentiment

    lex: dict[str, int] = {}
    path = Path(vaderSentiment.__file__).resolve().parent / "vader_lexicon.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            v = round(float(parts[1]))
            if v:
                lex.setdefault(parts[0].lower(), max(-4, min(4, v)))
    return lex


def _lexicon_features(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(doc, bucket) of one "valence v" feature per lexicon word, its sign flipped after a negator among the
    three tokens before it (in the same text). ``codes``: :func:`token_codes` of the batch's tokens."""
    field = (codes >> _VALENCE_SHIFT) & 15
    hit = np.flatnonzero(field)
    if not len(hit):
        return hit, hit
    seps = np.flatnonzero((codes & _KIND_MASK) == SEP_KIND)
    doc = np.searchsorted(seps, hit, side="right") - 1
    negator = (codes & _NEGATOR) > 0
    flip = np.zeros(len(hit), bool)
    for back in (1, 2, 3):
        j = hit - back
        ok = j > seps[doc]  # still inside the word's own text
        flip[ok] |= negator[j[ok]]
    v = field[hit].astype(np.int64) - _VALENCE_ZERO
    return doc, _bucket((np.where(flip, -v, v) + 8).astype(np.uint64), _SALT_LEX)


CHAR_N = (3, 4, 5)


def _normalise(joined: str) -> str:
    if "&" in joined:
        joined = html.unescape(joined)
    t = joined.lower()
    if "http" in t or "www." in t:
        t = _URL.sub(" <url> ", t)
    if "@" in t:
        t = _USER.sub(" <user> ", t)
    if "<3" in t:
        t = t.replace("<3", " ❤ ")
    t = _NUM.sub(" <num> ", t)
    return _REPEAT.sub(r"\1\1", t)


def batch_tokens(texts: list[str]) -> list[str]:
    """Normalised tokens of every text, politeness particles included, in one flat list: SEP, tokens of
    text 0, SEP, tokens of text 1, …, SEP."""
    joined = _JOIN.join(texts)
    if joined.count(SEP) != len(texts) - 1:  # a text carries the separator itself
        joined = _JOIN.join(t.replace(SEP, " ") for t in texts)
    flat = _TOKEN.findall(_normalise(joined))
    flat.insert(0, SEP)
    flat.append(SEP)
    return flat


def tokens(text: str) -> list[str]:
    """Normalised tokens of one text (see the module docstring)."""
    return [w for w in batch_tokens([text or ""])[1:-1] if w not in POLITE]


# token kinds: 0 other, 1 Tagalog function word, 2 English function word, 3 SEP, 4 politeness particle
_KIND = {**{w: 2 for w in EN_MARKERS}, **{w: 1 for w in TL_MARKERS}, **{w: 4 for w in POLITE}, SEP: 3}
OTHER, TL, EN, SEP_KIND, POLITE_KIND = 0, 1, 2, 3, 4
# A token's code packs everything a batch looks up per token, so one dict lookup serves them all:
# bits 0–2 its kind, bits 3–6 its lexicon valence + 5 (0: not in the lexicon), bit 7 "is a negator".
_KIND_MASK, _VALENCE_SHIFT, _VALENCE_ZERO, _NEGATOR = 7, 3, 5, 128


@cache
def _codes() -> dict[str, int]:
    codes = dict(_KIND)
    for w, v in _lexicon().items():
        codes[w] = codes.get(w, 0) | (v + _VALENCE_ZERO) << _VALENCE_SHIFT
    for w in NEGATORS:
        codes[w] = codes.get(w, 0) | _NEGATOR
    return codes


def token_codes(flat: list[str]) -> np.ndarray:
    """The code of every token of a flat token list (see ``_codes``)."""
    return np.fromiter(map(_codes().get, flat, repeat(0)), np.int16, len(flat))


def filipino(kinds: np.ndarray) -> np.ndarray:
    """Per text, from the token kinds of a flat token list: 1.0 when it has 2+ Tagalog function words
    (politeness particles included), or 1 and no English one."""
    seps = np.flatnonzero(kinds == SEP_KIND)
    tl = np.concatenate([[0], np.cumsum((kinds == TL) | (kinds == POLITE_KIND))])
    en = np.concatenate([[0], np.cumsum(kinds == EN)])
    n_tl, n_en = np.diff(tl[seps]), np.diff(en[seps])
    return ((n_tl >= 2) | ((n_tl == 1) & (n_en == 0))).astype(np.float64)


_pow_lock = threading.Lock()
_POW: list[np.ndarray] = [np.ones(1, np.uint64), np.ones(1, np.uint64)]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(P**k, P**-k) for k < n, mod 2**64 (grown on demand, kept for the process)."""
    if len(_POW[0]) < n:
        with _pow_lock:
            m = max(n, 2 * len(_POW[0]), 1 << 16)
            up = np.multiply.accumulate(np.full(m, _P, np.uint64))
            down = np.multiply.accumulate(np.full(m, _PINV, np.uint64))
            _POW[:] = [np.concatenate([[np.uint64(1)], up[:-1]]), np.concatenate([[np.uint64(1)], down[:-1]])]
    return _POW[0], _POW[1]


def _bucket(h: np.ndarray, salt: int) -> np.ndarray:
    """Mix 64-bit hashes (a murmur3-style finaliser) and keep the top N_BITS as bucket numbers."""
    x = h ^ np.uint64(salt)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return (x >> np.uint64(64 - N_BITS)).astype(np.int64)


class Feats(NamedTuple):
    n: int  # texts
    doc: np.ndarray  # int64: which text each n-gram occurrence belongs to
    bucket: np.ndarray  # int64: its bucket
    inv: np.ndarray  # float64 per text: 1 / sqrt(occurrences), 0 for a text without features
    flag: np.ndarray  # float64 per text: 1.0 for Filipino-looking text (see :func:`filipino`)
    flat: list[str]  # normalised tokens of the whole batch, SEP before each text and at the end
    seps: np.ndarray  # where the SEPs are in ``flat``: text i is flat[seps[i] + 1 : seps[i + 1]]


def _featurize(texts: list[str]) -> Feats:
    if not texts:
        empty = np.zeros(0, np.int64)
        return Feats(0, empty, empty, np.zeros(0), np.zeros(0), [SEP], np.zeros(1, np.int64))
    flat = batch_tokens(texts)
    codes = token_codes(flat)
    kinds = codes & _KIND_MASK
    flag = filipino(kinds)
    polite = kinds == POLITE_KIND
    if polite.any():
        keep = ~polite
        flat = list(compress(flat, keep.tolist()))
        codes, kinds = codes[keep], kinds[keep]
    seps = np.flatnonzero(kinds == SEP_KIND)
    c = np.frombuffer(" ".join(flat).encode("utf-32-le"), np.uint32).astype(np.uint64)
    length = len(c)
    up, down = _powers(length + 1)
    g = np.zeros(length + 1, np.uint64)
    np.cumsum(c * down[:length], out=g[1:])  # g[i] = Σ_{k<i} c[k]·P^-k, so a span's hash is P^(r-1)·(g[r] − g[l])
    is_sep = c == 0
    nsep = np.zeros(length + 1, np.int64)
    np.cumsum(is_sep, out=nsep[1:])
    docs, buckets = [], []
    for n in CHAR_N:
        if length < n:
            continue
        m = length - n + 1  # windows [i, i+n) for i < m; keep those without a separator
        ok = nsep[n : n + m] == nsep[:m]
        docs.append(nsep[:m][ok] - 1)
        buckets.append(_bucket((up[n - 1 : n - 1 + m] * (g[n : n + m] - g[:m]))[ok], _SALT_CHAR))
    sp = np.flatnonzero(c == 32)
    starts, ends = sp[:-1] + 1, sp[1:]  # the tokens between consecutive spaces
    word = (ends > starts) & ~is_sep[np.minimum(starts, length - 1)]
    w = np.flatnonzero(word)
    ws, we = starts[w], ends[w]
    docs.append(nsep[ws] - 1)
    buckets.append(_bucket(up[we - 1] * (g[we] - g[ws]), _SALT_WORD))
    b = np.flatnonzero(word[:-1] & word[1:])  # two adjacent tokens of the same text: "a b"
    bs, be = starts[b], ends[b + 1]
    docs.append(nsep[bs] - 1)
    buckets.append(_bucket(up[be - 1] * (g[be] - g[bs]), _SALT_BIGRAM))
    ld, lb = _lexicon_features(codes)
    docs.append(ld)
    buckets.append(lb)
    doc = np.concatenate(docs)
    bucket = np.concatenate(buckets)
    counts = np.bincount(doc, minlength=len(texts))
    inv = np.zeros(len(texts))
    nz = counts > 0
    inv[nz] = 1.0 / np.sqrt(counts[nz])
    if flag.any():  # Filipino texts also fire the Filipino-only copy of each bucket (same value)
        copy = flag[doc] > 0
        doc = np.concatenate([doc, doc[copy]])
        bucket = np.concatenate([bucket, bucket[copy] + N_BUCKETS])
    return Feats(len(texts), doc, bucket, inv, flag, flat, seps)


_last_lock = threading.Lock()
_last: list = [None, None]


def featurize(texts: list[str]) -> Feats:
    """Features of a batch. The last batch is remembered, so the sentiment and toxicity steps of one
    chain run featurise it once."""
    key = tuple(t or "" for t in texts)
    with _last_lock:
        if _last[0] == key:
            return _last[1]
    ft = _featurize(list(key))
    with _last_lock:
        _last[:] = [key, ft]
    return ft


def _runs(doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each run of equal values of ``doc`` starts, its value); ``doc`` is a few sorted stretches
    (one per n-gram kind), so there are about as many runs as texts per stretch."""
    if not len(doc):
        return doc, doc
    starts = np.flatnonzero(doc[1:] != doc[:-1]) + 1
    starts = np.concatenate([np.zeros(1, starts.dtype), starts])
    return starts, doc[starts]


class LinearModel:
    """A quantised linear model over :func:`featurize` features, ``K`` outputs.

    ``kind`` is ``"softmax"`` (one multinomial model, outputs sum to 1) or ``"sigmoid"`` (independent
    binary heads). Artefact (``models/<name>.bin.gz``): gzip of one line of JSON ``{classes, kind, bias,
    scale, rows, features, meta}``, a newline, then the weights as a dense ``int8`` matrix ``(N_ROWS, K)``
    (w = scale × q), row-major. logits = bias + scale × inv × Σ q[bucket] over a text's occurrences.
    """

    def __init__(self, path: Path):
        raw = path.read_bytes()
        self.sha = hashlib.sha256(raw).hexdigest()[:12]
        head, _, body = gzip.decompress(raw).partition(b"\n")
        d = json.loads(head)
        self.classes: list[str] = d["classes"]
        self.kind: str = d["kind"]
        self.bias = np.asarray(d["bias"], np.float64)
        self.scale: float = d["scale"]
        self.meta: dict = d.get("meta", {})
        if d.get("rows") != N_ROWS or d.get("features") != FEATURES_VERSION:
            raise ValueError(f"{path.name}: built for another feature space")
        self.k = len(self.classes)
        w = np.frombuffer(body, np.int8).reshape(N_ROWS, self.k)
        self.cols = [np.ascontiguousarray(w[:, j]) for j in range(self.k)]  # one int8 column per output

    def logits(self, ft: Feats) -> np.ndarray:
        """(n, K) logits of a featurised batch: per output, one gather, one ``reduceat`` over the runs of
        equal ``doc`` and a small ``bincount`` of the run sums (the sums are integers, so exact in any order)."""
        starts, run_doc = _runs(ft.doc)
        sums = np.stack([np.bincount(run_doc, weights=np.add.reduceat(col[ft.bucket].astype(np.int64), starts),
                                     minlength=ft.n) for col in self.cols], axis=1)
        return self.bias + sums * (self.scale * ft.inv)[:, None]

    def predict_proba(self, texts: list[str] | Feats) -> np.ndarray:
        """(n, K) probabilities for a list of texts (or an already featurised batch)."""
        z = self.logits(texts if isinstance(texts, Feats) else featurize(texts))
        if self.kind == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def export_model(path: Path, classes: list[str], kind: str, coef, intercept, meta: dict) -> dict:
    """Quantise and write a model (used by the training scripts).

    ``coef``: array (K, N_ROWS) — the buckets, then their Filipino copies; ``intercept``: (K,). Weights are
    scaled so the 99.99th percentile of the non-zero |w| maps to 127 (the rare larger ones are clipped), then
    rounded.
    """
    w = np.asarray(coef, dtype=np.float64)
    k = w.shape[0]
    assert w.shape[1] == N_ROWS and len(classes) == k
    nz_abs = np.abs(w[w != 0])
    top = float(np.quantile(nz_abs, 0.9999)) if nz_abs.size else 1.0
    scale = top / 127.0
    q = np.ascontiguousarray(np.clip(np.rint(w / scale), -127, 127).astype(np.int8).T)  # (N_ROWS, K)
    d = {"classes": classes, "kind": kind, "bias": [float(x) for x in intercept], "scale": scale, "rows": N_ROWS,
         "features": FEATURES_VERSION, "meta": meta}
    data = json.dumps(d, separators=(",", ":"), ensure_ascii=True).encode() + b"\n" + q.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, 9, mtime=0))
    return {"non_zero_rows": int(np.any(q != 0, axis=1).sum()), "bytes": path.stat().st_size}


def artefact(name: str) -> Path:
    return MODELS_DIR / f"{name}.bin.gz"


@cache
def load_model(name: str) -> LinearModel:
    """Load ``models/<name>.bin.gz`` once per process (shared by every step instance)."""
    return LinearModel(artefact(name))


def artefact_version(name: str, step: int) -> str:
    """``<step>-<features>-<artefact sha256[:12]>`` — cheap (hashes the file, does not parse it)."""
    try:
        sha = hashlib.sha256(artefact(name).read_bytes()).hexdigest()[:12]
    except OSError:
        sha = "missing"
    return f"{step}-{FEATURES_VERSION}-{sha}"
