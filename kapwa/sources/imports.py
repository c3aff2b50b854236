"""Running a file import through the sync engine: find or create its source, then sync it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from kapwa.core.actions import Actor, transaction
from kapwa.core.models import Source
from kapwa.core.runtime import Runtime
from kapwa.importers.base import get_importer
from kapwa.importers.source import ImportSource
from kapwa.ingest.sync import SyncOutcome, sync_source


def do_open_import_source(rt: Runtime, actor: Actor, path: str | Path, fmt: str, *, name: str | None = None,
                          options: dict | None = None, restart: bool = False) -> Source:
    """The source for this file and format (created on first import; the cursor makes re-runs resume)."""
    path = str(Path(path).resolve())
    imp = get_importer(fmt, path, options)  # unknown format → KeyError naming --format
    with transaction(rt, actor) as tx:
        src = None
        for cand in tx.session.scalars(select(Source).where(Source.workspace_id == actor.workspace_id,
                                                             Source.kind == "import")):
            if cand.config.get("path") == path and cand.config.get("format") == fmt:
                src = cand
                break
        if src is None:
            src = Source(workspace_id=actor.workspace_id, kind="import",
                         name=name or f"{imp.label or fmt} import: {Path(path).name}",
                         config={"path": path, "format": fmt, "platform": imp.platform, "options": options or {}})
            tx.session.add(src)
            tx.audit("source.import", src, f"Started importing {Path(path).name} ({fmt})")
        elif restart:
            src.sync_cursor = None
            tx.audit("source.import", src, f"Re-reading {Path(path).name} from the start")
    return src


def run_import(rt: Runtime, source: Source, *, skip_bad: bool = False, batch_size: int = 1000,
               progress=None) -> tuple[SyncOutcome, ImportSource]:
    connector = ImportSource({**source.config, "skip_bad": skip_bad, "batch_size": batch_size}, {},
                             settings=rt.settings)
    connector.progress = progress
    return sync_source(rt, source.id, connector=connector), connector
