"""The inbox's first page with 1,000,000 messages and 100,000 members: p50 and p95 server time under five
filter combinations and a full-text search, on SQLite and PostgreSQL (issue #5, target p95 ≤ 50 ms).

    python bench/inbox.py                          # SQLite and a throwaway PostgreSQL (like `make test`)
    python bench/inbox.py --only sqlite
    python bench/inbox.py --pg-url postgresql+psycopg://u:p@host/db   # an existing, empty database
    python bench/inbox.py --messages 100000 --members 10000 --no-write  # a quick look

The data set is generated once into .bench-cache/ (bench/_inbox_data.py) and reused; PostgreSQL is filled
from that file with COPY, so both databases hold the same rows. Requests go through the real app in-process
(create_app + a signed-in manager, TestClient); server time is the app's Server-Timing header. The SQL of
each combination, with timings and EXPLAIN output, goes to .bench-cache/inbox/plans-<database>.txt.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _inbox_data as data

CACHE = ROOT / ".bench-cache"
OUT = CACHE / "inbox"
SECRET = "bench-secret-key-0123456789"
TARGET_MS = 50.0


def combinations(meta: dict) -> list[tuple[str, str]]:
    since = dt.datetime.fromtimestamp(meta["now"] - 30 * 86400, dt.UTC).date().isoformat()
    return [
        ("default: needs attention, by priority", ""),
        ("open, assigned to me", "status=open&assignee=me"),
        ("negative, Tagalog, needs an answer", "sentiment=negative&language=tl&needs_answer=1"),
        ("one source, complaints, last 30 days", f"source=1&intent=complaint&since={since}"),
        ("tag + member segment, longest waiting", "tag=refund&segment=regular&sort=waiting"),
        (f"full-text search “{meta['q']}”", f"q={meta['q']}"),
    ]


# ------------------------------------------------------------------------------------------------ data


def cached_sqlite(n_messages: int, n_members: int, rebuild: bool) -> tuple[Path, dict, bool]:
    CACHE.mkdir(exist_ok=True)
    name = f"inbox-v{data.GEN_VERSION}-{data.BASE_REVISION}-{n_messages}-{n_members}"
    path, meta_path = CACHE / f"{name}.sqlite", CACHE / f"{name}.json"
    if path.exists() and meta_path.exists() and not rebuild:
        return path, json.loads(meta_path.read_text()), False
    meta = data.build_sqlite(path, n_messages, n_members)
    meta["q"], meta["q_messages"] = search_word(path, n_messages)
    meta_path.write_text(json.dumps(meta, indent=1))
    return path, meta, True


def search_word(path: Path, n_messages: int) -> tuple[str, int]:
    """A word of middling frequency (closest to 1% of messages), for the full-text search."""
    conn = sqlite3.connect(path)
    sql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"
    counts = {w: conn.execute(sql, (f'"{w}"*',)).fetchone()[0]
              for w in ("refund", "verification", "meralco", "otp", "selfie", "receipt", "instapay", "padala",
                        "promo", "limit", "ipon", "cashback", "locked", "pending")}
    conn.close()
    word = min(counts, key=lambda w: abs(counts[w] - n_messages / 100))
    return word, counts[word]


def sqlite_work_copy(cache: Path) -> tuple[str, float]:
    """Copy the cached file and migrate the copy to head (indexes added after the cache's revision)."""
    from kapwa.core import migrate
    from kapwa.core.db import Database
    from kapwa.core.settings import load_settings

    t = time.perf_counter()
    work = CACHE / "inbox-work.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cache, work)
    url = f"sqlite:///{work}"
    db = Database.from_settings(load_settings(secret_key=SECRET, data_dir=CACHE), url)
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return url, time.perf_counter() - t


def load_postgres(url: str, cache: Path) -> float:
    """The cached rows into an empty PostgreSQL database with COPY, then migrate to head and ANALYZE."""
    import psycopg
    from sqlalchemy import create_engine, inspect

    from kapwa.core import migrate
    from kapwa.core.models import Base

    t = time.perf_counter()
    engine = create_engine(url)
    if inspect(engine).has_table("alembic_version"):
        raise SystemExit(f"{url}: the database is not empty; give an empty one (the bench fills it)")
    migrate.upgrade(engine, data.BASE_REVISION)
    src = sqlite3.connect(cache)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        # Like pg_restore: rows first, then the secondary indexes and foreign keys (built in one pass each,
        # instead of maintained and checked row by row), with the definitions the migrations created.
        fks = pg.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                         "WHERE contype = 'f' AND connamespace = 'public'::regnamespace").fetchall()
        indexes = pg.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                             "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = 'public'::regnamespace "
                             "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                             "WHERE c.conindid = i.indexrelid)").fetchall()
        for table, name, _ in fks:
            pg.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            pg.execute(f"DROP INDEX {name}")
        for table in Base.metadata.sorted_tables:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table.name})")]
            if not cols or not src.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone():
                continue
            names = ", ".join(cols)
            with pg.transaction(), pg.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as cp:
                for row in src.execute(f"SELECT {names} FROM {table.name}"):
                    cp.write_row(row)
            if "id" in cols:
                pg.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                           f"(SELECT max(id) FROM {table.name}))")
        src.close()
        pg.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            pg.execute(definition)
        for table, name, definition in fks:
            pg.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        migrate.upgrade(engine)
        pg.execute("VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - t


@contextlib.contextmanager
def postgres(url: str | None):
    if url:
        yield url
        return
    from tests.support.services import postgres_server

    with postgres_server() as started:
        yield started


# -------------------------------------------------------------------------------------------- measuring


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def server_ms(response) -> float:
    m = re.search(r"app;dur=([\d.]+)", response.headers.get("server-timing", ""))
    if not m:
        raise SystemExit("no Server-Timing header: kapwa/web/app.py should add one")
    return float(m.group(1))


def measure(url: str, meta: dict, path: str, n: int, warmup: int, backend: str) -> dict:
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from kapwa.core.runtime import Runtime
    from kapwa.core.settings import load_settings
    from kapwa.web.app import create_app, tune_gc_for_serving

    tmp = Path(tempfile.mkdtemp(prefix="kapwa-inbox-bench-"))
    rt = Runtime.from_settings(load_settings(secret_key=SECRET, data_dir=tmp, database_url=url, log_level="WARNING"))
    app = create_app(rt=rt)
    tune_gc_for_serving()  # as `kapwa serve` does before serving
    captured: list[list] | None = None

    @event.listens_for(rt.db.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(rt.db.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        if captured is not None:
            captured.append([statement, parameters, (time.perf_counter() - conn.info["t0"]) * 1000])

    results: dict = {"queries": [], "load_before": os.getloadavg()[0]}
    plans = [f"# {backend}: {path} — SQL per request, slowest first, with the plans of the slow or inbox ones\n"]
    try:
        with TestClient(app, base_url="https://testserver") as c:
            c.get("/login")
            r = c.post("/login", data={"email": data.USERS[0][1], "password": data.PASSWORD,
                                       "csrf_token": c.cookies.get("kapwa_login_csrf")}, follow_redirects=False)
            assert r.status_code == 303, (r.status_code, r.text[:500])

            # Rounds: each round requests every page once, so a burst of load elsewhere on the machine
            # falls on all of them alike instead of on whichever page was being measured.
            combos = [("/healthz (baseline)", "/healthz")] + [
                (label, f"{path}?{query}" if query else path) for label, query in combinations(meta)]
            times: dict[str, list[float]] = {t: [] for _, t in combos}
            cpu: dict[str, list[float]] = {t: [] for _, t in combos}
            last: dict[str, object] = {}
            for i in range(warmup + n):
                for _, target in combos:
                    t0 = time.process_time()
                    r = c.get(target)
                    used = (time.process_time() - t0) * 1000
                    assert r.status_code == 200, (target, r.status_code, r.text[:500])
                    if i >= warmup:
                        times[target].append(server_ms(r))
                        cpu[target].append(used)
                    last[target] = r
            base = times["/healthz"]
            results["healthz"] = {"p50": pct(base, 50), "p95": pct(base, 95)}
            for label, target in combos[1:]:
                page = last[target].text
                rows = len(re.findall(r"data-conversation-id=", page))
                shown = re.search(r'<span class="count">([^<]+)</span>', page)  # the page's "N" or "N+"
                captured = []
                c.get(target)
                stmts, captured = captured, None
                t = times[target]
                entry = {"label": label, "url": target, "p50": pct(t, 50), "p95": pct(t, 95),
                         "max": max(t), "cpu_p50": pct(cpu[target], 50), "rows": rows,
                         "matches": shown.group(1) if shown else "?",
                         "statements": len(stmts)}
                results["queries"].append(entry)
                plans.append(explain(rt, target, entry, stmts))
                print(f"  {backend:10} p50 {entry['p50']:6.1f} ms  p95 {entry['p95']:6.1f} ms  "
                      f"{entry['matches']:>6} matches  sql {entry['sql_ms']:6.1f} ms in {len(stmts)}  {target}",
                      flush=True)
    finally:
        results["load_after"] = os.getloadavg()[0]
        rt.close()
        shutil.rmtree(tmp, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"plans-{backend}.txt").write_text("\n".join(plans))
    return results


def replay_ms(rt, stmt: str, params, times: int = 3) -> float:
    """The statement's own time, fetching every row (the best of a few runs)."""
    best = float("inf")
    with rt.db.engine.connect() as conn:
        for _ in range(times):
            t = time.perf_counter()
            conn.exec_driver_sql(stmt, params).fetchall()
            best = min(best, (time.perf_counter() - t) * 1000)
    return best


def explain(rt, target: str, entry: dict, stmts: list[list]) -> str:
    """Each SELECT of one request replayed on its own (time with all rows fetched), slowest first, with
    the plans of those that take a millisecond or read conversations."""
    sqlite = rt.db.engine.dialect.name == "sqlite"
    timed = [(replay_ms(rt, st, params), st, params) for st, params, _ in stmts
             if st.lstrip().upper().startswith("SELECT")]
    timed.sort(key=lambda x: -x[0])
    entry["sql_ms"] = sum(t[0] for t in timed)
    out = [f"\n{'=' * 100}\n{target}\n  p50 {entry['p50']:.1f} ms, p95 {entry['p95']:.1f} ms; {len(stmts)} statements, "
           f"{entry['sql_ms']:.1f} ms for the SELECTs replayed alone\n"]
    for ms, stmt, params in timed:
        out.append(f"--- {ms:.2f} ms ---\n{stmt.strip()}\n-- params: {params!r}"[:6000])
        if ms < 1 and "conversations" not in stmt:
            continue
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
        try:
            with rt.db.engine.connect() as conn:
                rows = conn.exec_driver_sql(prefix + stmt, params).fetchall()
            plan = [f"{r[0]:>4} {r[1]:>4}  {r[3]}" if sqlite else r[0] for r in rows]
            out.append("-- plan:\n" + "\n".join(plan))
        except Exception as exc:  # a plan we can't get is noted, not fatal
            out.append(f"-- plan failed: {exc}")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ report


def report(meta: dict, runs: dict, loads: dict) -> str:
    backends = list(runs)
    lines = [f"{meta['messages']:,} messages in {meta['conversations']:,} conversations from {meta['members']:,} "
             f"members ({meta['identities']:,} identities) on {meta['sources']} sources over {data.DAYS} days, "
             f"{meta['attention']:,} conversations needing attention (new / open / pending), "
             f"{meta['users']} teammates. "
             f"The first page (50 rows) of `/inbox`, requested in-process through the app as a signed-in manager; "
             f"server time from the app's Server-Timing header; {runs[backends[0]]['n']} rounds after "
             f"{runs[backends[0]]['warmup']} warm-up rounds, each round requesting every row once. Matches: the "
             f"total the page shows (counted up to a cap, then \"N+\").", "",
             "| query | " + " | ".join(f"{b} p50 ms | {b} p95 ms" for b in backends) + " | matches |",
             "|---|" + "---:|---:|" * len(backends) + "---:|"]
    first = runs[backends[0]]["results"]
    lines.append("| /healthz (baseline) | " + " | ".join(
        f"{runs[b]['results']['healthz']['p50']:.1f} | {runs[b]['results']['healthz']['p95']:.1f}" for b in backends)
        + " | |")
    for i, q in enumerate(first["queries"]):
        cells = []
        for b in backends:
            e = runs[b]["results"]["queries"][i]
            mark = "" if e["p95"] <= TARGET_MS else " ✗"
            cells.append(f"{e['p50']:.1f} | {e['p95']:.1f}{mark}")
        lines.append(f"| {q['label']}<br>`{q['url']}` | " + " | ".join(cells) + f" | {q['matches']} |")
    lines += ["", "Where the time goes: the page's p50 server time; the CPU time of this Python process per request "
              "(p50; the in-process client included, PostgreSQL's own work not); and the SQL of one request (each "
              "SELECT replayed alone, all rows fetched). The rest is the app: session, ORM objects, template.", "",
              "| query | " + " | ".join(f"{b} p50 ms | {b} CPU ms | {b} SQL ms" for b in backends) + " |",
              "|---|" + "---:|---:|---:|" * len(backends)]
    for i, q in enumerate(first["queries"]):
        cells = [f"{e['p50']:.1f} | {e['cpu_p50']:.1f} | {e['sql_ms']:.1f}"
                 for e in (runs[b]["results"]["queries"][i] for b in backends)]
        lines.append(f"| {q['label']} | " + " | ".join(cells) + " |")
    worst = max(e["p95"] for b in backends for e in runs[b]["results"]["queries"])
    lines += ["", f"Target (issue #5): p95 ≤ {TARGET_MS:.0f} ms for each — "
              + ("**met**" if worst <= TARGET_MS else "**missed**") + f" (worst p95 {worst:.1f} ms).", ""]
    for b in backends:
        r = runs[b]["results"]
        lines.append(f"- {b}: {loads[b]}; 1-minute load average {r['load_before']:.1f} before the requests, "
                     f"{r['load_after']:.1f} after")
    lines.append("\nRe-run with `python bench/inbox.py [--only sqlite|postgresql] [--pg-url URL]`; the generated "
                 "data set is cached in `.bench-cache/`. Query plans of each combination: "
                 "`.bench-cache/inbox/plans-<database>.txt`.")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--pg-url", help="an empty PostgreSQL database to fill (default: start a throwaway server)")
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--path", default="/inbox")
    ap.add_argument("--rebuild", action="store_true", help="generate the data set again")
    ap.add_argument("--no-write", action="store_true", help="don't write docs/benchmarks.md")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*starlette.testclient")  # deprecated with newer httpx; works

    cache, meta, built = cached_sqlite(args.messages, args.members, args.rebuild)
    with sqlite3.connect(cache) as conn:
        meta["attention"] = conn.execute(
            "SELECT count(*) FROM conversations WHERE status IN ('new', 'open', 'pending')").fetchone()[0]
    gen = (f"generated in {meta['build_seconds']:.0f} s" if built else
           f"cached in `.bench-cache/` (generating it took {meta['build_seconds']:.0f} s)")
    print(f"data set: {cache.name} ({cache.stat().st_size / 2**20:,.0f} MB), {gen}; search word "
          f"{meta['q']!r} in {meta['q_messages']:,} messages", flush=True)
    runs, loads = {}, {}
    for backend in [b for b in ("sqlite", "postgresql") if args.only in (None, b)]:
        if backend == "sqlite":
            url, secs = sqlite_work_copy(cache)
            loads[backend] = (f"data set {gen}, bulk inserts with the FTS5 triggers in place; copy + migrate to head "
                              f"{secs:.1f} s; file {cache.stat().st_size / 2**30:.2f} GiB")
            print(f"sqlite: {loads[backend]}", flush=True)
            res = measure(url, meta, args.path, args.requests, args.warmup, backend)
        else:
            with postgres(args.pg_url) as url:
                secs = load_postgres(url, cache)
                from sqlalchemy import create_engine

                eng = create_engine(url)
                with eng.connect() as conn:
                    size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
                    version = conn.exec_driver_sql("SHOW server_version").scalar()
                eng.dispose()
                loads[backend] = (f"PostgreSQL {version.split()[0]}, default settings (shared_buffers 128 MB), "
                                  f"{'given server' if args.pg_url else 'throwaway server'}; loaded from the SQLite "
                                  f"file with COPY (message tsvectors generated, conversation search documents built by migration 0005), migrated to head and VACUUM ANALYZE "
                                  f"in {secs:.0f} s; database {size / 2**30:.2f} GiB")
                print(f"postgresql: {loads[backend]}", flush=True)
                res = measure(url, meta, args.path, args.requests, args.warmup, backend)
        runs[backend] = {"results": res, "n": args.requests, "warmup": args.warmup}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "runs": runs, "loads": loads}, indent=1))
    body = report(meta, runs, loads)
    print(body)
    if not args.no_write:
        from _report import write_section

        write_section("Inbox first page (bench/inbox.py)", body)


if __name__ == "__main__":
    main()
