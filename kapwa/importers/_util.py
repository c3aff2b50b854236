"""Helpers shared by the importers: dates, HTML to text, length limits, and reading an export that may be a
folder or a zip file."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import logging
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Self

log = logging.getLogger("kapwa.importers")

UTC = dt.UTC
# Column sizes of the tables the pipeline writes (see kapwa/core/models): longer ids are refused, longer
# names and channels are shortened, so a long value never fails a whole batch on PostgreSQL.
MAX_ID = 200
MAX_NAME = 200
MAX_URL = 1000  # message and conversation links
MAX_PROFILE_URL = 500  # profile and avatar links of people
MAX_EMAIL = 320
MAX_READ_BYTES = 2 * 2**30  # largest single JSON file read whole (Discord, Slack, Telegram, Mastodon)
_MS_THRESHOLD = 100_000_000_000  # epoch values above this (year 5138 in seconds) are milliseconds


def parse_datetime(value) -> dt.datetime:
    """ISO 8601 text or epoch seconds (int, float or digits) → an aware UTC datetime.

    A date and time without an offset is read as UTC. Epoch values larger than 10^11 are read as
    milliseconds. Raises ValueError with a short reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is empty")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_epoch(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return from_epoch(float(text))
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or epoch seconds: {text[:40]!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def from_epoch(value: float | str) -> dt.datetime:
    number = float(value)
    if abs(number) > _MS_THRESHOLD:
        number /= 1000.0
    try:
        return dt.datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch value out of range: {value!r}") from None


def clip(value: str | None, limit: int = MAX_NAME) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def url_or_none(value: str | None, limit: int = MAX_URL) -> str | None:
    """An http(s) link that fits its column, else None."""
    if not value or not isinstance(value, str) or len(value) > limit:
        return None
    return value if value.startswith(("http://", "https://")) else None


class _TextExtractor(HTMLParser):
    BLOCK = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul",
                       "ol", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """HTML → readable plain text: paragraphs and line breaks kept, tags dropped, entities decoded."""
    if not html:
        return ""
    if "<" not in html:
        return htmllib.unescape(html).strip()
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class ExportTree:
    """The files of an export given as a folder or a zip file, by relative path ("users.json",
    "general/2024-01-02.json"). A zip whose files all sit under one top folder is read as if that folder
    were the root."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if self.path.is_file():
            if not zipfile.is_zipfile(self.path):
                raise ValueError(f"{self.path.name}: expected a folder or a .zip file")
            self._zip = zipfile.ZipFile(self.path)
            names = [n for n in self._zip.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) == 1 and all("/" in n for n in names):
                self._prefix = tops.pop() + "/"
            self._names = sorted(n[len(self._prefix):] for n in names if n.startswith(self._prefix))
        elif self.path.is_dir():
            self._names = sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*")
                                 if p.is_file())
        else:
            raise FileNotFoundError(f"{self.path}: no such file or folder")

    def names(self) -> list[str]:
        return list(self._names)

    def exists(self, name: str) -> bool:
        return name in self._names

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(self._prefix + name)
        return (self.path / name).open("rb")

    def read_bytes(self, name: str) -> bytes:
        """A whole file, for formats read with ``json``; refused above MAX_READ_BYTES (zip bombs included)."""
        if self._zip is not None:
            size = self._zip.getinfo(self._prefix + name).file_size
        else:
            size = (self.path / name).stat().st_size
        if size > MAX_READ_BYTES:
            raise ValueError(f"{name}: {size / 2**30:.1f} GiB is more than this importer reads into memory "
                             f"({MAX_READ_BYTES // 2**30} GiB)")
        with self.open(name) as fh:
            return fh.read()

    def label(self, name: str) -> str:
        """How a file inside the export is named in error messages."""
        return f"{self.path.name}/{name}" if self._zip is not None else str(self.path / name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def count_in_file(path: Path, needle: bytes = b"\n", limit_bytes: int = 512 * 2**20) -> int | None:
    """Occurrences of ``needle`` in a file, read in chunks; None when the file is larger than the limit."""
    try:
        if path.stat().st_size > limit_bytes:
            return None
        total = 0
        tail = b""
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                block = tail + chunk
                total += block.count(needle)
                # keep the end of the block, so a needle split between two chunks is still found
                tail = block[-(len(needle) - 1):] if len(needle) > 1 else b""
        return total
    except OSError:
        return None

