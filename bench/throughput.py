"""Analysis throughput: the whole default chain over 100,000 mixed-language messages, messages/s, start-up
time and resident memory, with VADER-only scoring of the same messages in the same run as the baseline.

Two sets of messages, each measured both ways:
* ``demo`` — the demo community's generator over several seeds (English, Filipino, Taglish chat). It repeats
  itself (about 38 % of the texts are distinct), as chat does, and the language step caches per text;
* ``distinct`` — 100,000 distinct real texts from ../shared/datasets (train splits: SemEval English tweets,
  TweetEval offensive, Davidson, Shopee Tagalog reviews, Filipino hate-speech and sentiment tweets),
  taken round-robin so English and Filipino alternate; skipped when the datasets are absent.

    python bench/throughput.py [--n 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def texts(n: int, kind: str = "demo") -> list[str]:
    if kind == "distinct":
        return distinct_texts(n)
    from kapwa.demo import build_plan

    out: list[str] = []
    seed = 1
    while len(out) < n:
        plan = build_plan(seed=seed, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        out.extend(m.text for m in plan.messages())
        seed += 1
    return out[:n]


def distinct_texts(n: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "training" / "analysis"))
    import corpora

    pools = [corpora.semeval_train()[0], corpora.shopee("train")[0], corpora.tweeteval("offensive", "train")[0],
             corpora.tl_hate("train")[0], corpora.davidson()[0], corpora.tl_tweets()[0]]
    out: list[str] = []
    seen: set[str] = set()
    for row in itertools.zip_longest(*pools):
        for t in row:
            if t and t not in seen:
                seen.add(t)
                out.append(t)
        if len(out) >= n:
            break
    return out[:n]


def datasets_present() -> bool:
    sys.path.insert(0, str(ROOT / "training" / "analysis"))
    import corpora

    return corpora.ROOT.exists()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, n: int, kind: str) -> None:
    import resource

    data = texts(n, kind)
    before = rss_mb()
    t0 = time.perf_counter()
    if mode == "chain":
        from kapwa.analysis.chain import Chain

        chain = Chain()
        chain.analyze(["warm-up po, salamat!"])  # models load lazily: this is the start-up
        startup = time.perf_counter() - t0
        loaded = rss_mb() - before
        t = time.perf_counter()
        for i in range(0, len(data), 500):
            chain.analyze(data[i : i + 500])
        secs = time.perf_counter() - t
        steps = [f"{s.name} {s.version}" for s in chain.steps]
    else:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        startup = time.perf_counter() - t0
        loaded = rss_mb() - before
        t = time.perf_counter()
        for text in data:
            vader.polarity_scores(text)
        secs = time.perf_counter() - t
        steps = ["vader"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "rate": len(data) / secs, "startup": startup, "models_mb": loaded,
                      "peak_mb": peak, "steps": steps, "n": len(data), "distinct": len(set(data))}))


def run(mode: str, n: int, kind: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--n", str(n), "--texts", kind],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--child", choices=["chain", "vader"])
    ap.add_argument("--texts", choices=["demo", "distinct"], default="demo")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.n, args.texts)
    from _report import write_section

    lines = ["Batches of 500, one process per run, this 2-core machine; VADER scores the same messages one by one.", "",
             "| messages | run | messages/s | start-up (models loaded) s | memory for the loaded models MB | peak RSS MB | ÷ VADER time |",
             "|---|---|---:|---:|---:|---:|---:|"]
    steps: list[str] = []
    for kind in ("demo", "distinct"):
        if kind == "distinct" and not datasets_present():
            lines.append("| distinct real texts | skipped: ../shared/datasets not found | | | | | |")
            continue
        chain = run("chain", args.n, kind)
        steps = chain["steps"]
        try:
            vader = run("vader", args.n, kind)
        except SystemExit as exc:
            print("VADER baseline unavailable (pip install vaderSentiment):", str(exc)[-300:])
            vader = None
        what = (f"{chain['n']:,} from the demo generator ({chain['distinct']:,} distinct)" if kind == "demo"
                else f"{chain['n']:,} distinct real texts (EN + TL datasets)")
        ratio = f"**{chain['seconds'] / vader['seconds']:.2f}×**" if vader else "n/a"
        lines.append(f"| {what} | whole default chain | {chain['rate']:,.0f} | {chain['startup']:.2f} | "
                     f"{chain['models_mb']:.0f} | {chain['peak_mb']:.0f} | {ratio} |")
        if vader:
            lines.append(f"| | VADER only (baseline) | {vader['rate']:,.0f} | {vader['startup']:.2f} | "
                         f"{vader['models_mb']:.0f} | {vader['peak_mb']:.0f} | 1 |")
    lines += ["", "Steps: " + ", ".join(steps) + ".",
              "Targets (issue #4): ≥ 2,000 messages/s, ≤ 3× VADER-only time, start-up ≤ 3 s, models ≤ 300 MB."]
    body = "\n".join(lines)
    print(body)
    write_section("Analysis throughput (bench/throughput.py)", body)


if __name__ == "__main__":
    main()
