"""Mailbox files in mbox format (mailing-list archives, Google Takeout, Thunderbird…), read with the
standard library's ``mailbox`` and ``email`` packages.

* Platform ids are the ``Message-ID`` without angle brackets (a message without one gets a stable id made
  from its From, Date and Subject). Threading follows e-mail: the parent is ``In-Reply-To`` (else the last
  of ``References``) and the conversation is the first of ``References`` — so a thread whose first message
  is not in the file still stays together.
* The author is the ``From`` address (keyed by the lower-cased address; not treated as verified, as mbox
  headers are not authenticated). ``options["own_addresses"]`` lists the brand's addresses: mail from
  them is imported as outbound.
* ``Subject`` is the title; the text is the first ``text/plain`` part (else ``text/html`` rendered to text),
  decoded from its charset. ``List-Id`` becomes the channel. A missing or unreadable ``Date`` is a bad
  record; a date without a zone is read as UTC.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import mailbox
import re
from collections.abc import Iterator

from kapwa.connectors.base import InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import MAX_EMAIL, MAX_ID, UTC, clip, count_in_file, html_to_text, log, url_or_none
from kapwa.importers.base import BadRecord, Importer, Record

_ANGLE = re.compile(r"<([^<>\s]+)>")


def _mid(value: str) -> str:
    value = value.strip().strip("<>").strip()
    return value if len(value) <= MAX_ID else "sha1:" + hashlib.sha1(value.encode()).hexdigest()


def message_ids(header: str | None) -> list[str]:
    if not header:
        return []
    found = _ANGLE.findall(str(header))
    if not found and str(header).strip():
        found = [str(header).split()[0]]
    return [_mid(v) for v in found]


def body_text(msg) -> tuple[str, str | None]:
    """(plain text, html or None) of a message: text/plain preferred, else text/html rendered."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, AttributeError):
        part = None
    if part is None:
        return "", None
    try:
        content = part.get_content()
    except (LookupError, ValueError, AttributeError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if not isinstance(content, str):
        return "", None
    if part.get_content_subtype() == "html":
        return html_to_text(content), content
    return content.strip(), None


class MboxImporter(Importer):
    format = "mbox"
    label = N_("E-mail (mbox)")
    platform = "email"

    def records(self) -> Iterator[Record]:
        own = {str(a).lower() for a in self.options.get("own_addresses") or []}
        box = mailbox.mbox(self.path, create=False)
        try:
            for n, key in enumerate(box.iterkeys(), start=1):
                where = f"message {n}"
                try:
                    msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                    yield Record(where, self._item(msg, where, own))
                except _Bad as bad:
                    yield Record(where, BadRecord(self.path, where, bad.field, bad.problem))
                except Exception as exc:
                    yield Record(where, BadRecord(self.path, where, None, f"unreadable message: {exc}"))
        finally:
            box.close()

    def _item(self, msg, where: str, own: set[str]) -> InboundItem:
        raw_date = msg.get("Date")
        if not raw_date:
            raise _Bad("Date", "missing")
        try:
            created = email.utils.parsedate_to_datetime(str(raw_date))
        except (TypeError, ValueError, IndexError):
            raise _Bad("Date", f"not an e-mail date: {str(raw_date)[:60]!r}") from None
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
        name, addr = email.utils.parseaddr(str(msg.get("From") or ""))
        addr = addr.strip().lower()
        subject = " ".join(str(msg.get("Subject") or "").split())
        ids = message_ids(msg.get("Message-ID"))
        if ids:
            pid = ids[0]
        else:
            basis = f"{addr}|{raw_date}|{subject}".encode()
            pid = "kapwa-" + hashlib.sha1(basis).hexdigest()
            log.info("%s %s has no Message-ID; using %s", self.path.name, where, pid)
        refs = message_ids(msg.get("References"))
        reply_to = message_ids(msg.get("In-Reply-To"))
        parent = reply_to[0] if reply_to else (refs[-1] if refs else None)
        parent = parent if parent != pid else None
        thread = refs[0] if refs and refs[0] != pid else None
        text, html = body_text(msg)
        author = None
        if addr or name:
            author = InboundAuthor(platform_user_id=(addr or f"name:{name}")[:MAX_ID],
                                   display_name=clip(name or addr), handle=clip(addr),
                                   email=addr if "@" in addr and len(addr) <= MAX_EMAIL else None)
        archived = _ANGLE.findall(str(msg.get("Archived-At") or ""))
        return InboundItem(
            platform_message_id=pid, created_at=created, text=text, html=html, author=author,
            kind="reply" if parent else "post", direction="outbound" if addr and addr in own else "inbound",
            thread_id=thread, parent_id=parent, title=clip(subject, 300), channel=clip(msg.get("List-Id")),
            url=url_or_none(archived[0]) if archived else None,
            raw={"to": str(msg.get("To") or "")[:500], "cc": str(msg.get("Cc") or "")[:500]},
        )

    def count_hint(self) -> int | None:
        count = count_in_file(self.path, b"\nFrom ")
        if count is None:
            return None
        with self.path.open("rb") as fh:
            return count + (fh.read(5) == b"From ")


class _Bad(Exception):
    def __init__(self, field: str | None, problem: str):
        super().__init__(problem)
        self.field, self.problem = field, problem
