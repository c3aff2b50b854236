"""Cold start to first page, and page times on the demo community.

    python bench/startup.py            # `kapwa serve --demo` on an empty data directory
    python bench/startup.py --full     # also `make run` from a fresh clone (creates a venv, installs)

Page times are server round trips on loopback (httpx, keep-alive), 30 requests per page after 3 warm-ups;
the baseline is /healthz measured in the same run, so the ratio says how much work the page itself adds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/members", "/members?sort=messages", "/conversations", "/conversations?status=all",
         "/conversations?q=cash-in", "/members/1", "/conversations/1", "/api/v1/conversations"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 600) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("server did not start in time")


def start(cmd: list[str], cwd: Path, env: dict) -> tuple[subprocess.Popen, float, str]:
    port = env["KAPWA_PORT"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(f"http://127.0.0.1:{port}/login", proc)
    return proc, time.monotonic() - t0, f"http://127.0.0.1:{port}"


def timed(client: httpx.Client, path: str, n: int = 30) -> list[float]:
    for _ in range(3):
        client.get(path)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="also time `make run` from a fresh clone")
    args = ap.parse_args()
    lines = []
    tmp = Path(tempfile.mkdtemp(prefix="kapwa-bench-"))
    try:
        if args.full:
            clone = tmp / "clone"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            env = {**os.environ, "KAPWA_PORT": str(free_port())}
            env.pop("KAPWA_DATA_DIR", None)
            proc, secs, _ = start(["make", "run", f"KAPWA_DATA_DIR={clone / 'data'}"], clone, env)
            proc.terminate()
            proc.wait(30)
            lines.append(f"- `make run` on a fresh clone (new venv, pip install from a warm pip cache, migrate, demo load + analysis, serve) "
                         f"to the first page: **{secs:.1f} s**")
        # httpx (unlike browsers) won't send a Secure cookie to http://127.0.0.1, so the bench turns it off.
        env = {**os.environ, "KAPWA_PORT": str(free_port()), "KAPWA_DATA_DIR": str(tmp / "data"),
               "KAPWA_COOKIE_SECURE": "false"}
        kapwa = str(Path(sys.executable).parent / "kapwa")
        proc, cold, base = start([kapwa, "serve", "--demo", "--port", env["KAPWA_PORT"]], ROOT, env)
        lines.append(f"- `kapwa serve --demo` on an empty data directory (migrate, load demo, serve) to the first "
                     f"page: **{cold:.1f} s**")
        try:
            proc.terminate()
            out = proc.communicate(timeout=30)[0]
            demo = re.search(r"Loaded the demo community in ([\d.]+) s: (.*)", out)
            if demo:
                lines.append(f"  - of which demo load: {demo.group(1)} s ({demo.group(2)})")
            proc, warm, base = start([kapwa, "serve", "--demo", "--port", env["KAPWA_PORT"]], ROOT, env)
            lines.append(f"- restart on the existing data (no demo load) to the first page: **{warm:.1f} s**")
            with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as c:
                c.get("/login")
                token = c.cookies.get("kapwa_login_csrf")
                r = c.post("/login", data={"email": "demo@kapwa.local", "password": "kapwa-demo-2026",
                                           "csrf_token": token})
                assert "Sign out" in r.text, r.text[:500]
                baseline = timed(c, "/healthz")
                lines += ["", "| page | p50 ms | p95 ms | p50 ÷ /healthz p50 |", "|---|---:|---:|---:|",
                          f"| /healthz (baseline) | {p(baseline, 50):.1f} | {p(baseline, 95):.1f} | 1.0 |"]
                for page in PAGES:
                    t = timed(c, page)
                    lines.append(f"| {page} | {p(t, 50):.1f} | {p(t, 95):.1f} | {p(t, 50) / p(baseline, 50):.1f} |")
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body = "\n".join(lines) + (
        "\n\nSQLite, demo community (see `kapwa demo load`), one `kapwa serve` process with the in-process job "
        "worker; requests on loopback, one client, keep-alive. Re-run with `python bench/startup.py [--full]`.")
    print(body)
    write_section("Start-up and page times (bench/startup.py)", body)


if __name__ == "__main__":
    main()
