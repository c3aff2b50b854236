"""Throwaway PostgreSQL and Redis servers on loopback, for tests.

Both context managers start a private server on a free 127.0.0.1 port inside a fresh temporary
directory, yield its URL, and on exit stop the server and remove the directory::

    with postgres_server() as url:   # postgresql+psycopg://kapwa:kapwa@127.0.0.1:PORT/kapwa_test
        ...
    with redis_server() as url:      # redis://127.0.0.1:PORT/0
        ...

They use Debian's binaries (``/usr/lib/postgresql/<newest>/bin``, ``/usr/bin/redis-server``);
``scripts/install-system-deps.sh`` installs them. PostgreSQL refuses to run as root, so when we are
root its commands run as the ``postgres`` OS user (``runuser``).

Command line (used by the Makefile to run the whole suite on PostgreSQL)::

    python -m tests.support.services postgres -- CMD ARGS...   # KAPWA_TEST_DATABASE_URL=<url> CMD ARGS...
    python -m tests.support.services redis -- CMD ARGS...      # KAPWA_TEST_REDIS_URL=<url> CMD ARGS...
    python -m tests.support.services postgres                  # print the URL, serve until Ctrl-C

The exit code is the command's exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

INSTALL_HINT = "run `scripts/install-system-deps.sh` (as root) to install it"
PG_ROOT = Path("/usr/lib/postgresql")
PG_OS_USER = "postgres"
PG_USER = "kapwa"
PG_PASSWORD = "kapwa"
PG_DATABASE = "kapwa_test"
REDIS_SERVER = Path("/usr/bin/redis-server")
START_ATTEMPTS = 3  # a free port can be taken by someone else between picking and binding it


class ServiceError(RuntimeError):
    """A test server could not be started; the message says why (and shows its log)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _clean_env() -> dict[str, str]:
    """Our environment without PG* variables, which would override the explicit arguments."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


# --------------------------------------------------------------------------------------------- PostgreSQL


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.name)) or (0,)


def postgres_bindir() -> Path:
    """The ``bin`` directory of the newest PostgreSQL under /usr/lib/postgresql (or $KAPWA_PG_BINDIR)."""
    override = os.environ.get("KAPWA_PG_BINDIR")
    candidates = (
        [Path(override)] if override else sorted(PG_ROOT.glob("*/bin"), key=lambda p: _version_key(p.parent))
    )
    for bindir in reversed(candidates):
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    where = override or f"{PG_ROOT}/*/bin"
    raise ServiceError(f"PostgreSQL server binaries (initdb, pg_ctl) not found in {where}; {INSTALL_HINT}")


def _pg_parent_dir() -> str:
    """Where to make the server's directory: the temp dir, unless the ``postgres`` user could not reach it
    (e.g. a private TMPDIR when we are root) or the unix socket path would be too long; then /tmp."""
    base = tempfile.gettempdir()
    if len(base) > 60:  # unix socket paths are limited to ~107 bytes
        return "/tmp"
    if os.geteuid() == 0:
        path = Path(base).resolve()
        for part in (path, *path.parents):
            if not part.stat().st_mode & 0o001:
                return "/tmp"
    return base


class _PgCommands:
    """Runs PostgreSQL's tools, as the ``postgres`` OS user when we are root."""

    def __init__(self, bindir: Path, workdir: Path) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                import pwd

                pw = pwd.getpwnam(PG_OS_USER)
            except KeyError:
                raise ServiceError(
                    f"we run as root, but there is no {PG_OS_USER!r} OS user to run PostgreSQL; {INSTALL_HINT}"
                ) from None
            os.chown(workdir, pw.pw_uid, pw.pw_gid)
            if shutil.which("runuser"):
                self.prefix = ["runuser", "-u", PG_OS_USER, "--"]
            else:  # pragma: no cover - util-linux is essential on Debian
                self.prefix = ["su", PG_OS_USER, "-s", "/bin/sh", "-c"]

    def argv(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / tool), *args]
        if self.prefix[:1] == ["su"]:
            return [*self.prefix, shlex.join(cmd)]
        return [*self.prefix, *cmd]

    def run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(tool, *args),
            check=False,
            cwd=self.workdir,  # the postgres user may not be able to enter our working directory
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # the server must not get the terminal's Ctrl-C; we stop it ourselves
        )


def _pg_connect(**kwargs):
    import psycopg

    return psycopg.connect(connect_timeout=3, autocommit=True, **kwargs)


def _wait_for_postgres(socket_dir: Path, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with _pg_connect(host=str(socket_dir), port=port, user=PG_OS_USER, dbname="postgres") as conn:
                conn.execute("SELECT 1")
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"PostgreSQL did not accept connections within {timeout:.0f}s: {exc}"
                ) from None
            time.sleep(0.1)


