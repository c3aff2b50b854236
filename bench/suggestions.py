"""Suggested answers: server time per conversation (kapwa/inbox/suggest.py), on a Kapwa database.

    python bench/suggestions.py --data-dir DIR          # a data directory, e.g. one `kapwa serve --demo` filled
    python bench/suggestions.py --sqlite FILE [--pg]    # a database file, e.g. bench/inbox.py's 1M-message cache
                                                        # (copied first); --pg: also on a throwaway PostgreSQL
                                                        # loaded from it the way bench/inbox.py loads it

Takes the newest ``--n`` conversations whose latest member message is a question, suggests answers for each
twice (cold, then warm caches) and prints p50 / p95 / max wall time, the process's CPU time (SQLite runs inside
the process; PostgreSQL's own work is not in it) and the time per step. Read only: nothing is written.
Figures are in docs/inbox-suggestions.md.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from kapwa.core.db import Database
from kapwa.core.models import Conversation
from kapwa.core.settings import load_settings
from kapwa.inbox import suggest as S
from kapwa.inbox import suggest_queries as Q

STEPS = ("term_counts", "similar_messages", "conversations", "thread_messages", "raw_payloads", "saved_answers")
SECRET = "bench-secret-key-0123456789abcdef"
SPENT: collections.Counter = collections.Counter()  # ms per step, filled by the wrappers _timed() installs


def _timed(spent: collections.Counter = SPENT) -> None:
    for name in STEPS:
        fn = getattr(Q, name)

        def wrapper(*a, _fn=fn, _name=name, **kw):
            t = time.perf_counter()
            try:
                return _fn(*a, **kw)
            finally:
                spent[_name] += (time.perf_counter() - t) * 1000

        setattr(Q, name, wrapper)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def measure(url: str, data_dir: Path, n: int, label: str) -> None:
    db = Database.from_settings(load_settings(secret_key=SECRET, data_dir=data_dir), url)
    spent = SPENT
    with db.sessions() as s:
        total = Q.message_total(s)
        cases = []
        for conv in s.scalars(select(Conversation).where(Conversation.needs_answer.is_(True))
                              .order_by(Conversation.id.desc()).limit(n * 8)):
            msgs = Q.conversation_messages(s, conv.id)
            if S.question_of(msgs)[0] is not None:
                cases.append((conv, msgs))
            if len(cases) >= n:
                break
        if not cases:
            raise SystemExit(f"{label}: no conversation whose latest message is a question")
        S.suggest_answers(s, *cases[0])  # imports, compiled patterns
        print(f"\n{label}: ~{total:,} messages, {len(cases)} question conversations")
        for run in ("cold", "warm"):
            spent.clear()
            wall, cpu, hits = [], [], 0
            for conv, msgs in cases:
                t, c = time.perf_counter(), time.process_time()
                result = S.suggest_answers(s, conv, msgs)
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                hits += bool(result.items)
            steps = ", ".join(f"{k} {spent[k] / len(cases):.1f}" for k in STEPS)
            print(f"  {run}: wall p50 {pct(wall, .5):.1f} ms, p95 {pct(wall, .95):.1f} ms, max {max(wall):.1f} ms; "
                  f"process CPU p50 {statistics.median(cpu):.1f} ms; {hits}/{len(cases)} with suggestions")
            print(f"        per step (ms): {steps}")
    db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--data-dir", type=Path, help="a Kapwa data directory (its kapwa.db)")
    where.add_argument("--sqlite", type=Path, help="a Kapwa SQLite database file (copied before use)")
    ap.add_argument("--pg", action="store_true", help="also load it into a throwaway PostgreSQL and measure there")
    ap.add_argument("--n", type=int, default=60, help="question conversations (default 60)")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    _timed()
    with tempfile.TemporaryDirectory(prefix="kapwa-bench-suggest-") as tmp:
        tmpdir = Path(tmp)
        if args.data_dir:
            source = args.data_dir / "kapwa.db"
        else:
            source = tmpdir / "kapwa.db"
            shutil.copyfile(args.sqlite, source)
        measure(f"sqlite:///{source}", tmpdir, args.n, "SQLite")
        if args.pg:
            from tests.support.services import postgres_server

            spec = importlib.util.spec_from_file_location("bench_inbox", Path(__file__).with_name("inbox.py"))
            bench_inbox = importlib.util.module_from_spec(spec)
            sys.path.insert(0, str(Path(__file__).parent))
            spec.loader.exec_module(bench_inbox)
            with postgres_server() as url:
                seconds = bench_inbox.load_postgres(url, source)
                print(f"\n(loaded into PostgreSQL in {seconds:.0f} s)")
                measure(url, tmpdir, args.n, "PostgreSQL")


if __name__ == "__main__":
    main()
