"""Train the sentiment model (kapwa/analysis/models/sentiment.json.gz).

One joint multinomial logistic regression (negative / neutral / positive) over features.py's hashed
n-grams, on:
  * SemEval-2017 Task 4A English tweets, all files, deduplicated, minus every tweet that also appears in
    TweetEval's sentiment validation split (matched on text with @mentions masked);
  * tl_shopee_reviews train (binary: 1 → positive, 0 → negative);
  * tl_tweets_sentiment (binary; all of it — bench/quality.py reports 5-fold CV for it);
  * training/analysis/seed_tl.tsv: 67 hand-written Filipino/Taglish community messages (40 neutral), weight
    SEED_WEIGHT each, because the Filipino corpora have no neutral class and the model otherwise learns
    "Filipino ⇒ polar" (e.g. a polite question read as a complaint).
Not used: TweetEval/Shopee validation, the VADER ground truth, airline_sentiment (benchmarks only).

    pip install scikit-learn numpy scipy    # training only, never at run time
    .venv/bin/python training/analysis/train_sentiment.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data
import numpy as np
from common import F, check_identical, fit_lr, matrix

C = 4.0  # fixed a priori (not tuned on any split that is reported)
SEED_WEIGHT = 10.0
OUT = F.MODELS_DIR / "sentiment.json.gz"


def training_set(tl_tweets_subset: tuple[list[str], list[int]] | None = None, extra=None):
    """(texts, labels, sources). ``tl_tweets_subset`` replaces tl_tweets (for CV); ``extra`` is appended."""
    en, en_y, _ = data.semeval_train()
    sh, sh_y = data.shopee("train")
    tt, tt_y = tl_tweets_subset if tl_tweets_subset is not None else data.tl_tweets()
    texts, labels, src = en + sh + tt, en_y + sh_y + tt_y, ["en"] * len(en) + ["shopee"] * len(sh) + ["tl_tweets"] * len(tt)
    seed = seed_set()
    texts, labels, src = texts + seed[0], labels + seed[1], src + ["seed_tl"] * len(seed[0])
    if extra:
        texts, labels, src = texts + extra[0], labels + extra[1], src + ["extra"] * len(extra[0])
    return texts, labels, src


def seed_set() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in (Path(__file__).resolve().parent / "seed_tl.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lab, text = line.split("\t", 1)
            texts.append(text)
            labels.append(data.SENT.index(lab))
    return texts, labels


def train(texts, labels, src, X=None, tol: float = 1e-4):
    X = matrix(texts) if X is None else X
    w = np.where(np.asarray(src) == "seed_tl", SEED_WEIGHT, 1.0)
    return fit_lr(X, np.asarray(labels), C=C, class_weight="balanced", sample_weight=w, tol=tol)


def main() -> None:
    t0 = time.time()
    texts, labels, src = training_set()
    check_identical(texts[:200] + texts[-200:])
    clf = train(texts, labels, src)
    _, _, dropped = data.semeval_train()
    meta = {"trained": dt.date.today().isoformat(), "n_train": len(texts), "C": C,
            "sources": {s: src.count(s) for s in sorted(set(src))},
            "semeval_rows_dropped_overlapping_tweeteval_val": dropped,
            "class_counts": {data.SENT[i]: labels.count(i) for i in range(3)}}
    info = export(clf, meta)
    print(f"sentiment: {len(texts)} texts, {info}, {time.time() - t0:.0f} s")


def export(clf, meta):
    assert list(clf.classes_) == [0, 1, 2]
    return F.export_model(OUT, data.SENT, "softmax", clf.coef_, clf.intercept_, meta)


if __name__ == "__main__":
    main()
