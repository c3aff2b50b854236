"""A source of kind ``import``: a file read through an Importer, batch by batch, resumable by cursor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import ClassVar

from kapwa.connectors.base import BaseConnector, Batch, Capability, ConnectorError, InboundItem
from kapwa.importers.base import BadRecord, get_importer


class ImportFailed(ConnectorError):
    transient = False

    def __init__(self, bad: BadRecord):
        super().__init__(str(bad))
        self.bad = bad


class ImportSource(BaseConnector):
    kind: ClassVar[str] = "import"
    label: ClassVar[str] = "File import"
    capabilities = frozenset({Capability.read})

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.batch_size = int(self.config.get("batch_size", 1000))
        self.skip_bad = bool(self.config.get("skip_bad", False))
        self.bad: list[BadRecord] = []
        self.progress = None  # optional callable(done: int, total: int | None)

    def importer(self):
        return get_importer(self.config["format"], self.config["path"], self.config.get("options"))

    def test_connection(self) -> str:
        imp = self.importer()
        if not imp.path.exists():
            raise ConnectorError(f"file not found: {imp.path}")
        return f"{imp.label or imp.format}: {imp.path.name}"

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        done = int(json.loads(cursor)["records"]) if cursor else 0
        imp = self.importer()
        total = imp.count_hint()
        batch = Batch()
        n = 0
        for n, rec in enumerate(imp.records(), start=1):
            if n <= done:
                continue
            if isinstance(rec.value, BadRecord):
                if not self.skip_bad:
                    raise ImportFailed(rec.value)
                self.bad.append(rec.value)
            elif isinstance(rec.value, InboundItem):
                batch.items.append(rec.value)
            else:
                batch.activities.append(rec.value)
            if n - done >= self.batch_size:
                batch.cursor = json.dumps({"records": n})
                yield batch
                done, batch = n, Batch()
                if self.progress:
                    self.progress(done, total)
        if batch.items or batch.activities or n > done:
            batch.cursor = json.dumps({"records": max(n, done)})
            yield batch
        if self.progress:
            self.progress(max(n, done), total)
