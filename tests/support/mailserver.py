"""Throwaway mail servers on loopback, for the e-mail connector tests.

``mail_servers()`` starts, inside a fresh temporary directory:

* a real IMAP server: Debian's Dovecot (``/usr/sbin/dovecot -F -c <our config>``) listening on a
  free 127.0.0.1 port, plaintext (no TLS), users in a ``passwd-file``, mail in Maildirs;
* a real SMTP server: aiosmtpd (in this process, on its own thread) on a free 127.0.0.1 port that
  requires AUTH (the IMAP users and passwords) and delivers every accepted mail into the recipient's
  Maildir, so mail sent through SMTP can be read back over IMAP. Recipients outside ``domain`` are
  refused (no relaying), unknown local users are refused with 550, and ``aliases`` behave like a
  mailing list (one address, delivered to several users).

::

    with mail_servers(users=("kapwa", "maria")) as mail:
        mail.deliver(raw_bytes, "kapwa")        # a delivery straight into kapwa's Maildir
        mail.messages("maria")                  # maria's INBOX, read over IMAP

When we run as root, Dovecot keeps its own unprivileged service users (``dovecot``, ``dovenull``) and
the mailboxes belong to ``nobody`` (Dovecot refuses to serve mail as root). Otherwise everything runs
as the current user. ``scripts/install-system-deps.sh`` installs Dovecot (package dovecot-imapd).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import imaplib
import itertools
import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from tests.support.services import START_ATTEMPTS, ServiceError, _tail, free_port, port_open

DOVECOT = Path(os.environ.get("KAPWA_DOVECOT", "/usr/sbin/dovecot"))
DOVECOT_IMAP = Path("/usr/lib/dovecot/imap")
INSTALL_HINT = "run `scripts/install-system-deps.sh` (as root) to install Dovecot (Debian package dovecot-imapd)"
DOMAIN = "kapwa.test"
_seq = itertools.count(1)

# Our SMTP server takes AUTH without TLS on purpose (loopback only); aiosmtpd warns about that, and about
# its own legacy login_data, on every connection.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS", category=UserWarning)
logging.getLogger("mail.log").addFilter(
    lambda record: "auth_require_tls" not in record.getMessage() and "login_data" not in record.getMessage())


def _password(user: str) -> str:
    return f"{user}-Lihim-2026"


@dataclass
class MailServers:
    imap_host: str
    imap_port: int
    smtp_host: str
    smtp_port: int
    user: str
    password: str
    domain: str
    workdir: Path
    uid: int
    gid: int
    passwords: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (MAIL FROM, RCPT TOs) accepted
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def address(self, user: str | None = None) -> str:
        return f"{user or self.user}@{self.domain}"

    def maildir(self, user: str, mailbox: str = "INBOX") -> Path:
        root = self.workdir / "mail" / user / "Maildir"
        return root if mailbox == "INBOX" else root / f".{mailbox}"

    def add_user(self, user: str, password: str | None = None) -> str:
        """Create a mail user (Dovecot re-reads its passwd-file); return the address."""
        with self._lock:
            self.passwords[user] = password or _password(user)
            home = self.workdir / "mail" / user
            lines = [f"{name}:{{PLAIN}}{pw}:{self.uid}:{self.gid}::{self.workdir / 'mail' / name}::"
                     for name, pw in self.passwords.items()]
            tmp = self.workdir / "users.tmp"
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            tmp.replace(self.workdir / "users")
        self._ensure_maildir(home / "Maildir")
        return self.address(user)

    def _ensure_maildir(self, path: Path) -> None:
        for sub in (path, path / "cur", path / "new", path / "tmp"):
            sub.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chown(sub, self.uid, self.gid)
        os.chown(path.parent, self.uid, self.gid)

    def deliver(self, raw: bytes, to_user: str | None = None, *, received_at: dt.datetime | None = None,
                mailbox: str = "INBOX") -> Path:
        """Deliver a message the way an MTA does (tmp/ then rename into new/); ``received_at`` becomes its
        IMAP INTERNALDATE."""
        user = to_user or self.user
        if user not in self.passwords:
            raise KeyError(f"no mail user {user!r}")
        box = self.maildir(user, mailbox)
        self._ensure_maildir(box)
        raw = raw.replace(b"\r\n", b"\n")  # Maildir files use local line endings
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(_seq)}.kapwa-test,S={len(raw)}"
        tmp = box / "tmp" / name
        with open(tmp, "xb") as f:
            f.write(raw)
        os.chown(tmp, self.uid, self.gid)
        if received_at is not None:
            ts = received_at.timestamp()
            os.utime(tmp, (ts, ts))
        final = box / "new" / name
        tmp.rename(final)
        return final

    def imap(self, user: str | None = None) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.imap_host, self.imap_port, timeout=10)
        conn.login(user or self.user, self.passwords[user or self.user])
        return conn

    def messages(self, user: str | None = None, mailbox: str = "INBOX") -> list[EmailMessage]:
        """A user's messages in UID order, read over IMAP (without marking them read)."""
        conn = self.imap(user)
        try:
            typ, _ = conn.select(mailbox, readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[])")
            raws = [part[1] for part in data if isinstance(part, tuple)]
            return [email.message_from_bytes(r, policy=policy.default) for r in raws]
        finally:
            with contextlib.suppress(Exception):
                conn.logout()

    def wait_for(self, user: str, count: int, mailbox: str = "INBOX", timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(user, mailbox)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------- Dovecot


def _dovecot_config(workdir: Path, port: int, internal_user: str, login_user: str, first_uid: int) -> str:
    rootless = os.geteuid() != 0
    unchroot = "".join(f"service {s} {{\n  chroot =\n}}\n" for s in ("anvil", "imap-login")) if rootless else ""
    return f"""# kapwa test server (written by tests/support/mailserver.py)
protocols = imap
listen = 127.0.0.1
instance_name = kapwa-test-{port}
base_dir = {workdir}/run
state_dir = {workdir}/state
log_path = {workdir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = {first_uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {workdir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {workdir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{unchroot}"""


def _mail_owner() -> tuple[int, int, str, str]:
    """(uid, gid) owning the mailboxes, and Dovecot's internal and login users."""
    if os.geteuid() == 0:
        try:
            nobody = pwd.getpwnam("nobody")
            pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        except KeyError as exc:
            raise ServiceError(f"missing OS user {exc}; {INSTALL_HINT}") from None
        return nobody.pw_uid, nobody.pw_gid, "dovecot", "dovenull"
    me = pwd.getpwuid(os.getuid()).pw_name
    return os.getuid(), os.getgid(), me, me


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # the master stops its children
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything of ours left in its process group


@contextlib.contextmanager
def dovecot_server(workdir: Path, uid: int, gid: int, internal_user: str, login_user: str,
                   timeout: float = 30) -> Iterator[int]:
    if not (os.access(DOVECOT, os.X_OK) and os.access(DOVECOT_IMAP, os.X_OK)):
        raise ServiceError(f"{DOVECOT} (with {DOVECOT_IMAP}) not found; {INSTALL_HINT}")
    logfile = workdir / "dovecot.log"
    proc: subprocess.Popen | None = None
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            conf = workdir / "dovecot.conf"
            conf.write_text(_dovecot_config(workdir, port, internal_user, login_user, min(uid, 500) or 1))
            with (workdir / "dovecot.out").open("ab") as out:
                proc = subprocess.Popen([str(DOVECOT), "-F", "-c", str(conf)], cwd=workdir,
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not port_open(port):
                if time.monotonic() > deadline:
                    _stop(proc)
                    raise ServiceError(f"dovecot did not listen within {timeout:.0f}s:\n{_tail(logfile)}")
                time.sleep(0.05)
            if proc.returncode is None:
                break
            log = _tail(logfile) + "\n" + _tail(workdir / "dovecot.out")
            if "in use" not in log or attempt == START_ATTEMPTS:
                raise ServiceError(f"dovecot exited with {proc.returncode}:\n{log}")
        yield port
    finally:
        if proc is not None:
            _stop(proc)


# ------------------------------------------------------------------------------------------------- SMTP


class _DeliveringHandler:
    """aiosmtpd handler: accept local recipients (and aliases), deliver each mail into their Maildirs."""

    def __init__(self, servers: MailServers):
        self.servers = servers

    def _local_users(self, address: str) -> list[str] | None:
        local, _, domain = address.lower().rpartition("@")
        if domain != self.servers.domain:
            return None
        if local in self.servers.aliases:
            return self.servers.aliases[local]
        return [local] if local in self.servers.passwords else []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        users = self._local_users(address)
        if users is None:
            return f"554 5.7.1 <{address}>: Relay access denied"
        if not users:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        now = email.utils.format_datetime(dt.datetime.now(dt.UTC))
        trace = (f"Return-Path: <{envelope.mail_from}>\r\n"
                 f"Received: from {session.host_name or 'unknown'} ([{session.peer[0]}])\r\n"
                 f"\tby smtp.{self.servers.domain} (kapwa test aiosmtpd); {now}\r\n").encode()
        body = envelope.original_content or envelope.content
        for rcpt in envelope.rcpt_tos:
            for user in self._local_users(rcpt) or []:
                self.servers.deliver(trace + body, user)
        self.servers.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK: queued"


def _authenticator(servers: MailServers):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        ok = servers.passwords.get(user) == auth_data.password.decode("utf-8", "replace")
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)

    return check


@contextlib.contextmanager
def smtp_server(servers: MailServers) -> Iterator[int]:
    from aiosmtpd.controller import Controller

    controller = None
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        controller = Controller(_DeliveringHandler(servers), hostname="127.0.0.1", port=port,
                                server_hostname=f"smtp.{servers.domain}", ready_timeout=10,
                                authenticator=_authenticator(servers), auth_required=True,
                                auth_require_tls=False)
        try:
            controller.start()
            break
        except OSError as exc:
            if attempt == START_ATTEMPTS:
                raise ServiceError(f"aiosmtpd could not start on 127.0.0.1:{port}: {exc}") from None
    try:
        yield port
    finally:
        controller.stop()


# ----------------------------------------------------------------------------------------------- both


@contextlib.contextmanager
def mail_servers(users: Iterable[str] = ("kapwa",), aliases: dict[str, list[str]] | None = None,
                 domain: str = DOMAIN) -> Iterator[MailServers]:
    """Start Dovecot (IMAP) and aiosmtpd (SMTP delivering into Dovecot's Maildirs); the first user is the
    main one (``user``/``password``). Everything is stopped and removed on exit."""
    users = list(users)
    uid, gid, internal_user, login_user = _mail_owner()
    workdir = Path(tempfile.mkdtemp(prefix="kapwa-mail-"))
    try:
        os.chmod(workdir, 0o755)  # Dovecot's mail processes (another OS user when we are root) enter it
        (workdir / "mail").mkdir()
        os.chown(workdir / "mail", uid, gid)
        servers = MailServers("127.0.0.1", 0, "127.0.0.1", 0, users[0], _password(users[0]), domain, workdir,
                              uid, gid, aliases=dict(aliases or {}))
        for user in users:
            servers.add_user(user)
        with dovecot_server(workdir, uid, gid, internal_user, login_user) as imap_port, \
                smtp_server(servers) as smtp_port:
            servers.imap_port, servers.smtp_port = imap_port, smtp_port
            yield servers
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
