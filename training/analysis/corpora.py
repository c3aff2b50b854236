"""Dataset loaders for the sentiment/toxicity training scripts and bench/quality.py.

Reads /work/shared/datasets (or $KAPWA_DATASETS). Training code only ever calls the ``*_train`` loaders;
validation loaders exist for bench/quality.py. Nothing here is imported at run time.
"""

from __future__ import annotations

import csv
import html
import os
import re
from pathlib import Path

ROOT = Path(os.environ.get("KAPWA_DATASETS", Path(__file__).resolve().parents[3] / "shared" / "datasets"))
if not ROOT.exists():
    ROOT = Path("/work/shared/datasets")

_U = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape(s: str) -> str:
    s = _U.sub(lambda m: chr(int(m.group(1), 16)), s)
    s = s.replace('\\"', '"').replace("\\/", "/")
    if len(s) > 1 and s[0] == '"' and s[-1] == '"':
        s = s[1:-1]
    return html.unescape(s)


def overlap_key(s: str) -> str:
    s = re.sub(r"@\w+", "@user", unescape(s).lower())
    s = re.sub(r"https?://\S+", "", s)
    return re.sub(r"[^a-z0-9]+", "", s)


def _lines(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines()


# --- TweetEval ----------------------------------------------------------------------------------
def tweeteval(task: str, split: str) -> tuple[list[str], list[int]]:
    d = ROOT / "tweeteval" / task
    texts = _lines(d / f"{split}_text.txt")
    labels = [int(x) for x in _lines(d / f"{split}_labels.txt")]
    assert len(texts) == len(labels), task
    return texts, labels


# --- sentiment ----------------------------------------------------------------------------------
SENT = ["negative", "neutral", "positive"]


def semeval_train(drop_tweeteval_val: bool = True) -> tuple[list[str], list[int], int]:
    """All SemEval-2017 4A English files, deduplicated, minus tweets in TweetEval sentiment validation.

    Returns texts, labels (0 neg / 1 neu / 2 pos) and the number of dropped overlapping tweets.
    """
    banned = {overlap_key(t) for t in tweeteval("sentiment", "val")[0]} if drop_tweeteval_val else set()
    banned.discard("")
    seen: set[str] = set()
    texts, labels, dropped = [], [], 0
    for p in sorted((ROOT / "semeval2017_task4a").glob("twitter-*-A.tsv")):
        for line in _lines(p):
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in SENT:
                continue
            text = unescape(parts[2])
            key = overlap_key(text)
            if key in banned:
                dropped += 1
                continue
            if key in seen:
                continue
            seen.add(key)
            texts.append(text)
            labels.append(SENT.index(parts[1]))
    return texts, labels, dropped


def _csv(p: Path, text="text", label="label") -> tuple[list[str], list[int]]:
    with p.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r[text] and r[label] != ""]
    return [r[text] for r in rows], [int(float(r[label])) for r in rows]


def shopee(split: str) -> tuple[list[str], list[int]]:
    """split: train | validation; label 1 positive → mapped to 2, 0 → 0 (negative)."""
    t, y = _csv(ROOT / "tl_shopee_reviews" / f"{split}.csv")
    return t, [2 if v == 1 else 0 for v in y]


def tl_tweets() -> tuple[list[str], list[int]]:
    d = ROOT / "tl_tweets_sentiment"
    pos = [x for x in _lines(d / "clean__xpos_train_clean.txt") if x.strip()]
    neg = [x for x in _lines(d / "clean__xneg_train_clean.txt") if x.strip()]
    return pos + neg, [2] * len(pos) + [0] * len(neg)


def airline() -> tuple[list[str], list[int], list[str]]:
    with (ROOT / "airline_sentiment" / "Tweets.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return ([r["text"] for r in rows], [SENT.index(r["airline_sentiment"]) for r in rows],
            [r["negativereason"] for r in rows])


def vader(name: str = "tweets") -> tuple[list[str], list[float]]:
    texts, ratings = [], []
    for line in (ROOT / "vader_groundtruth" / f"{name}_GroundTruth.txt").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            ratings.append(float(parts[1]))
            texts.append(parts[2])
    return texts, ratings


# --- toxicity -----------------------------------------------------------------------------------
def davidson() -> tuple[list[str], list[int]]:
    """class 0 hate, 1 offensive, 2 neither."""
    t, y = _csv(ROOT / "davidson_hate_offensive" / "labeled_data.csv", text="tweet", label="class")
    return [html.unescape(x) for x in t], y


def tl_hate(split: str) -> tuple[list[str], list[int]]:
    """split: train | valid; label 1 hate."""
    return _csv(ROOT / "tl_hatespeech_filipino" / f"{split}.csv")
