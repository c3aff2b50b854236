"""One raw e-mail → :class:`InboundItem`, and the small IMAP, SMTP and header helpers the connector needs.

Forgiving on purpose: a mail with a missing or absurd Date, no Message-ID, an unknown charset or broken
MIME still becomes a readable item (the problem is logged); one hostile mail must not stop a mailbox.
Message ids are stored without angle brackets; one too long for the database becomes a stable hash
(``h:<sha1>``) wherever it appears (Message-ID, In-Reply-To, References), so threading still works.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email.utils
import hashlib
import html as htmllib
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from email import policy
from email.header import Header, decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any, ClassVar

from kapwa.connectors.base import InboundAuthor, InboundItem

log = logging.getLogger("kapwa.connectors.email")

BATCH = 200  # messages per batch (and per UID FETCH)
BATCH_BYTES = 20_000_000  # and at most about this much mail in memory at once
MAX_ID = 250  # platform ids and thread ids are stored in 300-character columns
_ID = re.compile(r"<([^<>\s]+)>")
_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|fw|aw|sv|vs|tr|rv|sagot)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
                     re.IGNORECASE)
_ATTRIBUTION = re.compile(r"(wrote|sumulat|schrieb|escribió|a écrit|scrisse)\s*:\s*$", re.IGNORECASE)
_OUTLOOK = re.compile(r"^\s*-{2,}\s*(original message|orihinal na mensahe)\s*-{2,}\s*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


# ------------------------------------------------------------------------------------------ message ids


def norm_id(value: str) -> str:
    value = value.strip().strip("<>").strip()
    if len(value) > MAX_ID:
        return "h:" + hashlib.sha1(value.encode("utf-8", "replace")).hexdigest()
    return value


def message_ids(header: Any) -> list[str]:
    """The ids in a Message-ID / In-Reply-To / References header, in order, without brackets."""
    text = str(header or "").strip()
    found = _ID.findall(text) or ([text] if text and " " not in text else [])  # or a bare id
    return list(dict.fromkeys(value for value in map(norm_id, found) if value))


def strip_subject_prefixes(subject: str) -> str:
    return _PREFIX.sub("", subject or "").strip()


# ----------------------------------------------------------------------------------------------- IMAP


def quote_mailbox(name: str) -> str:
    """A mailbox name as an IMAP quoted string, non-ASCII in modified UTF-7 (RFC 3501 §5.1.3)."""

    def utf7(m: re.Match) -> str:
        b64 = base64.b64encode(m.group(0).encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
        return "&-" if m.group(0) == "&" else f"&{b64}-"

    return imap_quote(re.sub(r"&|[^\x20-\x7e]+", utf7, name))


def imap_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_internaldate(value: str | None) -> dt.datetime | None:
    """``25-Nov-2026 14:48:13 +0800`` → aware UTC datetime."""
    m = re.match(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d:\d\d:\d\d) ([+-]\d{4})", value or "")
    try:
        stamp = f"{m[3]}-{_MONTHS[m[2].lower()]:02d}-{int(m[1]):02d} {m[4]} {m[5]}"
        return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S %z").astimezone(dt.UTC)
    except (TypeError, KeyError, ValueError):
        return None


def fetch_records(data: list) -> list[tuple[str, bytes | None]]:
    """imaplib's FETCH answer → [(attributes text, literal or None)], one per message."""
    records: list[list] = []
    for part in data or []:
        if isinstance(part, tuple):
            records.append([part[0].decode("ascii", "replace"), part[1]])
        elif isinstance(part, bytes):
            text = part.decode("ascii", "replace")
            if re.match(r"\d+ \(", text) or not records:
                records.append([text, None])
            else:
                records[-1][0] += text  # what followed the literal, e.g. ' UID 7)'
    return [(meta, lit) for meta, lit in records]


def fetch_field(meta: str, name: str) -> str | None:
    m = re.search(rf"\b{name} (\"[^\"]*\"|\d+)", meta)
    return m.group(1).strip('"') if m else None


# ---------------------------------------------------------------------------------------------- errors


def plain_error(exc: BaseException) -> str:
    """An OS or TLS failure in plain words."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    text = exc.args[0] if exc.args else str(exc)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return text or type(exc).__name__


def server_says(exc: Exception | bytes | str) -> str:
    """A server's answer in plain words: b'[AUTHENTICATIONFAILED] Authentication failed.' → 'authentication
    failed'."""
    text = plain_error(exc) if isinstance(exc, BaseException) else exc
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    text = (text.split("] ", 1)[-1] if text.startswith("[") else text).strip().rstrip(".")
    text = re.sub(r"^[245]\.\d{1,3}\.\d{1,3}\s+", "", text)  # an SMTP enhanced status code
    return (text[:1].lower() + text[1:]) or "refused"


