"""E-mail: read a mailbox over IMAP, answer and send over SMTP (stdlib imaplib, smtplib and email).

Config: ``imap_host``, ``imap_port``, ``imap_tls`` (ssl | starttls | none, default ssl), ``smtp_host``,
``smtp_port``, ``smtp_tls`` (default starttls), ``mailbox`` (default INBOX), ``sent_mailbox`` (optional:
copies of what Kapwa sends go there, and it is read too, so answers sent by Kapwa or from the team's own
mail program show up as outbound), ``from_address``, ``from_name``, ``list_address`` (optional mailing
list: where ``publish`` posts and answers to list mail go), ``trust_sender_addresses`` (only if the server
enforces SPF/DKIM/DMARC: sender addresses then count as verified and join members known by them),
``tls_ca_file``, ``timeout``, ``max_message_bytes``. Credentials: ``username``, ``password`` (IMAP and
SMTP; ``smtp_username``/``smtp_password`` override them for SMTP).

Cursor: JSON ``{"mailbox", "uidvalidity", "last_uid", "sent": {...same for the sent folder}}``. New
messages are fetched by UID with BODY.PEEK[] on a read-only EXAMINE, so nothing is marked read. When the
UIDVALIDITY changes the mailbox is read again from the start (the upsert keeps that idempotent).

Replying: ``reply(thread_id, parent_id, text, parent_headers=None)``. E-mail needs the parent's Subject,
sender and References. Pass ``parent_headers`` (the ``raw`` Kapwa stored for the parent message has
exactly the keys needed: message_id, subject, from, reply_to, to, cc, references); without it the
connector finds the parent on the IMAP server by a Message-ID header search (mailbox, then sent folder).
The answer goes to the list when the parent was sent to ``list_address``, otherwise to Reply-To or From.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import imaplib
import json
import logging
import smtplib
import ssl
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any, ClassVar

from kapwa.connectors import email_parse as mp
from kapwa.connectors.base import (
    AuthError,
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    InboundItem,
    NotSupported,
    Sent,
    Unreachable,
)

log = logging.getLogger("kapwa.connectors.email")

DEFAULT_PORTS = {"imap": {"ssl": 993, "starttls": 143, "none": 143},
                 "smtp": {"ssl": 465, "starttls": 587, "none": 25}}


class Rejected(ConnectorError):
    """The mail server refused the message (recipient, sender or content); retrying will not help."""

    transient = False


class EmailConnector(BaseConnector):
    kind: ClassVar[str] = "email"
    label: ClassVar[str] = "E-mail"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish,
                              Capability.direct_message})
    fields = (
        ("imap_host", "IMAP server", False), ("imap_port", "IMAP port", False),
        ("imap_tls", "IMAP security (ssl, starttls or none)", False),
        ("smtp_host", "SMTP server", False), ("smtp_port", "SMTP port", False),
        ("smtp_tls", "SMTP security (ssl, starttls or none)", False),
        ("mailbox", "Mailbox to read", False), ("sent_mailbox", "Folder for sent mail (optional)", False),
        ("from_address", "From address", False), ("from_name", "From name", False),
        ("list_address", "Mailing list address (optional)", False),
        ("trust_sender_addresses", "The mail server verifies senders (SPF/DKIM/DMARC): yes or no", False),
        ("username", "User name", False), ("password", "Password", True),
    )
    credential_fields: ClassVar[tuple[str, ...]] = ("username", "password", "smtp_username", "smtp_password")

    # ----------------------------------------------------------------------------------------- settings

    def _endpoint(self, proto: str) -> tuple[str, int, str]:
        host = str(self.config.get(f"{proto}_host") or "").strip()
        mode = str(self.config.get(f"{proto}_tls") or ("ssl" if proto == "imap" else "starttls")).lower()
        if not host:
            raise NotSupported(f"{proto}_host: the {proto.upper()} server is not set")
        if mode not in DEFAULT_PORTS[proto]:
            raise NotSupported(f"{proto}_tls: must be ssl, starttls or none, not {mode!r}")
        try:
            port = int(self.config.get(f"{proto}_port") or DEFAULT_PORTS[proto][mode])
        except (TypeError, ValueError):
            raise NotSupported(f"{proto}_port: must be a number") from None
        return host, port, mode

    @property
    def mailbox(self) -> str:
        return str(self.config.get("mailbox") or "INBOX")

    @property
    def sent_mailbox(self) -> str | None:
        box = str(self.config.get("sent_mailbox") or "").strip()
        return box if box and box != self.mailbox else None

    @property
    def from_address(self) -> str:
        return str(self.config.get("from_address") or self.credentials.get("username") or "").strip().lower()

    @property
    def timeout(self) -> float:
        return float(self.config.get("timeout") or 30)

    def _tls(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.config.get("tls_ca_file") or None)
        except OSError as exc:
            raise NotSupported(f"tls_ca_file: cannot use {self.config['tls_ca_file']}: "
                               f"{mp.plain_error(exc)}") from None

    # ------------------------------------------------------------------------------------- connections

    @contextlib.contextmanager
    def _imap(self) -> Iterator[imaplib.IMAP4]:
        host, port, mode = self._endpoint("imap")
        where = f"imap host {host}:{port}"
        user = str(self.credentials.get("username") or "")
        try:
            if mode == "ssl":
                conn = imaplib.IMAP4_SSL(host, port, ssl_context=self._tls(), timeout=self.timeout)
            else:
                conn = imaplib.IMAP4(host, port, timeout=self.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise Unreachable(f"cannot reach {where}: {mp.plain_error(exc)}") from None
        try:
            if mode == "starttls":
                try:
                    conn.starttls(self._tls())
                except imaplib.IMAP4.error as exc:
                    raise Unreachable(f"{where} refused STARTTLS: {mp.server_says(exc)}") from None
            try:
                mp.imap_login(conn, user, str(self.credentials.get("password") or ""))
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                raise AuthError(f"IMAP login failed for user {user}: {mp.server_says(exc)}") from None
            yield conn
        except (imaplib.IMAP4.abort, OSError) as exc:
            raise Unreachable(f"lost the connection to {where}: {mp.plain_error(exc)}") from None
        except imaplib.IMAP4.error as exc:
            raise ConnectorError(f"{where} refused a command: {mp.server_says(exc)}") from None
        finally:
            with contextlib.suppress(Exception):
                conn.logout()

    @contextlib.contextmanager
    def _smtp(self) -> Iterator[smtplib.SMTP]:
        host, port, mode = self._endpoint("smtp")
        where = f"smtp host {host}:{port}"
        domain = self.from_address.rpartition("@")[2] or "localhost"
        conn = None
        try:
            if mode == "ssl":
                conn = smtplib.SMTP_SSL(host, port, local_hostname=domain, timeout=self.timeout,
                                        context=self._tls())
            else:
                conn = smtplib.SMTP(host, port, local_hostname=domain, timeout=self.timeout)
                if mode == "starttls":
                    conn.starttls(context=self._tls())  # says EHLO first
            conn.ehlo()
        except (OSError, smtplib.SMTPException) as exc:
            if conn is not None:
                conn.close()
            raise Unreachable(f"cannot reach {where}: {mp.plain_error(exc)}") from None
        user = str(self.credentials.get("smtp_username") or self.credentials.get("username") or "")
        password = str(self.credentials.get("smtp_password") or self.credentials.get("password") or "")
        try:
            if user and conn.has_extn("auth"):
                try:
                    mp.smtp_login(conn, user, password)
                except smtplib.SMTPAuthenticationError as exc:
                    raise AuthError(f"SMTP login failed for user {user}: {mp.server_says(exc.smtp_error)}") \
                        from None
            yield conn
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Unreachable(f"lost the connection to {where}: {mp.plain_error(exc)}") from None
        finally:
            with contextlib.suppress(Exception):
                conn.quit()

    # -------------------------------------------------------------------------------------------- read

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        try:
            state = json.loads(cursor) if cursor else {}
            state = state if isinstance(state, dict) else {}
        except ValueError:
            log.warning("unreadable e-mail cursor %r; reading the mailbox from the start", cursor[:100])
            state = {}
        with self._imap() as imap:  # the main mailbox always yields at least one batch (with its cursor)
            boxes = [(self.mailbox, None)] + ([(self.sent_mailbox, "sent")] if self.sent_mailbox else [])
            for name, key in boxes:
                box_state = (state.get(key) or {}) if key else state
                for items, new_state in self._read_mailbox(imap, name, box_state, required=key is None):
                    if key:
                        state[key] = new_state
                    else:
                        state.update(new_state)
                    yield Batch(items=items, cursor=json.dumps(state, sort_keys=True))

    def _read_mailbox(self, imap: imaplib.IMAP4, name: str, state: dict, *, required: bool):
        typ, data = imap.select(mp.quote_mailbox(name), readonly=True)
        if typ != "OK":
            if required:
                raise NotSupported(f"mailbox {name!r} not found for user {self.credentials.get('username')}: "
                                   f"{mp.server_says(data[0] if data and data[0] else b'refused')}")
            log.info("sent folder %r cannot be read yet; skipped", name)
            return
        exists = int(data[0] or 0)
        uidvalidity = int(imap.response("UIDVALIDITY")[1][0])
        last_uid = int(state.get("last_uid") or 0)
        if state.get("uidvalidity") != uidvalidity or state.get("mailbox", name) != name:
            if state.get("uidvalidity") is not None:
                log.warning("mailbox %r changed (UIDVALIDITY %s → %s); reading it again from the start",
                            name, state.get("uidvalidity"), uidvalidity)
            last_uid = 0
        new_state = {"mailbox": name, "uidvalidity": uidvalidity, "last_uid": last_uid}
        if not exists:
            yield [], new_state
            return
        typ, data = imap.uid("FETCH", f"{last_uid + 1}:*", "(UID RFC822.SIZE)")
        sizes = {}
        for meta, _ in mp.fetch_records(data if typ == "OK" else []):
            uid, size = mp.fetch_field(meta, "UID"), mp.fetch_field(meta, "RFC822.SIZE")
            if uid and int(uid) > last_uid:
                sizes[int(uid)] = int(size or 0)
        if not sizes:
            yield [], new_state
            return
        limit = int(self.config.get("max_message_bytes") or 2_000_000)
        for chunk in mp.plan_batches(sorted(sizes), sizes, limit):
            items = self._fetch_items(imap, name, uidvalidity, chunk, limit, sizes)
            new_state = {**new_state, "last_uid": chunk[-1]}
            log.info("mailbox %r: read %d mail(s) up to UID %d", name, len(items), chunk[-1])
            yield items, new_state

    def _fetch_items(self, imap, mailbox: str, uidvalidity: int, uids: list[int], limit: int, sizes: dict):
        typ, data = imap.uid("FETCH", ",".join(map(str, uids)), f"(UID INTERNALDATE BODY.PEEK[]<0.{limit}>)")
        if typ != "OK":
            raise Unreachable(f"the imap server would not hand out mail from {mailbox!r}: {data!r}"[:300])
        items = []
        prefix = "uid:" if mailbox == self.mailbox else f"uid:{mailbox}:"
        for meta, raw in mp.fetch_records(data):
            uid = mp.fetch_field(meta, "UID")
            if raw is None or uid is None or int(uid) not in sizes:
                continue
            received = mp.parse_internaldate(mp.fetch_field(meta, "INTERNALDATE")) or dt.datetime.now(dt.UTC)
            fallback = f"{prefix}{uidvalidity}:{uid}"
            extra = {"mailbox": mailbox, "uid": int(uid), "uidvalidity": uidvalidity,
                     "truncated": sizes[int(uid)] > limit}
            try:
                items.append(mp.parse_item(
                    raw, fallback_id=fallback, received_at=received, own_address=self.from_address,
                    sent_folder=mailbox != self.mailbox, extra_raw=extra,
                    trust_senders=mp.truthy(self.config.get("trust_sender_addresses"))))
            except Exception as exc:  # one unreadable mail must not stop the mailbox
                log.exception("e-mail UID %s in %r could not be read; kept as a placeholder", uid, mailbox)
                items.append(InboundItem(fallback, received, f"(this e-mail could not be read: {exc})"[:500],
                                         raw={**extra, "error": str(exc)[:500]}))
        return items

    # ------------------------------------------------------------------------------------------- write

    def reply(self, thread_id: str | None, parent_id: str | None, text: str, *,
              parent_headers: dict[str, Any] | None = None) -> Sent:
        target = parent_id or thread_id
        if not target:
            raise NotSupported("reply: an e-mail answer needs the message it answers")
        parent = parent_headers or self._find_headers(target)
        if parent is None:
            raise Rejected(f"cannot answer: the e-mail {target} is no longer in {self.mailbox!r} "
                           f"or {self.sent_mailbox or 'the sent folder'}")
        own = self.from_address
        parent_recipients = mp.address_list(parent.get("to")) + mp.address_list(parent.get("cc"))
        list_address = str(self.config.get("list_address") or "").lower()
        if list_address and list_address in parent_recipients:
            recipients = [list_address]
        elif own in mp.address_list(parent.get("from")):
            recipients = [a for a in parent_recipients if a != own]  # answering our own mail: same people
        else:
            recipients = mp.address_list(parent.get("reply_to")) or mp.address_list(parent.get("from"))
        if not recipients:
            raise Rejected(f"cannot answer the e-mail {target}: it has no sender address to answer to")
        subject = mp.strip_subject_prefixes(str(parent.get("subject") or "")) or "(no subject)"
        msg = self._compose(recipients, f"Re: {subject}", text)
        in_reply_to, references = mp.threading_headers(parent)
        if in_reply_to:
            msg["In-Reply-To"], msg["References"] = in_reply_to, references
        return self._send(msg)

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        to = channel if channel and "@" in channel else str(self.config.get("list_address") or "")
        if "@" not in to:
            raise NotSupported("publishing by e-mail needs a mailing list address (list_address)")
        subject = title or (text.strip().splitlines() or ["(no subject)"])[0][:78]
        return self._send(self._compose([to], subject, text))

    def send_direct(self, platform_user_id: str, text: str, *, subject: str | None = None) -> Sent:
        if "@" not in platform_user_id:
            raise Rejected(f"cannot send e-mail to {platform_user_id!r}: not an e-mail address")
        sender = self.config.get("from_name") or self.from_address
        subject = subject or self.config.get("direct_subject") or f"A message from {sender}"
        return self._send(self._compose([platform_user_id], subject, text))

    def _compose(self, to: list[str], subject: str, text: str) -> EmailMessage:
        msg = EmailMessage(policy=policy.SMTP)
        local, _, domain = self.from_address.rpartition("@")
        if not local:
            raise NotSupported("from_address: the address Kapwa sends from is not set")
        name = str(self.config.get("from_name") or "")
        msg["From"] = email.utils.formataddr((name, self.from_address), charset="utf-8")
        msg["To"] = ", ".join(to)
        msg["Subject"] = mp.EncodedHeader("Subject", subject)
        msg["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
        msg["Message-ID"] = email.utils.make_msgid(idstring="kapwa", domain=domain)
        body = text.rstrip("\n") + "\n"
        msg.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
        return msg

    def _send(self, msg: EmailMessage) -> Sent:
        to = mp.address_list(msg["To"])
        with self._smtp() as smtp:
            try:
                refused = smtp.send_message(msg, to_addrs=to)
            except smtplib.SMTPRecipientsRefused as exc:
                why = "; ".join(f"{addr} ({code} {mp.server_says(resp)})"
                                for addr, (code, resp) in exc.recipients.items())
                raise Rejected(f"the mail server refused the recipient: {why}") from None
            except smtplib.SMTPResponseException as exc:  # sender refused, or the message itself
                raise Rejected(f"the mail server refused the message: {exc.smtp_code} "
                               f"{mp.server_says(exc.smtp_error)}") from None
        mid = mp.message_ids(msg["Message-ID"])[0]
        if refused:
            log.warning("mail %s: some recipients were refused: %s", mid, refused)
        log.info("sent mail %s to %s", mid, ", ".join(to))
        self._save_copy(msg)
        return Sent(platform_message_id=mid, created_at=email.utils.parsedate_to_datetime(msg["Date"]),
                    raw={"to": to, "subject": str(msg["Subject"]), "refused": sorted(refused or {})})

    def _save_copy(self, msg: EmailMessage) -> None:
        if not self.sent_mailbox:
            return
        box = mp.quote_mailbox(self.sent_mailbox)
        try:
            with self._imap() as imap:
                data = msg.as_bytes(policy=policy.SMTP)
                typ, resp = imap.append(box, r"(\Seen)", imaplib.Time2Internaldate(time.time()), data)
                if typ != "OK" and b"TRYCREATE" in (resp[0] or b""):
                    imap.create(box)
                    imap.subscribe(box)
                    typ, resp = imap.append(box, r"(\Seen)", imaplib.Time2Internaldate(time.time()), data)
                if typ != "OK":
                    raise ConnectorError(mp.server_says(resp[0] or b"refused"))
        except ConnectorError as exc:
            log.warning("sent the mail but could not save a copy in %r: %s", self.sent_mailbox, exc.message)

    def _find_headers(self, message_id: str) -> dict[str, Any] | None:
        """The parent's headers from the IMAP server, found by Message-ID (or by UID for a mail without)."""
        with self._imap() as imap:
            for box in filter(None, (self.mailbox, self.sent_mailbox)):
                if imap.select(mp.quote_mailbox(box), readonly=True)[0] != "OK":
                    continue
                validity = int(imap.response("UIDVALIDITY")[1][0])
                prefix = f"uid:{validity}:" if box == self.mailbox else f"uid:{box}:{validity}:"
                if message_id.startswith(prefix):
                    uids = [message_id.removeprefix(prefix)]
                elif message_id.isascii() and not message_id.startswith(("uid:", "h:")):
                    typ, data = imap.uid("SEARCH", "HEADER", "Message-ID", mp.imap_quote(f"<{message_id}>"))
                    uids = [u.decode() for u in (data[0] or b"").split()] if typ == "OK" else []
                else:
                    continue
                typ, data = imap.uid("FETCH", uids[-1], "(BODY.PEEK[HEADER])") if uids else ("NO", [])
                records = [raw for _, raw in mp.fetch_records(data) if raw]
                if typ == "OK" and records:
                    return mp.reply_headers(records[0])
        return None

    def test_connection(self) -> str:
        with self._imap() as imap:
            typ, data = imap.select(mp.quote_mailbox(self.mailbox), readonly=True)
            if typ != "OK":
                raise NotSupported(f"mailbox {self.mailbox!r} not found for user "
                                   f"{self.credentials.get('username')}")
            count = int(data[0] or 0)
        with self._smtp():
            pass
        (ih, ip, _), (sh, sp, _) = self._endpoint("imap"), self._endpoint("smtp")
        return (f"IMAP {ih}:{ip}: signed in as {self.credentials.get('username')}, {self.mailbox} has "
                f"{count} mail(s); SMTP {sh}:{sp}: ready to send as {self.from_address}")
