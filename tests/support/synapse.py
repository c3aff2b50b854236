"""A throwaway Synapse homeserver on loopback, for the Matrix connector tests.

    with synapse_server() as hs:
        hs.base_url                                    # http://127.0.0.1:PORT
        alice = hs.register("alice", "secret")         # Account(user_id, access_token, password)
        admin = hs.register("root", "secret", admin=True)

Synapse runs from its own venv, ``.services/synapse-venv`` (``scripts/install-synapse.sh`` creates it;
Synapse pins too many packages to share the project venv). The server gets a fresh temporary directory
with an SQLite database, its media store and log; it listens on a free 127.0.0.1 port with the client API
only (no federation listener, no trusted key servers, no outbound federation), registration closed
except through the shared-secret admin API, and every ``rc_*`` rate limit raised out of the way. On exit
the server is stopped and the directory removed.

Command line (serve until Ctrl-C, for poking at it by hand)::

    python -m tests.support.synapse
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.services import START_ATTEMPTS, ServiceError, _tail, free_port

ROOT = Path(__file__).resolve().parents[2]
SYNAPSE_VENV = Path(os.environ.get("KAPWA_SYNAPSE_VENV", ROOT / ".services" / "synapse-venv"))
INSTALL_HINT = "run `bash scripts/install-synapse.sh` to install it (`make test` does this)"
SERVER_NAME = "localhost"

_HIGH = {"per_second": 10000, "burst_count": 100000}


@dataclass(frozen=True)
class Account:
    user_id: str
    access_token: str
    password: str


def _config(workdir: Path, port: int, shared_secret: str) -> dict:
    log_config = workdir / "log.yaml"
    log_config.write_text(json.dumps({
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "filename": str(workdir / "homeserver.log"),
                              "formatter": "plain"}},
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }))
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(workdir / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                       "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(workdir / "homeserver.db")}},
        "log_config": str(log_config),
        "media_store_path": str(workdir / "media"),
        "signing_key_path": str(workdir / "signing.key"),  # generated on first start
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "report_stats": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "caches": {"sync_response_cache_duration": 0},  # every /sync sees the present, not a 2-minute-old copy
        "bcrypt_rounds": 4,  # fast password hashing: test accounts only
        "rc_message": _HIGH,
        "rc_registration": _HIGH,
        "rc_registration_token_validity": _HIGH,
        "rc_login": {"address": _HIGH, "account": _HIGH, "failed_attempts": _HIGH},
        "rc_admin_redaction": _HIGH,
        "rc_joins": {"local": _HIGH, "remote": _HIGH},
        "rc_joins_per_room": _HIGH,
        "rc_3pid_validation": _HIGH,
        "rc_invites": {"per_room": _HIGH, "per_user": _HIGH, "per_issuer": _HIGH},
        "rc_third_party_invite": _HIGH,
        "rc_media_create": _HIGH,
        "rc_federation": {"window_size": 1000, "sleep_limit": 10000, "sleep_delay": 1, "reject_limit": 10000,
                          "concurrent": 100},
    }


def _get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def _post_json(url: str, body: dict, token: str | None = None, timeout: float = 10) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"POST {url} failed: {exc.code} {exc.read().decode(errors='replace')}") from None


class Synapse:
    """A running test homeserver."""

    def __init__(self, base_url: str, shared_secret: str, workdir: Path):
        self.base_url = base_url
        self.server_name = SERVER_NAME
        self.workdir = workdir
        self._secret = shared_secret

    def mxid(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    def register(self, user: str, password: str, admin: bool = False, displayname: str | None = None) -> Account:
        """Create an account through the shared-secret admin API; return its user id and access token."""
        url = f"{self.base_url}/_synapse/admin/v1/register"
        nonce = _get_json(url)["nonce"]
        mac = hmac.new(self._secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), user.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        body = {"nonce": nonce, "username": user, "password": password, "admin": admin, "mac": mac.hexdigest()}
        if displayname:
            body["displayname"] = displayname
        data = _post_json(url, body)
        return Account(data["user_id"], data["access_token"], password)

    def admin_post(self, admin: Account, path: str, body: dict) -> dict:
        return _post_json(f"{self.base_url}{path}", body, token=admin.access_token)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.workdir / "homeserver.log", lines)


def _ready(base_url: str) -> bool:
    try:
        return "versions" in _get_json(f"{base_url}/_matrix/client/versions", timeout=1)
    except (OSError, ValueError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def synapse_server(timeout: float = 60) -> Iterator[Synapse]:
    """Start a throwaway Synapse on 127.0.0.1; yield a :class:`Synapse`; stop it and remove its files."""
    python = SYNAPSE_VENV / "bin" / "python"
    if not os.access(python, os.X_OK):
        raise ServiceError(f"Synapse is not installed ({python} not found); {INSTALL_HINT}")
    workdir = Path(tempfile.mkdtemp(prefix="kapwa-synapse-"))
    shared_secret = secrets.token_hex(16)
    proc: subprocess.Popen | None = None
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            config = workdir / "homeserver.yaml"
            config.write_text(json.dumps(_config(workdir, port, shared_secret), indent=1))  # JSON is YAML
            with (workdir / "stdout.log").open("ab") as out:
                proc = subprocess.Popen(
                    [str(python), "-m", "synapse.app.homeserver", "-c", str(config)],
                    cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: Ctrl-C is ours to forward, stop kills all
                    env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
                )
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not _ready(base_url):
                if time.monotonic() > deadline:
                    _stop(proc)
                    raise ServiceError(f"Synapse did not answer within {timeout:.0f}s:\n"
                                       f"{_tail(workdir / 'stdout.log')}\n{_tail(workdir / 'homeserver.log')}")
                time.sleep(0.1)
            if proc.poll() is None:
                break
            output = _tail(workdir / "stdout.log") + "\n" + _tail(workdir / "homeserver.log")
            if "Address already in use" not in output or attempt == START_ATTEMPTS:
                raise ServiceError(f"Synapse exited with {proc.returncode}:\n{output}")
        yield Synapse(base_url, shared_secret, workdir)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:  # pragma: no cover - manual use
    started = time.monotonic()
    try:
        with synapse_server() as hs:
            print(f"Synapse at {hs.base_url} (ready in {time.monotonic() - started:.1f}s); Ctrl-C to stop",
                  flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
