"""Generic CSV and JSON Lines imports with a column mapping.

``options["mapping"]`` maps Kapwa fields to the file's column (CSV) or key (JSONL) names, e.g.
``{"id": "post_id", "text": "body", "created_at": "date"}``; a field left out is looked for under its own
name. Fields:

* ``id``, ``text``, ``created_at`` — required. ``created_at`` is ISO 8601 (``2024-05-01T08:00:00+08:00``)
  or epoch seconds (values above 10^11 are read as milliseconds). **A date and time without an offset is
  read as UTC.**
* ``author_id``, ``author_name``, ``author_handle``, ``author_email`` — who wrote it. The person is keyed by
  ``author_id``, else by e-mail, else by handle, else by name. E-mail from a file is not treated as verified.
* ``thread_id``, ``parent_id`` — threading; a message with neither starts its own conversation.
* ``title``, ``channel``, ``url``, ``kind`` (post, comment, reply, direct or mention; default reply when
  there is a parent, else post).

``options["platform"]`` names the identity namespace (default ``import``); ``options["delimiter"]`` the
CSV delimiter (default ``,``). CSV files may start with a UTF-8 byte-order mark and may have quoted fields
that span lines; errors name the line the record starts on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from kapwa.connectors.base import InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import (
    MAX_EMAIL,
    MAX_ID,
    MAX_NAME,
    clip,
    count_in_file,
    parse_datetime,
    url_or_none,
)
from kapwa.importers.base import BadRecord, Importer, Record

FIELDS = ("id", "text", "created_at", "author_id", "author_name", "author_handle", "author_email",
          "thread_id", "parent_id", "title", "channel", "url", "kind")
REQUIRED = ("id", "text", "created_at")
KINDS = ("post", "comment", "reply", "direct", "mention")
_CSV_COUNT_LIMIT = 64 * 2**20


class _MappedImporter(Importer):
    def __init__(self, path, options=None):
        super().__init__(path, options)
        self.platform = str(self.options.get("platform") or "import")
        mapping = self.options.get("mapping") or {}
        if not isinstance(mapping, dict):
            raise KeyError("--mapping: must be a JSON object of Kapwa field → column name")
        unknown = sorted(set(mapping) - set(FIELDS))
        if unknown:
            raise KeyError(f"--mapping: unknown Kapwa field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
        self.columns = {f: str(mapping.get(f) or f) for f in FIELDS}

    def _value(self, row: dict, field: str) -> str | None:
        value = row.get(self.columns[field])
        if value is None:
            return None
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        value = str(value)
        return value if value.strip() else None

    def _item(self, row: dict, where: str) -> InboundItem | BadRecord:
        def bad(field: str, problem: str) -> BadRecord:
            return BadRecord(self.path, where, self.columns[field], problem)

        for field in REQUIRED:
            if self._value(row, field) is None:
                col = self.columns[field]
                if col not in row:
                    return bad(field, f"{field} is missing (no {col!r} in this record)")
                return bad(field, f"{field} is empty")
        pid = self._value(row, "id").strip()
        if len(pid) > MAX_ID:
            return bad("id", f"id is longer than {MAX_ID} characters")
        try:
            created = parse_datetime(self._value(row, "created_at"))
        except ValueError as exc:
            return bad("created_at", f"created_at {exc}")
        thread = self._value(row, "thread_id")
        parent = self._value(row, "parent_id")
        kind = (self._value(row, "kind") or ("reply" if parent else "post")).strip().lower()
        if kind not in KINDS:
            return bad("kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        author = self._author(row)
        for field, value in (("thread_id", thread), ("parent_id", parent)):
            if value and len(value.strip()) > MAX_ID:
                return bad(field, f"{field} is longer than {MAX_ID} characters")
        return InboundItem(
            platform_message_id=pid, created_at=created, author=author,
            text=(self._value(row, "text") or "").replace("\r\n", "\n"),
            kind=kind, thread_id=thread.strip() if thread else None,
            parent_id=parent.strip() if parent else None,
            title=clip(self._value(row, "title"), 300), channel=clip(self._value(row, "channel")),
            url=url_or_none(self._value(row, "url")), is_direct=kind == "direct", raw=dict(row),
        )

    def _author(self, row: dict) -> InboundAuthor | None:
        uid, name, handle, email = (self._value(row, f) for f in ("author_id", "author_name", "author_handle",
                                                                  "author_email"))
        email = email.strip().lower() if email and "@" in email and len(email.strip()) <= MAX_EMAIL else None
        key = ((uid and uid.strip()) or email or (handle and "handle:" + handle.strip())
               or (name and "name:" + name.strip()))
        if not key:
            return None
        return InboundAuthor(platform_user_id=key[:MAX_ID], handle=clip(handle),
                             display_name=clip(name, MAX_NAME), email=email)


class CsvImporter(_MappedImporter):
    format = "csv"
    label = N_("CSV")

    def _reader(self, fh):
        return csv.reader(fh, delimiter=str(self.options.get("delimiter") or ","))

    def records(self) -> Iterator[Record]:
        with self.path.open(encoding="utf-8-sig", newline="") as fh:
            reader = self._reader(fh)
            line = 1
            try:
                header = next(reader, None)
                if header is None:
                    return
                header = [h.strip() for h in header]
                missing = [f for f in REQUIRED if self.columns[f] not in header]
                if missing:
                    f = missing[0]
                    problem = f"no {self.columns[f]!r} column for {f}; the columns are {', '.join(header)}"
                    yield Record("line 1", BadRecord(self.path, "line 1 (header)", self.columns[f], problem))
                    return
                while True:
                    line = reader.line_num + 1  # the line this record starts on
                    row = next(reader, None)
                    if row is None:
                        return
                    if not row or all(not cell.strip() for cell in row):
                        continue
                    where = f"line {line}"
                    if len(row) != len(header):
                        problem = f"has {len(row)} fields but the header has {len(header)}"
                        yield Record(where, BadRecord(self.path, where, None, problem))
                        continue
                    yield Record(where, self._item(dict(zip(header, row, strict=True)), where))
            except UnicodeDecodeError:
                problem = "not UTF-8 text; save the file as UTF-8 and import again"
                yield Record(f"line {line}", BadRecord(self.path, f"line {line}", None, problem))
            except csv.Error as exc:
                where = f"line {line}"
                yield Record(where, BadRecord(self.path, where, None, f"unreadable CSV: {exc}"))

    def count_hint(self) -> int | None:
        try:
            if self.path.stat().st_size > _CSV_COUNT_LIMIT:
                return None
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                return max(0, sum(1 for row in self._reader(fh) if row) - 1)
        except (OSError, UnicodeDecodeError, csv.Error):
            return None


class JsonlImporter(_MappedImporter):
    format = "jsonl"
    label = N_("JSON Lines")

    def records(self) -> Iterator[Record]:
        with self.path.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                where = f"line {n}"
                try:
                    text = raw.decode("utf-8-sig" if n == 1 else "utf-8").strip()
                except UnicodeDecodeError:
                    yield Record(where, BadRecord(self.path, where, None, "not UTF-8 text"))
                    continue
                if not text:
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Record(where, BadRecord(self.path, where, None,
                                                  f"not valid JSON ({exc.msg} at column {exc.colno})"))
                    continue
                if not isinstance(obj, dict):
                    yield Record(where, BadRecord(self.path, where, None, "each line must be a JSON object"))
                    continue
                yield Record(where, self._item(obj, where))

    def count_hint(self) -> int | None:
        return count_in_file(Path(self.path))

