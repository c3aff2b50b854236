"""Throwaway mail servers on loopback, for the e-mail connector tests.

``mail_servers()`` starts, in a fresh temporary directory, a real IMAP server — Debian's Dovecot
(``dovecot -F -c <our config>``; users in passwd-files, mail in Maildirs) — and a real SMTP server —
aiosmtpd, in this process — each on free 127.0.0.1 ports: ``imap_port``/``smtp_port`` plain (STARTTLS
offered), ``imaps_port``/``smtps_port`` TLS, all with one self-signed certificate (``ca_file``). SMTP
requires AUTH (the IMAP users and passwords; allowed without TLS) and delivers each accepted mail into the
recipients' Maildirs, so what is sent can be read back over IMAP; other domains are refused (no relaying),
unknown users get 550, and ``aliases`` work like a mailing list. Everything is stopped and removed on exit::

    with mail_servers(users=("kapwa", "maria")) as mail:
        mail.deliver(raw_bytes, "kapwa")        # a delivery straight into kapwa's Maildir
        mail.messages("maria")                  # maria's INBOX, read over IMAP

As root, Dovecot keeps its own service users (``dovecot``, ``dovenull``) and the mailboxes belong to
``nobody`` (Dovecot will not serve mail as root); otherwise everything runs as the current user.
``scripts/install-system-deps.sh`` installs Dovecot (Debian package dovecot-imapd).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import grp
import imaplib
import ipaddress
import itertools
import logging
import os
import pwd
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from tests.support.services import START_ATTEMPTS, ServiceError, _tail, free_port, port_open

DOVECOT = Path(os.environ.get("KAPWA_DOVECOT", "/usr/sbin/dovecot"))
DOVECOT_IMAP = Path("/usr/lib/dovecot/imap")
INSTALL_HINT = "run `scripts/install-system-deps.sh` (as root) to install Dovecot (Debian: dovecot-imapd)"
DOMAIN = "kapwa.test"
_seq = itertools.count(1)

# aiosmtpd logs a deprecation warning about its own legacy login_data on every successful AUTH.
logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())


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
    imaps_port: int = 0  # IMAP over TLS (the plain port offers STARTTLS too)
    smtps_port: int = 0  # SMTP over TLS (the plain port offers STARTTLS too)
    ca_file: Path | None = None  # the self-signed certificate both servers use (for 127.0.0.1)
    passwords: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)

    def address(self, user: str | None = None) -> str:
        return f"{user or self.user}@{self.domain}"

    def maildir(self, user: str, mailbox: str = "INBOX") -> Path:
        root = self.workdir / "mail" / user / "Maildir"
        return root if mailbox == "INBOX" else root / f".{mailbox}"

    def add_user(self, user: str, password: str | None = None) -> str:
        """Create a mail user; return the address. Each user has its own passwd-file (Dovecot's path has %n):
        a new file is read at the user's first login, whereas a changed one is noticed only a second later."""
        if not user.replace("-", "").replace(".", "").isalnum():
            raise ValueError(f"mail user names here are plain words, not {user!r}")
        self.passwords[user] = password or f"{user}-Lihim-2026"
        home, entry = self.workdir / "mail" / user, self.workdir / "users" / user
        entry.parent.mkdir(exist_ok=True)
        entry.write_text(f"{user}:{{PLAIN}}{self.passwords[user]}:{self.uid}:{self.gid}::{home}::\n", "utf-8")
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
            os.utime(tmp, (received_at.timestamp(), received_at.timestamp()))
        tmp.rename(box / "new" / name)
        return box / "new" / name

    def imap(self, user: str | None = None) -> imaplib.IMAP4:
        """A plain IMAP connection, logged in as ``user``."""
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

    def wait_for_message(self, user: str, message_id: str, mailbox: str = "INBOX",
                         timeout: float = 10) -> list[EmailMessage]:
        """The messages with this Message-ID (without brackets) in a user's mailbox, over IMAP; waits up to
        ``timeout`` seconds for at least one to arrive (SMTP delivery is immediate, but be kind)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages(user, mailbox)
                     if (m["Message-ID"] or "").strip() == f"<{message_id}>"]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------- Dovecot


def _dovecot_config(workdir: Path, port: int, tls_port: int, accounts: dict[str, str], first_uid: int) -> str:
    rootless = os.geteuid() != 0
    chroot = "  chroot =\n" if rootless else ""  # chrooting needs root
    return f"""# kapwa test server (written by tests/support/mailserver.py)
protocols = imap
listen = 127.0.0.1
instance_name = kapwa-test-{port}
base_dir = {workdir}/run
state_dir = {workdir}/state
log_path = {workdir}/dovecot.log
ssl = yes
ssl_cert = <{workdir}/tls/cert.pem
ssl_key = <{workdir}/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {accounts["internal_user"]}
default_internal_group = {accounts["internal_group"]}
default_login_user = {accounts["login_user"]}
first_valid_uid = {first_uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {workdir}/users/%n
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {workdir}/users/%n
}}
service anvil {{
{chroot}  # no growing delay after failed logins (the tests fail them on purpose)
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
"""


def _mail_owner() -> tuple[int, int, dict[str, str]]:
    """(uid, gid) owning the mailboxes, and the OS accounts Dovecot's own processes run as."""
    if os.geteuid() == 0:
        try:
            nobody = pwd.getpwnam("nobody")
            pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        except KeyError as exc:
            raise ServiceError(f"missing OS user {exc}; {INSTALL_HINT}") from None
        return nobody.pw_uid, nobody.pw_gid, {"internal_user": "dovecot", "internal_group": "dovecot",
                                              "login_user": "dovenull"}
    me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    return os.getuid(), os.getgid(), {"internal_user": me, "internal_group": group, "login_user": me}


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
def dovecot_server(workdir: Path, uid: int, accounts: dict[str, str],
                   timeout: float = 30) -> Iterator[tuple[int, int]]:
    if not (os.access(DOVECOT, os.X_OK) and os.access(DOVECOT_IMAP, os.X_OK)):
        raise ServiceError(f"{DOVECOT} (with {DOVECOT_IMAP}) not found; {INSTALL_HINT}")
    logfile = workdir / "dovecot.log"
    proc: subprocess.Popen | None = None
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port, tls_port = free_port(), free_port()
            conf = workdir / "dovecot.conf"
            conf.write_text(_dovecot_config(workdir, port, tls_port, accounts, min(uid, 500) or 1))
            with (workdir / "dovecot.out").open("ab") as out:
                proc = subprocess.Popen([str(DOVECOT), "-F", "-c", str(conf)], cwd=workdir,
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not (port_open(port) and port_open(tls_port)):
                if time.monotonic() > deadline:
                    _stop(proc)
                    raise ServiceError(f"dovecot did not listen within {timeout:.0f}s:\n{_tail(logfile)}")
                time.sleep(0.05)
            if proc.returncode is None:
                break
            log = _tail(logfile) + "\n" + _tail(workdir / "dovecot.out")
            if "in use" not in log or attempt == START_ATTEMPTS:
                raise ServiceError(f"dovecot exited with {proc.returncode}:\n{log}")
        yield port, tls_port
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

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # AUTH is required (checked here rather than with aiosmtpd's auth_required, which warns on every
        # connection that AUTH without TLS is unsafe: true, and fine on loopback).
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
def smtp_server(servers: MailServers, *, implicit_tls: bool = False) -> Iterator[int]:
    """aiosmtpd on a free port: plain with STARTTLS, or TLS from the first byte (``implicit_tls``)."""
    from aiosmtpd.controller import Controller

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(servers.workdir / "tls" / "cert.pem", servers.workdir / "tls" / "key.pem")
    controller = None
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        controller = Controller(_DeliveringHandler(servers), hostname="127.0.0.1", port=port,
                                server_hostname=f"smtp.{servers.domain}", ready_timeout=10,
                                ssl_context=tls if implicit_tls else None,
                                tls_context=None if implicit_tls else tls,
                                authenticator=_authenticator(servers), auth_required=False,
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


def _self_signed_certificate(folder: Path) -> Path:
    """A throwaway certificate for 127.0.0.1 and localhost; returns the certificate's path (also the CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(mode=0o700)  # read by Dovecot's master (root, or us) and by aiosmtpd (us)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kapwa test mail")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(pem))
    return folder / "cert.pem"


# ----------------------------------------------------------------------------------------------- both


@contextlib.contextmanager
def mail_servers(users: Iterable[str] = ("kapwa",), aliases: dict[str, list[str]] | None = None,
                 domain: str = DOMAIN) -> Iterator[MailServers]:
    """The servers (see the module docstring); the first user is the main one (``user``/``password``)."""
    users = list(users)
    uid, gid, accounts = _mail_owner()
    workdir = Path(tempfile.mkdtemp(prefix="kapwa-mail-"))
    try:
        os.chmod(workdir, 0o755)  # Dovecot's mail processes (another OS user when we are root) enter it
        (workdir / "mail").mkdir()
        os.chown(workdir / "mail", uid, gid)
        servers = MailServers("127.0.0.1", 0, "127.0.0.1", 0, users[0], f"{users[0]}-Lihim-2026", domain,
                              workdir, uid, gid, aliases=dict(aliases or {}))
        for user in users:
            servers.add_user(user)
        servers.ca_file = _self_signed_certificate(workdir / "tls")
        with dovecot_server(workdir, uid, accounts) as (imap_port, imaps_port), \
                smtp_server(servers) as smtp_port, smtp_server(servers, implicit_tls=True) as smtps_port:
            servers.imap_port, servers.imaps_port = imap_port, imaps_port
            servers.smtp_port, servers.smtps_port = smtp_port, smtps_port
            yield servers
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
