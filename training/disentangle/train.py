"""Learn the chat-disentanglement weights from the TRAIN split of the Ubuntu IRC corpus (Kummerfeld et al. 2019).

    .venv/bin/python training/disentangle/train.py                 # writes kapwa/ingest/disentangle_weights.json
    .venv/bin/python training/disentangle/train.py --out /tmp/w.json --data /path/to/train

Model: a log-linear ranker. For each annotated line (>= 1000) the candidates are the line itself ("new
conversation") and the previous 100 lines (beyond 30 back only those tied to it by a name, the author, shared
words or the conversation so far), each described by the binary features of
kapwa.ingest.disentangle_features plus one feature per common first word (the lexicon, counted on the
train split). The probability of a candidate is the softmax of its summed weights; training maximises the
log of the probability mass on the gold antecedents (a line with several accepts any of them), by
mini-batch AdaGrad with a fixed seed: the same data gives the same weights.

Two stages, because some features look at the conversations built so far: stage 1 sees the gold links of
earlier lines (teacher forcing); stage 2 sees stage 1's own predictions, as at run time. Stage 2's epochs
and L2 are chosen on a held-out fifth of the TRAIN files (never dev or test); then it is refitted on all
train files. Pure Python, about 8 minutes on one core.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kapwa.ingest.disentangle import WEIGHTS_PATH, Model, disentangle, link_scores, read_irc_log, read_links
from kapwa.ingest.disentangle_feature_ids import LEXICAL_PREFIX, N_FEATURES, NAMES
from kapwa.ingest.disentangle_features import FeatureStream

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "ubuntu_irc_disentanglement" / "train"
SEED = 20190728
WINDOW = 100
START = 1000
STAGE1_EPOCHS = 4


def lexicon_of(data: Path, min_count: int = 40) -> tuple[str, ...]:
    """First words (after any addressee) common enough in the train split to get their own weight."""
    counts: Counter[str] = Counter()
    for raw in sorted(data.glob("*.raw.txt")):
        stream = FeatureStream(window=WINDOW)
        for msg in read_irc_log(raw):
            stream.push(msg, candidates=False)
            q = stream.prepared[-1]
            if not q.system and q.first.isalpha():
                counts[q.first] += 1
    return tuple(sorted(w for w, n in counts.items() if n >= min_count))


def load(data: Path, history: str | Model = "gold", lexicon: tuple[str, ...] = ()) -> list[dict]:
    """Per train file: each annotated line's candidates (index, feature ids) and gold links.

    The history features (the conversations so far) need links for earlier lines: ``"gold"`` feeds the
    annotated links (teacher forcing; lines before 1000 have none), a Model feeds its own predictions for
    every line, as at run time."""
    files = []
    for raw in sorted(data.glob("*.raw.txt")):
        ann = raw.with_name(raw.name.replace(".raw.txt", ".annotation.txt"))
        if not ann.exists():
            continue
        gold = read_links(ann.read_text().splitlines())
        by_line: dict[int, set[int]] = {}
        for src, tgt in gold:
            by_line.setdefault(src, set()).add(tgt)
        messages = read_irc_log(raw)
        stream = FeatureStream(window=WINDOW, lexicon={w: N_FEATURES + k for k, w in enumerate(lexicon)})
        queries = []
        getw = history.weights.__getitem__ if isinstance(history, Model) else None
        for i, msg in enumerate(messages):
            want = i in by_line
            cands = stream.push(msg, candidates=want or getw is not None)
            if getw is not None:
                best = max(cands, key=lambda c: sum(map(getw, c[1])))[0] if len(cands) > 1 else i
                stream.link(i, best)
            elif want and history == "gold":
                in_window = [j for j in by_line[i] if i - j <= WINDOW]
                stream.link(i, max(in_window) if in_window else i)
            if not want:
                continue
            idx = [j for j, _ in cands]
            feats = [tuple(f) for _, f in cands]
            golds = tuple(k for k, j in enumerate(idx) if j in by_line[i])
            queries.append((i, tuple(idx), feats, golds))
        files.append({"name": raw.name, "gold": gold, "queries": queries, "messages": messages})
    return files


def train(files: list[dict], *, n_features: int, epochs: int, l2: float, lr: float = 0.1, batch: int = 32,
          seed: int = SEED, on_epoch=None) -> list[float]:
    rng = random.Random(seed)
    w = [0.0] * n_features
    g2 = [1e-8] * n_features
    data = [(feats, golds) for f in files for (_, _, feats, golds) in f["queries"] if golds and len(feats) > 1]
    exp = math.exp
    for epoch in range(epochs):
        rng.shuffle(data)
        loss = 0.0
        for start in range(0, len(data), batch):
            grad: dict[int, float] = {}
            for feats, golds in data[start : start + batch]:
                getw = w.__getitem__
                scores = [sum(map(getw, f)) for f in feats]
                m = max(scores)
                e = [exp(s - m) for s in scores]
                z = sum(e)
                gz = sum(e[k] for k in golds)
                loss -= math.log(gz / z)
                gold_set = set(golds)
                for k, f in enumerate(feats):
                    coef = e[k] / z
                    if k in gold_set:
                        coef -= e[k] / gz
                    if -1e-6 < coef < 1e-6:
                        continue
                    for fid in f:
                        grad[fid] = grad.get(fid, 0.0) + coef
            n = min(batch, len(data) - start)
            for fid in range(n_features):
                g = grad.get(fid, 0.0) / n + l2 * w[fid]
                if g:
                    g2[fid] += g * g
                    w[fid] -= lr * g / math.sqrt(g2[fid])
        if on_epoch:
            on_epoch(epoch + 1, loss / len(data), w)
    return w


def evaluate(files: list[dict], w: list[float], lexicon: tuple[str, ...]) -> float:
    """Link F1 of the model run as at run time (predicted history), pooled over files, lines >= 1000."""
    model = Model(tuple(w), WINDOW, {}, lexicon)
    gold_all, auto_all = set(), set()
    for f in files:
        links = disentangle(f["messages"], model=model)
        gold_all |= {(f["name"], *p) for p in f["gold"]}
        auto_all |= {(f["name"], i, j) for i, j in enumerate(links) if i >= START}
    return link_scores(gold_all, auto_all)[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the TRAIN split folder")
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--max-epochs", type=int, default=6)
    args = ap.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"no train split at {args.data}")
    t0 = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - t0:4.0f} s] {text}", flush=True)

    lexicon = lexicon_of(args.data)
    n_features = N_FEATURES + len(lexicon)
    say(f"{N_FEATURES} features + {len(lexicon)} first words")

    def split(files: list[dict]) -> tuple[list[dict], list[dict]]:
        order = sorted(files, key=lambda f: f["name"])
        random.Random(SEED).shuffle(order)
        cut = len(order) // 5
        return order[:cut], order[cut:]

    # Stage 1: history features from the gold links (teacher forcing).
    gold_files = load(args.data, "gold", lexicon)
    nq = sum(len(f["queries"]) for f in gold_files)
    say(f"{len(gold_files)} train files, {nq} annotated lines")
    held_names = {f["name"] for f in split(gold_files)[0]}
    stage1_fit = train([f for f in gold_files if f["name"] not in held_names], n_features=n_features,
                       epochs=STAGE1_EPOCHS, l2=0.0)
    stage1_all = train(gold_files, n_features=n_features, epochs=STAGE1_EPOCHS, l2=0.0)
    del gold_files
    say("stage 1 (gold history) trained")

    # Stage 2: history features from the stage-1 model's own predictions, as at run time. Epochs and L2
    # are chosen on a held-out fifth of the TRAIN files (never dev or test).
    files = load(args.data, Model(tuple(stage1_fit), WINDOW, {}, lexicon), lexicon)
    held, fit = split(files)
    best = (-1.0, 0, 0.0)
    for l2 in (0.0, 3e-4):
        def report(epoch, loss, w, l2=l2):
            nonlocal best
            f1 = evaluate(held, w, lexicon)
            say(f"l2={l2:g} epoch {epoch}: loss {loss:.4f}, held-out train link F1 {f1:.2f}")
            if f1 > best[0] + 0.05:
                best = (f1, epoch, l2)
        train(fit, n_features=n_features, epochs=args.max_epochs, l2=l2, on_epoch=report)
    f1, epochs, l2 = best
    say(f"chosen: l2={l2:g}, {epochs} epochs (held-out train link F1 {f1:.2f}); refitting on all train files")

    files = load(args.data, Model(tuple(stage1_all), WINDOW, {}, lexicon), lexicon)
    w = train(files, n_features=n_features, epochs=epochs, l2=l2)
    train_f1 = evaluate(files, w, lexicon)
    meta = {
        "trained_on": "Ubuntu IRC disentanglement (Kummerfeld et al. 2019), TRAIN split only",
        "train_files": len(files), "annotated_lines": nq,
        "objective": "softmax over self + previous 100 lines, log-likelihood of the gold antecedents",
        "history": f"stage 1 with gold history ({STAGE1_EPOCHS} epochs), stage 2 with stage 1's predictions",
        "optimizer": f"AdaGrad lr 0.1, mini-batch 32, L2 {l2:g}, {epochs} epochs, seed {SEED}",
        "held_out_train_link_f1": round(f1, 2), "train_link_f1": round(train_f1, 2),
        "script": "training/disentangle/train.py",
    }
    names = NAMES + [LEXICAL_PREFIX + word for word in lexicon]
    Model.from_named(dict(zip(names, w, strict=True)), window=WINDOW, meta=meta).save(args.out)
    say(f"train link F1 {train_f1:.2f}; wrote {args.out}")


if __name__ == "__main__":
    main()