def truthy(value: Any) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)


def addresses(value: Any) -> list[tuple[str, str]]:
    """[(display name, lowercased address)] in a decoded address header; unusable entries left out."""
    found: dict[str, str] = {}
    for display, addr in email.utils.getaddresses([str(value or "")]):
        addr = clean(addr).strip().lower()
        if "@" in addr and len(addr) <= 254 and " " not in addr and "\ufffd" not in addr:
            found.setdefault(addr, clean(display).strip())
    return [(name, addr) for addr, name in found.items()]


def address_list(value: Any) -> list[str]:
    return [addr for _, addr in addresses(value)]


def imap_login(conn, user: str, password: str) -> None:
    if (user + password).isascii():
        conn.login(user, password)
    else:  # imaplib's LOGIN is ASCII only
        conn.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())


def smtp_login(conn, user: str, password: str) -> None:
    if (user + password).isascii():
        return conn.login(user, password)
    code, resp = conn.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode())
    if code != 235:  # smtplib's AUTH is ASCII only
        raise smtplib.SMTPAuthenticationError(code, resp)


def plan_batches(uids: list[int], sizes: dict[int, int], limit: int) -> Iterator[list[int]]:
    """UIDs in chunks of at most BATCH messages and about BATCH_BYTES of mail."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = min(sizes[uid], limit)
        if chunk and (len(chunk) >= BATCH or total + size > BATCH_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


# ----------------------------------------------------------------------------------------------- text


class _TextOf(HTMLParser):
    BLOCK: ClassVar[frozenset[str]] = frozenset({
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul",
        "ol", "hr", "section", "article", "header", "footer"})
    SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "head", "title", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text from HTML: scripts, styles and tags dropped, blocks on their own lines."""
    parser = _TextOf()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:
        text = htmllib.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(script|style).*?</\1>", " ", markup)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """Drop the quoted earlier mail at the end of a reply ("> …" lines and their "… wrote:" line, or an
    Outlook "Original Message" block). Quotes between new lines are kept."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _OUTLOOK.match(line) and "\n".join(lines[:i]).strip():
            lines = lines[:i]
            break
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end < len(lines) and any(line.startswith(">") for line in lines[end:]):
        for span in (1, 2):  # the attribution may be wrapped onto two lines
            if end >= span and _ATTRIBUTION.search(" ".join(lines[end - span:end])):
                end -= span
                break
    kept = "\n".join(lines[:end]).rstrip()
    return kept if kept.strip() else "\n".join(lines).strip()


def clean(text: str) -> str:
    """Text safe to store: raw 8-bit header bytes read as UTF-8, no NULs or other control characters."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _CONTROL.sub("", text)


def _decode(part: EmailMessage) -> str:
    """A text part's content: its declared charset, else UTF-8, else Windows-1252 (what undeclared 8-bit
    mail nearly always is); mostly-UTF-8 with a few broken bytes stays UTF-8."""
    payload = part.get_payload(decode=True) or b""
    declared = part.get_content_charset() or "us-ascii"
    for charset in dict.fromkeys((declared, "utf-8")):
        try:
            return clean(payload.decode(charset))
        except (LookupError, UnicodeError):
            continue
    log.info("e-mail part in charset %r has bytes that do not fit it; decoded leniently", declared)
    text = payload.decode("utf-8", errors="replace")
    if sum(ord(c) > 127 for c in text) >= 2 * text.count("\ufffd"):
        return clean(text)
    return clean(payload.decode("cp1252", errors="replace"))


def body_of(msg: EmailMessage) -> tuple[str, str | None]:
    """(plain text, html or None)."""
    plain, html_part = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    html = _decode(html_part) if html_part is not None else None
    text = (_decode(plain) if plain is not None else html_to_text(html) if html is not None
            else _decode(msg) if msg.get_content_maintype() == "text" else "")
    return text.replace("\r\n", "\n").strip(), html


# ---------------------------------------------------------------------------------------------- headers


def header(msg: EmailMessage, name: str) -> str:
    """A header's decoded value on one line, "" when absent; never raises."""
    try:
        value = msg.get(name)
    except Exception:
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        with contextlib.suppress(Exception):
            value = make_header(decode_header(value))
    return clean(" ".join(str(value).split())) if value is not None else ""


