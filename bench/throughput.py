"""Analysis throughput: the whole default chain over 100,000 mixed-language messages (English, Filipino,
Taglish — the demo community's texts from several seeds), messages/s, start-up time and resident memory,
with VADER-only scoring of the same messages in the same run as the baseline.

    python bench/throughput.py [--n 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def texts(n: int) -> list[str]:
    from kapwa.demo import build_plan

    out: list[str] = []
    seed = 1
    while len(out) < n:
        plan = build_plan(seed=seed, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        out.extend(m.text for m in plan.messages())
        seed += 1
    return out[:n]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, n: int) -> None:
    import resource

    data = texts(n)
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
    print(json.dumps({"seconds": secs, "rate": n / secs, "startup": startup, "models_mb": loaded,
                      "peak_mb": peak, "steps": steps}))


def run(mode: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--n", str(n)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--child", choices=["chain", "vader"])
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.n)
    from _report import write_section

    chain = run("chain", args.n)
    try:
        vader = run("vader", args.n)
    except SystemExit as exc:
        print("VADER baseline unavailable (pip install vaderSentiment):", str(exc)[-300:])
        vader = None
    lines = [f"{args.n:,} messages from the demo community's generator (English, Filipino, Taglish), batches of 500, "
             "one process each, this 2-core machine.", "",
             "| run | messages/s | start-up (models loaded) s | memory for the loaded models MB | peak RSS MB |",
             "|---|---:|---:|---:|---:|",
             f"| whole default chain | {chain['rate']:,.0f} | {chain['startup']:.2f} | {chain['models_mb']:.0f} | "
             f"{chain['peak_mb']:.0f} |"]
    if vader:
        lines.append(f"| VADER only (baseline) | {vader['rate']:,.0f} | {vader['startup']:.2f} | "
                     f"{vader['models_mb']:.0f} | {vader['peak_mb']:.0f} |")
        lines += ["", f"Whole chain ÷ VADER-only time: **{chain['seconds'] / vader['seconds']:.2f}×**."]
    lines += ["", "Steps: " + ", ".join(chain["steps"]) + ".",
              "Targets (issue #4): ≥ 2,000 messages/s, ≤ 3× VADER-only time, start-up ≤ 3 s, models ≤ 300 MB."]
    body = "\n".join(lines)
    print(body)
    write_section("Analysis throughput (bench/throughput.py)", body)


if __name__ == "__main__":
    main()
