"""The importer Protocol. An importer reads one file (or folder/zip) and yields records in a stable order,
each an InboundItem or InboundActivity tagged with where it came from, so errors name file and line.

Imports run through the sync engine as a source of kind ``import``: batches are committed with a cursor
(the number of records consumed), so an import is resumable and idempotent, and a malformed record stops it
with nothing half-written — or, with ``skip_bad``, is collected into a report while the rest goes in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from kapwa.connectors.base import InboundActivity, InboundItem


class BadRecord(ValueError):
    """A record that cannot be imported: says which file, which line or record, which field."""

    def __init__(self, file: str | Path, where: str, field: str | None, problem: str):
        self.file, self.where, self.field, self.problem = str(file), where, field, problem
        loc = f"{Path(self.file).name}, {where}" + (f", field {field!r}" if field else "")
        super().__init__(f"{loc}: {problem}")


@dataclass
class Record:
    where: str  # "line 12", "record 7", "message id 123"
    value: InboundItem | InboundActivity | BadRecord


class Importer:
    """Subclass and implement ``records``. ``platform`` is the identity namespace (e.g. "discord")."""

    format: ClassVar[str] = ""
    label: ClassVar[str] = ""
    platform: ClassVar[str] = "import"

    def __init__(self, path: str | Path, options: dict[str, Any] | None = None):
        self.path = Path(path)
        self.options = options or {}

    def records(self) -> Iterator[Record]:  # pragma: no cover - each importer implements it
        raise NotImplementedError

    def count_hint(self) -> int | None:
        """Total records, if cheap to know (for the progress bar)."""
        return None


@lru_cache(maxsize=1)
def importer_classes() -> dict[str, type[Importer]]:
    import logging

    log = logging.getLogger("kapwa.importers")
    found: dict[str, type[Importer]] = {}
    for ep in entry_points(group="kapwa.importers"):
        try:
            found[ep.name] = ep.load()
        except Exception as exc:
            log.error("importer plugin %s skipped: %s", ep.name, exc)
    return found


def get_importer(fmt: str, path: str | Path, options: dict | None = None) -> Importer:
    classes = importer_classes()
    if fmt not in classes:
        raise KeyError(f"--format: unknown format {fmt!r}; known: {', '.join(sorted(classes))}")
    return classes[fmt](path, options)
