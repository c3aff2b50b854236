"""Train the toxicity model (kapwa/analysis/models/toxicity.bin.gz): two binary logistic heads.

* ``toxic`` — offensive/abusive in general: TweetEval offensive train (1 = offensive), Davidson
  (hate or offensive → 1, neither → 0), TweetEval hate train positives (hate is also toxic; its negatives
  are left out because "not hate" may still be offensive), tl_hatespeech_filipino train (1 = hate).
* ``hate`` — attacks on a group (→ category identity_attack): TweetEval hate train, Davidson (hate → 1).
Benign Filipino text, so that "Filipino" alone does not read as toxic (the only Filipino toxicity corpus is
election tweets): tl_shopee_reviews train (incl. angry complaints — a complaint is not toxicity) and the
hand-written seed_tl.tsv / seed_en.tsv community messages (weight SEED_WEIGHT each), all as toxic = 0. Classes are balanced (class_weight="balanced").
Per-dataset sample weights keep the large Davidson set (83 % offensive) from dominating: weight =
min(1, 12000 / n_dataset). Not used: any validation split (benchmarks only).
The other categories (profanity, insult, threat, harassment) come from the hand-written lexicons in
kapwa/analysis/toxicity.py combined with these heads.

    pip install scikit-learn numpy scipy    # training only
    .venv/bin/python training/analysis/train_toxicity.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpora
import numpy as np
from common import F, check_identical, fit_lr, matrix

C = 4.0  # fixed a priori
CAP = 12000
SEED_WEIGHT = 10.0  # per hand-written benign message: community help-desk register is rare in the corpora
OUT = F.artefact("toxicity")


def sources(davidson_subset=None):
    """{name: (texts, toxic labels or None, hate labels or None)}; ``davidson_subset`` replaces Davidson (CV)."""
    off_t, off_y = corpora.tweeteval("offensive", "train")
    hate_t, hate_y = corpora.tweeteval("hate", "train")
    dv_t, dv_y = davidson_subset if davidson_subset is not None else corpora.davidson()
    tl_t, tl_y = corpora.tl_hate("train")
    sh_t, _ = corpora.shopee("train")
    from train_sentiment import seed_set

    seed_t = seed_set("seed_tl")[0] + seed_set("seed_en")[0]
    return {
        "shopee_benign": (sh_t, [0] * len(sh_t), None),
        "seed_benign": (seed_t, [0] * len(seed_t), None),
        "tweeteval_offensive": (off_t, off_y, None),
        "tweeteval_hate": (hate_t, [1 if y else None for y in hate_y], hate_y),
        "davidson": (dv_t, [1 if y in (0, 1) else 0 for y in dv_y], [1 if y == 0 else 0 for y in dv_y]),
        "tl_hatespeech": (tl_t, tl_y, None),
    }


def train(srcs, cache: dict | None = None, tol: float = 1e-4):
    """Fit both heads; returns (toxic_clf, hate_clf, meta). ``cache`` maps dataset name → CSR matrix."""
    cache = cache if cache is not None else {}
    heads, meta = {}, {}
    for head, col in (("toxic", 1), ("hate", 2)):
        Xs, ys, ws = [], [], []
        for name, rec in srcs.items():
            texts, lab = rec[0], rec[col]
            if lab is None:
                continue
            if name not in cache:
                cache[name] = matrix(texts)
            keep = [i for i, v in enumerate(lab) if v is not None]
            Xs.append(cache[name][keep])
            ys.extend(lab[i] for i in keep)
            ws.extend([SEED_WEIGHT if name == "seed_benign" else min(1.0, CAP / len(keep))] * len(keep))
            meta[f"{head}:{name}"] = len(keep)
        import scipy.sparse as sp

        heads[head] = fit_lr(sp.vstack(Xs).tocsr(), np.asarray(ys), C=C, sample_weight=np.asarray(ws),
                             class_weight="balanced", tol=tol)
    return heads["toxic"], heads["hate"], meta


def export(toxic, hate, meta):
    coef = np.vstack([toxic.coef_[0], hate.coef_[0]])
    bias = [toxic.intercept_[0], hate.intercept_[0]]
    return F.export_model(OUT, ["toxic", "hate"], "sigmoid", coef, bias, meta)


def main() -> None:
    t0 = time.time()
    srcs = sources()
    check_identical(srcs["tl_hatespeech"][0][:200] + srcs["davidson"][0][:200])
    toxic, hate, counts = train(srcs)
    meta = {"trained": dt.date.today().isoformat(), "C": C, "weight_cap": CAP, "rows": counts}
    info = export(toxic, hate, meta)
    F.load_model.cache_clear()
    check_identical(srcs["tl_hatespeech"][0][:100] + srcs["tweeteval_offensive"][0][:100], F.load_model("toxicity"))
    print(f"toxicity: {counts}, {info}, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
