"""Ingest throughput: N generated messages through the one inbound path (analysis off), on SQLite and
PostgreSQL, with peak RSS. Baseline in the same run: a plain bulk INSERT of the same messages (no upsert,
no threads, no members), so the ratio shows what the pipeline's bookkeeping costs.

    python bench/ingest.py                # 1,000,000 messages, SQLite and PostgreSQL
    python bench/ingest.py --n 100000 --only sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def child(backend_url: str, n: int, mode: str, batch: int) -> None:
    """Runs in a fresh process so peak RSS belongs to this run alone."""
    import resource

    from sqlalchemy import insert

    from kapwa.connectors.base import BaseConnector, Batch, InboundAuthor, InboundItem
    from kapwa.core import migrate
    from kapwa.core.models import Conversation, Message, Source, Workspace
    from kapwa.core.runtime import Runtime
    from kapwa.core.settings import load_settings
    from kapwa.ingest.sync import sync_source

    data = Path(tempfile.mkdtemp(prefix="kapwa-ingest-"))
    settings = load_settings(secret_key="bench-secret-key-0123456789", data_dir=data,
                             database_url=backend_url or None)
    rt = Runtime.from_settings(settings)
    migrate.upgrade(rt.db.engine)
    with rt.db.write_sessions() as s, s.begin():
        ws = Workspace(name="Bench", slug=f"bench-{time.time_ns()}")
        s.add(ws)
        s.flush()
        src = Source(workspace_id=ws.id, kind="discord", name="Bench")
        s.add(src)
        s.flush()
        ws_id, src_id = ws.id, src.id

    texts = ["Hi po, bakit pending pa rin yung cash-in ko?", "Thank you po, na-resolve na!",
             "Down ba ang app ngayon? Hindi ako maka-login", "Love the new QR Ph feature 🙌",
             "Pwede po bang mag-request ng dark mode?"]

    def item(i: int) -> InboundItem:
        root = i - i % 10
        return InboundItem(f"m{i}", T0 + dt.timedelta(seconds=i), f"{texts[i % 5]} #{i}",
                           InboundAuthor(f"u{(i * 7919) % 50000}", handle=f"user{(i * 7919) % 50000}"),
                           thread_id=f"t{root}", parent_id=None if i == root else f"m{i - 1}",
                           kind="post" if i == root else "reply")

    class Generated(BaseConnector):
        kind = "generated"

        def fetch(self, cursor):
            start = json.loads(cursor)["next"] if cursor else 0
            for off in range(start, n, batch):
                end = min(off + batch, n)
                yield Batch(items=[item(i) for i in range(off, end)], cursor=json.dumps({"next": end}))

    t = time.perf_counter()
    if mode == "pipeline":
        out = sync_source(rt, src_id, connector=Generated({}, {}), analyze=False)
        assert out.ok and out.result.inserted == n, out.error
    else:  # baseline: plain bulk insert, one conversation
        with rt.db.write_sessions() as s, s.begin():
            conv = Conversation(workspace_id=ws_id, source_id=src_id, platform_thread_id="all", title="all")
            s.add(conv)
            s.flush()
            conv_id = conv.id
        for off in range(0, n, batch):
            rows = [{"workspace_id": ws_id, "source_id": src_id, "conversation_id": conv_id,
                     "platform_message_id": f"m{i}", "text": f"{texts[i % 5]} #{i}", "kind": "post",
                     "direction": "inbound", "created_at": T0 + dt.timedelta(seconds=i), "ingested_at": T0,
                     "raw": {}, "analysis_versions": {}} for i in range(off, min(off + batch, n))]
            with rt.db.write_sessions() as s, s.begin():
                s.execute(insert(Message), rows)
    secs = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "rate": n / secs, "rss_mb": rss_mb}))
    rt.close()


def run(backend_url: str, n: int, mode: str, batch: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--n", str(n), "--batch", str(batch),
           "--url", backend_url or ""]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--child", choices=["pipeline", "baseline"])
    ap.add_argument("--url", default="")
    args = ap.parse_args()
    if args.child:
        return child(args.url, args.n, args.child, args.batch)

    from _report import write_section

    rows = []
    backends = [b for b in ("sqlite", "postgresql") if args.only in (None, b)]
    for backend in backends:
        if backend == "sqlite":
            pipe, base = run("", args.n, "pipeline", args.batch), run("", args.n, "baseline", args.batch)
        else:
            from tests.support.services import postgres_server

            with postgres_server() as url:
                pipe = run(url, args.n, "pipeline", args.batch)
            with postgres_server() as url:
                base = run(url, args.n, "baseline", args.batch)
        rows.append((backend, pipe, base))
        print(backend, pipe, base, flush=True)
    lines = [f"{args.n:,} generated messages (10-message threads, 50,000 authors, Taglish text), batches of "
             f"{args.batch:,}, analysis off, each run in its own process.", "",
             "| database | ingest msg/s | peak RSS MB | baseline bulk INSERT msg/s | pipeline ÷ baseline time |",
             "|---|---:|---:|---:|---:|"]
    for backend, pipe, base in rows:
        lines.append(f"| {backend} | {pipe['rate']:,.0f} | {pipe['rss_mb']:.0f} | {base['rate']:,.0f} | "
                     f"{pipe['seconds'] / base['seconds']:.2f}× |")
    lines += ["", "Targets (issue #3): ≥ 5,000 msg/s on SQLite, peak RSS ≤ 400 MB.",
              "Re-run with `python bench/ingest.py [--n N] [--only sqlite|postgresql]`."]
    body = "\n".join(lines)
    print(body)
    write_section("Ingest throughput (bench/ingest.py)", body)


if __name__ == "__main__":
    main()