def _date(msg: EmailMessage, fallback: dt.datetime, what: str) -> dt.datetime:
    raw = header(msg, "Date")
    try:
        when = email.utils.parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        log.info("%s: no usable Date header (%r); using the time the server received it", what, raw[:80])
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = when.astimezone(dt.UTC)
    if when > fallback + dt.timedelta(days=1) or when.year < 1990:
        log.info("%s: implausible Date %s; using the time the server received it", what, raw[:80])
        return fallback
    return when


# ---------------------------------------------------------------------------------------------- parsing


class EncodedHeader(str):
    """A header value we encode ourselves (RFC 2047 over all of it); the policy stores and writes it as is
    (it has ``name`` and ``fold``). The stdlib's own folding doubles the space before an encoded word."""

    def __new__(cls, name: str, value: str) -> EncodedHeader:
        obj = super().__new__(cls, value)
        obj.name = name
        return obj

    def fold(self, *, policy) -> str:
        charset = "us-ascii" if str(self).isascii() else "utf-8"
        value = Header(str(self), charset, header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {value}{policy.linesep}"


REPLY_HEADERS = ("Message-ID", "Subject", "From", "Reply-To", "To", "Cc")


def reply_headers(raw: bytes) -> dict[str, Any]:
    """What answering a mail needs, with the same keys as the ``raw`` an item keeps (message_id, subject,
    from, reply_to, to, cc, references)."""
    msg = parse_raw(raw)
    found: dict[str, Any] = {name.replace("-", "_").lower(): header(msg, name) for name in REPLY_HEADERS}
    return found | {"references": message_ids(header(msg, "References"))}


def threading_headers(parent: dict[str, Any]) -> tuple[str | None, str | None]:
    """(In-Reply-To, References) for an answer to ``parent``; (None, None) when it has no usable id."""
    mid = (message_ids(parent.get("message_id")) or [None])[0]
    if not mid or mid.startswith(("uid:", "h:")):
        return None, None
    refs = [r for r in (parent.get("references") or []) if not r.startswith("h:") and r != mid] + [mid]
    refs = refs[:1] + refs[1:][-19:]  # the root and the latest ones, as RFC 5322 suggests when trimming
    return f"<{mid}>", " ".join(f"<{r}>" for r in refs)


def parse_raw(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def parse_item(raw: bytes, *, fallback_id: str, received_at: dt.datetime, own_address: str | None,
               sent_folder: bool = False, trust_senders: bool = False, extra_raw: dict | None = None,
               ) -> InboundItem:
    """One raw mail → InboundItem. ``fallback_id`` is used without a Message-ID; ``received_at`` (the
    IMAP INTERNALDATE) without a usable Date. Mail from ``own_address`` or in the sent folder is outbound."""
    msg = parse_raw(raw)
    ids = message_ids(header(msg, "Message-ID"))
    mid = ids[0] if ids else fallback_id
    if not ids:
        log.info("e-mail %s has no Message-ID; using %s", fallback_id, mid)
    parent = next((p for p in message_ids(header(msg, "In-Reply-To")) if p != mid), None)
    refs = [r for r in message_ids(header(msg, "References")) if r != mid]
    parent = parent or (refs[-1] if refs else None)
    thread = refs[0] if refs else (None if parent else mid)
    subject = header(msg, "Subject")
    text, html = body_of(msg)
    author = None
    for name, addr in addresses(header(msg, "From"))[:1]:
        author = InboundAuthor(platform_user_id=addr[:200], handle=addr[:200],
                               display_name=(name or addr.split("@")[0])[:200], email=addr,
                               email_verified=bool(trust_senders))
    outbound = sent_folder or bool(own_address and author and author.email == own_address.lower())
    attachments = [{"filename": clean(part.get_filename() or ""), "content_type": part.get_content_type()}
                   for part in msg.iter_attachments()]
    full_text, text = text, strip_quoted(text) if parent else text
    raw_info = {
        "message_id": header(msg, "Message-ID")[:1000], "subject": subject[:1000],
        "from": header(msg, "From")[:1000], "to": header(msg, "To")[:2000], "cc": header(msg, "Cc")[:2000],
        "reply_to": header(msg, "Reply-To")[:1000], "in_reply_to": parent,
        "references": (refs[:1] + refs[1:][-19:]) if refs else [], "attachments": attachments,
        "quoted_removed": text != full_text, "defects": len(msg.defects), **(extra_raw or {}),
    }
    return InboundItem(
        platform_message_id=mid, created_at=_date(msg, received_at, mid), text=text, author=author,
        kind="reply" if parent else "post", direction="outbound" if outbound else "inbound",
        thread_id=thread, parent_id=parent, title=strip_subject_prefixes(subject)[:300] or None,
        html=html, raw=raw_info,
    )
