"""Quality of the sentiment and toxicity steps against the published anchors in ../shared/datasets/README.md.

    .venv/bin/python bench/quality.py [--quick]      # --quick: skip the cross-validated rows (prints only)

Needs scikit-learn + numpy + scipy (training extras; `pip install scikit-learn numpy scipy`), and
vaderSentiment for the VADER column (skipped when absent). Shipped-model rows use only validation splits
or sets never trained on; "CV" rows retrain inside each of 5 folds with the training scripts' own
functions (seeded), so no fold's test part is ever seen in training. Anchors are on the test splits, which
are withheld, so they compare only roughly with our validation figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training" / "analysis"))

from _report import write_section


class F1s:
    """Davidson's three figures per fold (weighted F1, F1 of class 0 = hate, macro F1), then their means."""

    def __init__(self):
        self.folds: list[tuple[float, float, float]] = []

    def __call__(self, y, pred) -> None:
        from sklearn.metrics import f1_score

        self.folds.append((f1_score(y, pred, average="weighted"), f1_score(y, pred, labels=[0], average="macro"),
                           f1_score(y, pred, average="macro")))

    def mean(self) -> str:
        return " / ".join(f"{sum(f[i] for f in self.folds) / len(self.folds):.3f}" for i in range(3))


def nbsvm_cv(texts: list[str], y, folds) -> list[float]:
    """The published classical baseline re-run in our folds: NB-SVM (binarised word 1–3-grams scaled by their
    log-count ratio, linear SVM, C = 1), trained on the fold's tl_tweets only. Mean per-class accuracy."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.svm import LinearSVC

    out = []
    for tr, te in folds.split(texts, y):
        cv = CountVectorizer(ngram_range=(1, 3), binary=True).fit([texts[i] for i in tr])
        Xtr, Xte = cv.transform([texts[i] for i in tr]), cv.transform([texts[i] for i in te])
        p = np.asarray(Xtr[y[tr] == 2].sum(0)).ravel() + 1.0
        q = np.asarray(Xtr[y[tr] == 0].sum(0)).ravel() + 1.0
        r = sp.diags(np.log((p / p.sum()) / (q / q.sum())))
        pred = LinearSVC(C=1.0, max_iter=5000).fit(Xtr @ r, y[tr]).predict(Xte @ r)
        out.append(float(np.mean([np.mean(pred[y[te] == c] == c) for c in (0, 2)])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the cross-validated rows")
    args = ap.parse_args()
    t_start = time.time()

    # speed first, in a clean state: load time, texts/s for both steps on one core, resident memory
    import corpora

    from kapwa.analysis import features as F
    from kapwa.analysis.sentiment import SentimentStep
    from kapwa.analysis.toxicity import ToxicityStep

    if not corpora.ROOT.exists():
        print(f"datasets not found at {corpora.ROOT}; nothing to measure")
        return
    t0 = time.perf_counter()
    sm, tm = F.load_model("sentiment"), F.load_model("toxicity")
    load_s = time.perf_counter() - t0
    speed_texts = corpora.tweeteval("offensive", "train")[0][:3000] + corpora.shopee("train")[0][:2000]
    steps = [SentimentStep(), ToxicityStep()]
    F._last[:] = [None, None]
    t0 = time.perf_counter()
    for i in range(0, len(speed_texts), 500):
        batch = speed_texts[i : i + 500]
        res = [{} for _ in batch]
        for s in steps:
            s.run(batch, res)
    tps = len(speed_texts) / (time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sizes = {n: F.artefact(n).stat().st_size for n in ("sentiment", "toxicity")}

    import numpy as np
    from scipy.stats import pearsonr
    from sklearn.metrics import accuracy_score, f1_score, recall_score
    from sklearn.model_selection import StratifiedKFold

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
    except ImportError:
        vader = None

    def proba(model, texts):
        """Run-time scoring (features.featurize + the shipped model), in batches."""
        return np.vstack([model.predict_proba(F._featurize(texts[i : i + 2000])) for i in range(0, len(texts), 2000)])

    def ours_sent(texts):
        return proba(sm, texts).argmax(axis=1).tolist()

    def vader_sent(texts):
        out = []
        for t in texts:
            c = vader.polarity_scores(t)["compound"]
            out.append(2 if c >= 0.05 else 0 if c <= -0.05 else 1)
        return out

    rows = []  # (set, metric, ours, vader, anchors)

    def add(name, metric, ours, vad="", anchor=""):
        rows.append((name, metric, ours, vad, anchor))
        print(f"{name:55s} {metric:28s} {ours:>14s} {vad:>8s}  {anchor}")

    fmt = "{:.3f}".format
    # English sentiment: VADER tweets ground truth (mean rating > 0.5 pos, < -0.5 neg, else neutral)
    vt, vr = corpora.vader("tweets")
    vy = [2 if r > 0.5 else 0 if r < -0.5 else 1 for r in vr]
    p = ours_sent(vt)
    v = vader_sent(vt) if vader else None
    add("VADER tweets ground truth (4,200; never trained on)", "3-class macro F1", fmt(f1_score(vy, p, average="macro")),
        fmt(f1_score(vy, v, average="macro")) if v else "", "VADER paper 0.96 (its own F1 definition)")
    add("", "3-class accuracy", fmt(accuracy_score(vy, p)), fmt(accuracy_score(vy, v)) if v else "", "")
    pr = proba(sm, vt)
    add("", "Pearson r, score vs mean rating", fmt(pearsonr(pr[:, 2] - pr[:, 0], vr)[0]),
        fmt(pearsonr([vader.polarity_scores(t)["compound"] for t in vt], vr)[0]) if vader else "",
        "paper: VADER 0.881, Hu-Liu04 0.756, humans 0.888")
    tt, ty = corpora.tweeteval("sentiment", "val")
    p = ours_sent(tt)
    add("TweetEval sentiment validation (2,000)", "macro recall", fmt(recall_score(ty, p, average="macro")),
        fmt(recall_score(ty, vader_sent(tt), average="macro")) if vader else "",
        "test: SVM 0.629, RoBERTa 0.728, BERTweet 0.734")
    at, ay, areason = corpora.airline()
    p = ours_sent(at)
    add("airline_sentiment, shipped model (14,640; never trained on)", "3-class macro F1",
        fmt(f1_score(ay, p, average="macro")), fmt(f1_score(ay, vader_sent(at), average="macro")) if vader else "",
        "none published")
    # Filipino sentiment
    st, sy = corpora.shopee("validation")
    pr = proba(sm, st)
    add("tl_shopee_reviews validation (6,000)", "accuracy (P(pos) > P(neg))",
        fmt(accuracy_score(sy, np.where(pr[:, 2] > pr[:, 0], 2, 0))), "", "test: multinomial NB 0.9005")
    # English toxicity
    i_t, i_h = tm.classes.index("toxic"), tm.classes.index("hate")
    ot, oy = corpora.tweeteval("offensive", "val")
    add("TweetEval offensive validation (1,324)", "macro F1 (toxic ≥ 0.5)",
        fmt(f1_score(oy, (proba(tm, ot)[:, i_t] >= 0.5).astype(int), average="macro")), "",
        "test: SVM 0.523, RoBERTa 0.805, BERTweet 0.795")
    ht, hy = corpora.tweeteval("hate", "val")
    add("TweetEval hate validation (1,000)", "macro F1 (hate ≥ 0.5)",
        fmt(f1_score(hy, (proba(tm, ht)[:, i_h] >= 0.5).astype(int), average="macro")), "",
        "test: SVM 0.367, RoBERTa 0.523, BERTweet 0.564")
    # Filipino toxicity
    lt, ly = corpora.tl_hate("valid")
    add("tl_hatespeech_filipino validation (4,232)", "accuracy (toxic ≥ 0.5)",
        fmt(accuracy_score(ly, (proba(tm, lt)[:, i_t] >= 0.5).astype(int))), "",
        "ELECTRA-small valid 0.7655 (test 0.7467); NB test 0.7427")

    # the same sets through the toxicity step, as `kapwa analyze` reports them (lexicon categories and floors,
    # and the rescaling of a lone model call — kapwa/analysis/toxicity.py)
    from kapwa.analysis.toxicity import score_batch

    def step_tox(texts):
        return np.array([s for i in range(0, len(texts), 500) for s, _ in score_batch(texts[i : i + 500])])

    add("TweetEval offensive validation, toxicity step", "macro F1 (score ≥ 0.5)",
        fmt(f1_score(oy, (step_tox(ot) >= 0.5).astype(int), average="macro")), "", "as above")
    add("tl_hatespeech_filipino validation, toxicity step", "accuracy (score ≥ 0.5)",
        fmt(accuracy_score(ly, (step_tox(lt) >= 0.5).astype(int))), "", "as above")

    if not args.quick:
        import scipy.sparse as sp
        import train_sentiment as TS
        import train_toxicity as TT
        from common import SEED, matrix

        skf = StratifiedKFold(5, shuffle=True, random_state=SEED)

        # sentiment base = everything but tl_tweets; folds add part of tl_tweets / airline. Each fold runs the
        # shipped recipe (TS.train: per-source class balance and weights, NB scaling computed on the fold's
        # training rows); lbfgs starts from a fit on the base alone (same optimum, fewer iterations) and runs to
        # the shipped tolerance: from that start the gradient is already small, and at 1e-3 it stopped after a
        # few iterations, before the fold's own rows had moved the weights (airline fold 0: 0.648 vs 0.748).
        base_t, base_y, base_src = TS.training_set(tl_tweets_subset=([], []))
        Xb = matrix(base_t)
        base_fit = TS.train(None, base_y, base_src, X=Xb, tol=1e-3)
        tlt, tly = corpora.tl_tweets()
        Xtl = matrix(tlt)
        tly = np.asarray(tly)
        accs = []
        for tr, te in skf.split(tlt, tly):
            clf = TS.train(None, list(base_y) + tly[tr].tolist(), list(base_src) + ["tl_tweets"] * len(tr),
                           X=sp.vstack([Xb, Xtl[tr]]).tocsr(), tol=1e-4, init=base_fit)
            pr = clf.predict_proba(Xtl[te])
            pred = np.where(pr[:, 2] > pr[:, 0], 2, 0)
            accs.append(np.mean([np.mean(pred[tly[te] == c] == c) for c in (0, 2)]))
        add("tl_tweets_sentiment, 5-fold CV (4,108)", "mean per-class accuracy", f"{np.mean(accs):.3f}±{np.std(accs):.3f}",
            "", "test: LSTM-512 0.7348, NB-SVM 0.7244")
        nb = nbsvm_cv(tlt, tly, skf)
        add("", "the NB-SVM baseline in the same folds", f"{np.mean(nb):.3f}±{np.std(nb):.3f}", "",
            "Wang & Manning 2012: word 1–3-grams, tl_tweets only")

        # airline: base = full shipped training set; folds add airline train part
        full_t, full_y, full_src = TS.training_set()
        Xf = matrix(full_t)
        full_fit = TS.train(None, full_y, full_src, X=Xf, tol=1e-3)
        Xa = matrix(at)
        ay_ = np.asarray(ay)
        f1s, accs = [], []
        for tr, te in skf.split(at, ay_):
            clf = TS.train(None, list(full_y) + ay_[tr].tolist(), list(full_src) + ["airline"] * len(tr),
                           X=sp.vstack([Xf, Xa[tr]]).tocsr(), tol=1e-4, init=full_fit)
            pred = clf.predict(Xa[te])
            f1s.append(f1_score(ay_[te], pred, average="macro"))
            accs.append(accuracy_score(ay_[te], pred))
        add("airline_sentiment, 5-fold CV (airline folds added)", "3-class macro F1 / accuracy",
            f"{np.mean(f1s):.3f} / {np.mean(accs):.3f}", "", "none published")

        # airline complaint reason (negative tweets with a reason), airline data only
        from common import fit_lr

        idx = [i for i, r in enumerate(areason) if ay[i] == 0 and r]
        ry = np.asarray([areason[i] for i in idx])
        Xr = Xa[idx]
        f1s, accs = [], []
        for tr, te in skf.split(idx, ry):
            clf = fit_lr(Xr[tr], ry[tr], C=4.0, class_weight="balanced", tol=1e-3)
            pred = clf.predict(Xr[te])
            f1s.append(f1_score(ry[te], pred, average="macro"))
            accs.append(accuracy_score(ry[te], pred))
        add(f"airline complaint reason, 5-fold CV ({len(idx):,}; {len(set(ry))} classes)",
            "macro F1 / accuracy", f"{np.mean(f1s):.3f} / {np.mean(accs):.3f}", "", "none published (not shipped)")

        # Davidson: toxicity heads retrained per fold, 3-class = hate if hate ≥ .5 & toxic ≥ .5, else offensive
        # if toxic ≥ .5, else neither
        dt_, dy = corpora.davidson()
        dy = np.asarray(dy)
        cache: dict = {}
        davidson_f1s = F1s()
        Xd = matrix(dt_)
        for tr, te in skf.split(dt_, dy):
            srcs = TT.sources(davidson_subset=([dt_[i] for i in tr], dy[tr].tolist()))
            cache.pop("davidson", None)
            cache["davidson"] = Xd[tr]
            toxic, hate, _ = TT.train(srcs, cache, tol=1e-3)
            pt = toxic.predict_proba(Xd[te])[:, 1]
            ph = hate.predict_proba(Xd[te])[:, 1]
            davidson_f1s(dy[te], np.where((ph >= 0.5) & (pt >= 0.5), 0, np.where(pt >= 0.5, 1, 2)))
        add("Davidson hate/offensive/neither, 5-fold CV (24,783)", "weighted F1 / hate F1 / macro F1",
            davidson_f1s.mean(), "", "paper LR in-sample: weighted 0.90, hate 0.51")
        # the paper's own set-up on our features: one 3-class logistic regression on Davidson alone, balanced
        # classes (not shipped: it shows the features, the row above shows the shipped heads' recipe)
        davidson_f1s = F1s()
        for tr, te in skf.split(dt_, dy):
            davidson_f1s(dy[te], fit_lr(Xd[tr], dy[tr], C=4.0, class_weight="balanced", tol=1e-3).predict(Xd[te]))
        add("Davidson, 3-class LR on our features, 5-fold CV", "weighted F1 / hate F1 / macro F1",
            davidson_f1s.mean(), "", "paper LR in-sample: weighted 0.90, hate 0.51 (not shipped)")
    else:
        add("(CV rows skipped: --quick)", "", "", "", "")

    lines = ["| data set | metric | Kapwa (ours) | VADER | published anchor |", "|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    body = "\n".join(lines) + (
        f"\n\nSentiment/toxicity steps: both steps together {tps:,.0f} texts/s on one core (batches of 500, cold "
        f"feature cache), models loaded in {load_s:.2f} s, peak RSS of the whole bench at that point {rss_mb:.0f} MB; "
        f"artefacts sentiment {sizes['sentiment'] / 1e3:.0f} kB, toxicity {sizes['toxicity'] / 1e3:.0f} kB (gzip: a JSON header, then int8 weights).\n\n"
        "CV refits started from an earlier fit (tl_tweets, airline) run to the shipped tolerance 1e-4; the others, started from zero, use 1e-3 to keep the run short. Ours: validation splits or never-trained sets with the shipped models; CV rows retrain within folds. "
        "VADER: compound ≥ 0.05 positive, ≤ −0.05 negative. VADER ground truth: mean rating > 0.5 positive, "
        "< −0.5 negative, else neutral. Anchors are test-set figures (tests withheld), so compare loosely. "
        "SemEval training rows that appear in TweetEval sentiment validation were dropped before training.")
    print(f"\nspeed {tps:,.0f} texts/s, load {load_s:.2f} s, RSS {rss_mb:.0f} MB, sizes {sizes}; bench {time.time() - t_start:.0f} s")
    if args.quick:  # a look while working: the CV rows are missing, so docs/benchmarks.md keeps the full run
        print("(--quick: docs/benchmarks.md not written)")
    else:
        write_section("Sentiment and toxicity quality", body)


if __name__ == "__main__":
    main()