@contextlib.contextmanager
def postgres_server(timeout: float = 60) -> Iterator[str]:
    """Start a throwaway PostgreSQL; yield ``postgresql+psycopg://kapwa:kapwa@127.0.0.1:PORT/kapwa_test``."""
    bindir = postgres_bindir()
    workdir = Path(tempfile.mkdtemp(prefix="kapwa-pg-", dir=_pg_parent_dir()))
    datadir, logfile = workdir / "data", workdir / "server.log"
    started = False
    pg = None
    try:
        pg = _PgCommands(bindir, workdir)
        result = pg.run(
            "initdb",
            f"--pgdata={datadir}",
            f"--username={PG_OS_USER}",
            "--auth-local=trust",  # the superuser only over our private unix socket
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise ServiceError(f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        with (datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# kapwa test server\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{workdir}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                "max_connections = 200\n"
                "log_min_messages = warning\n"
            )
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            result = pg.run(
                "pg_ctl", "start", "--wait", f"--timeout={int(timeout)}", f"--pgdata={datadir}",
                f"--log={logfile}", f"--options=-p {port}", timeout=timeout + 30,
            )  # fmt: skip
            if result.returncode == 0:
                started = True
                break
            log = _tail(logfile)
            if ("could not bind" not in log and "already in use" not in log) or attempt == START_ATTEMPTS:
                raise ServiceError(
                    f"pg_ctl start failed ({result.returncode}):\n{result.stdout}{result.stderr}{log}"
                )
            pg.run("pg_ctl", "stop", "--mode=immediate", f"--pgdata={datadir}")
        _wait_for_postgres(workdir, port, timeout)
        with _pg_connect(host=str(workdir), port=port, user=PG_OS_USER, dbname="postgres") as conn:
            conn.execute(f"CREATE ROLE {PG_USER} LOGIN PASSWORD '{PG_PASSWORD}'")
            conn.execute(f"CREATE DATABASE {PG_DATABASE} OWNER {PG_USER}")
        # Check the URL we hand out really works (TCP + password).
        with _pg_connect(host="127.0.0.1", port=port, user=PG_USER, password=PG_PASSWORD, dbname=PG_DATABASE):
            pass
        yield f"postgresql+psycopg://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{port}/{PG_DATABASE}"
    finally:
        if pg is not None and (started or (datadir / "postmaster.pid").exists()):
            _stop_postgres(pg, datadir)
        shutil.rmtree(workdir, ignore_errors=True)


def _stop_postgres(pg: _PgCommands, datadir: Path) -> None:
    try:
        result = pg.run("pg_ctl", "stop", "--mode=immediate", "--wait", f"--pgdata={datadir}", timeout=60)
        if result.returncode == 0:
            return
    except subprocess.TimeoutExpired:
        pass
    # Last resort: kill the postmaster named in its pid file (its children exit with it).
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)


# ------------------------------------------------------------------------------------------------- Redis


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(timeout: float = 30) -> Iterator[str]:
    """Start a throwaway Redis without persistence; yield ``redis://127.0.0.1:PORT/0``."""
    binary = Path(os.environ.get("KAPWA_REDIS_SERVER", REDIS_SERVER))
    if not os.access(binary, os.X_OK):
        raise ServiceError(f"{binary} not found; {INSTALL_HINT}")
    workdir = Path(tempfile.mkdtemp(prefix="kapwa-redis-"))
    logfile = workdir / "server.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            with logfile.open("ab") as log:
                proc = subprocess.Popen(
                    [
                        str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
                        "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
                        "--databases", "16", "--loglevel", "warning",
                    ],
                    cwd=workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not _redis_ping(port):
                if time.monotonic() > deadline:
                    raise ServiceError(
                        f"redis-server did not answer PING within {timeout:.0f}s:\n{_tail(logfile)}"
                    )
                time.sleep(0.05)
            if proc.returncode is None:
                break
            log_text = _tail(logfile)
            if "already in use" not in log_text or attempt == START_ATTEMPTS:
                raise ServiceError(f"redis-server exited with {proc.returncode}:\n{log_text}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------- CLI

SERVICES = {
    "postgres": (postgres_server, "KAPWA_TEST_DATABASE_URL"),
    "redis": (redis_server, "KAPWA_TEST_REDIS_URL"),
}


def _raise_exit(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.services",
        description="Start a throwaway server, run CMD with its URL in the environment, stop the server.",
    )
    parser.add_argument("service", choices=sorted(SERVICES))
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="-- CMD ARGS... (default: serve until Ctrl-C)"
    )
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start, env_name = SERVICES[args.service]

    # Stop the server on SIGTERM/SIGHUP too (the finally blocks of the context managers run).
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)
    try:
        with start() as url:
            if not command:
                print(f"{env_name}={url}", flush=True)
                print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
                with contextlib.suppress(KeyboardInterrupt):
                    signal.pause()
                return 0
            print(f"{args.service}: {env_name}={url}", file=sys.stderr, flush=True)
            try:
                child = subprocess.Popen(command, env={**os.environ, env_name: url})
            except OSError as exc:
                print(f"cannot run {command[0]!r}: {exc}", file=sys.stderr)
                return 127
            while True:
                try:
                    code = child.wait()
                    break
                except KeyboardInterrupt:  # Ctrl-C reached the child too; let it finish its clean-up
                    continue
                except SystemExit:
                    child.terminate()
                    child.wait()
                    raise
            return code if code >= 0 else 128 - code
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
