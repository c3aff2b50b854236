"""File imports from the browser: the /imports page (every import with its progress) and the upload form.

An upload is saved under ``<data_dir>/uploads`` with a random name (keeping its extension), becomes an
import source (:func:`kapwa.sources.imports.do_open_import_source`) and runs in the background: as the job
``sources.import`` when the job queue has it, else in a thread of this process. Progress is the source's
cursor (records read, committed with each batch) against the importer's count hint; with "skip bad
records", the skipped ones are written next to the upload as ``<name>.bad-records.jsonl`` and listed here.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kapwa.core.actions import ActionError
from kapwa.core.i18n_terms import N_
from kapwa.core.models import Role, Source
from kapwa.core.runtime import Runtime
from kapwa.importers.base import get_importer, importer_classes
from kapwa.sources.imports import do_open_import_source, run_import
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

log = logging.getLogger("kapwa.importers")
router = APIRouter(include_in_schema=False)

MAX_UPLOAD_BYTES = 200 * 2**20
REPORT_SUFFIX = ".bad-records.jsonl"
_SUFFIX = re.compile(r"^(\.[A-Za-z0-9]{1,10}){1,2}$")

# Flash messages (shown through _() by base.html).
FLASH = {
    "started": N_("Import started. Its progress is shown below."),
    "format": N_("Choose one of the listed formats."),
    "nofile": N_("Choose a file to upload."),
    "empty": N_("The file is empty."),
    "large": N_("The file is larger than the upload limit; import it with the kapwa import command instead."),
    "mapping": N_("Column mapping: not a valid JSON object of Kapwa field to column name."),
}


def uploads_dir(rt: Runtime) -> Path:
    return Path(rt.settings.data_dir) / "uploads"


def report_path(rt: Runtime, src: Source) -> Path | None:
    """Where the skipped records of a browser upload are listed (CLI imports write their own report)."""
    path = Path(src.config.get("path", ""))
    if path.parent != uploads_dir(rt).resolve():
        return None
    return path.with_name(path.name + REPORT_SUFFIX)


# ------------------------------------------------------------------------------------------- running


def run_uploaded_import(rt: Runtime, source_id: int, skip_bad: bool = False) -> dict:
    """Run (or resume) one import source and write its bad-records report. The body of the job."""
    with rt.db.sessions() as s:
        src = s.get(Source, source_id)
    if src is None or src.kind != "import":
        raise LookupError(f"no import source {source_id}")
    outcome, connector = run_import(rt, src, skip_bad=skip_bad)
    target = report_path(rt, src)
    if connector.bad and target is not None:
        seen = set()
        if target.exists():
            seen = {(row["file"], row["where"]) for row in _read_report(target)}
        with target.open("a", encoding="utf-8") as fh:
            for bad in connector.bad:
                if (bad.file, bad.where) not in seen:
                    fh.write(json.dumps({"file": bad.file, "where": bad.where, "field": bad.field,
                                         "problem": bad.problem}, ensure_ascii=False) + "\n")
    r = outcome.result
    log.info("import %s finished: ok=%s inserted=%s bad=%s", source_id, outcome.ok, r.inserted,
             len(connector.bad))
    return {"ok": outcome.ok, "inserted": r.inserted, "updated": r.updated, "activities": r.activities,
            "bad": len(connector.bad), "error": outcome.error}


_threads: dict[int, threading.Thread] = {}


def _queue_has_import_job() -> bool:
    from kapwa.core.jobs import registered

    return "sources.import" in registered()


def start_import(rt: Runtime, source_id: int, skip_bad: bool) -> str:
    """Run the import in the background: on the job queue when it has ``sources.import``, else in a thread."""
    try:
        if _queue_has_import_job():
            from kapwa.core.jobs import JobQueue

            JobQueue(rt).enqueue("sources.import", source_id=source_id, skip_bad=skip_bad)
            return "queued"
    except Exception:
        log.exception("could not queue import %s; running it in this process", source_id)

    def work() -> None:
        try:
            run_uploaded_import(rt, source_id, skip_bad)
        except Exception:
            log.exception("import %s failed", source_id)

    thread = threading.Thread(target=work, name=f"kapwa-import-{source_id}", daemon=True)
    _threads[source_id] = thread
    thread.start()
    return "thread"


def wait_for_imports(timeout: float = 60.0) -> None:
    """Wait for imports started in threads of this process (tests, and a graceful shutdown)."""
    for sid, thread in list(_threads.items()):
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(sid, None)


# ------------------------------------------------------------------------------------------- the page


@dataclass
class ImportRow:
    source: Source
    label: str
    done: int
    total: int | None
    state: str  # running, done, failed
    bad: int = 0
    bad_sample: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


@lru_cache(maxsize=256)
def _total(fmt: str, path: str, options_json: str, mtime: float, size: int) -> int | None:
    try:
        return get_importer(fmt, path, json.loads(options_json)).count_hint()
    except Exception:
        return None


def _read_report(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def _state(src: Source) -> str:
    if src.last_error and (src.last_success_at is None
                           or (src.last_error_at and src.last_error_at >= src.last_success_at)):
        return "failed"
    return "done" if src.last_success_at else "running"


def import_rows(rt: Runtime, sources: list[Source]) -> list[ImportRow]:
    labels = {fmt: cls.label or fmt for fmt, cls in importer_classes().items()}
    rows = []
    for src in sources:
        cfg = src.config or {}
        try:
            done = int(json.loads(src.sync_cursor)["records"]) if src.sync_cursor else 0
        except (ValueError, KeyError, TypeError):
            done = 0
        path = Path(cfg.get("path", ""))
        total = None
        if path.exists():
            st = path.stat()
            options = json.dumps(cfg.get("options") or {}, sort_keys=True)
            total = _total(cfg.get("format", ""), str(path), options, st.st_mtime, st.st_size)
        state = _state(src)
        if state == "done" and total is not None:
            done = max(done, total)  # the cursor counts records read; the hint may count a few more lines
        row = ImportRow(src, labels.get(cfg.get("format"), cfg.get("format") or "?"), done, total, state)
        report = report_path(rt, src)
        if report is not None and report.exists():
            bad = _read_report(report)
            row.bad, row.bad_sample = len(bad), bad[:5]
        rows.append(row)
    return rows


@router.get("/imports")
async def imports_page(request: Request, watch: bool = False, viewer: Viewer = Depends(require(Role.analyst)),
                       s: Session = Depends(db)):
    rt = get_rt(request)
    sources = list(s.scalars(select(Source).where(Source.workspace_id == viewer.user.workspace_id,
                                                  Source.kind == "import").order_by(Source.id.desc())))
    rows = await run_in_threadpool(import_rows, rt, sources)
    running = any(r.state == "running" for r in rows)
    formats = sorted(((fmt, cls.label or fmt) for fmt, cls in importer_classes().items()), key=lambda f: f[1])
    response = render(request, "imports.html", {
        "rows": rows, "formats": formats, "running": running, "refresh": watch and running,
        "max_mb": MAX_UPLOAD_BYTES // 2**20,
    })
    if watch and running:
        response.headers["Refresh"] = "3"  # the page's <meta http-equiv="refresh"> says the same
    return response


# ------------------------------------------------------------------------------------------- upload


def _suffix(filename: str) -> str:
    suffixes = "".join(Path(filename).suffixes[-2:])
    if _SUFFIX.match(suffixes):
        return suffixes.lower()
    last = Path(filename).suffix
    return last.lower() if _SUFFIX.match(last) else ""


class _TooLarge(Exception):
    pass


async def _save(upload: UploadFile, dest: Path) -> int:
    size = 0
    with dest.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise _TooLarge
            out.write(chunk)
    return size


@router.post("/imports")
async def upload_import(request: Request, file: UploadFile = File(...),
                        format: str = Form(..., max_length=40), skip_bad: bool = Form(False),
                        mapping: str = Form("", max_length=5000),
                        viewer: Viewer = Depends(require(Role.manager))):
    rt = get_rt(request)
    classes = importer_classes()
    if format not in classes:
        return redirect("/imports", FLASH["format"], "error")
    if not file.filename:
        return redirect("/imports", FLASH["nofile"], "error")
    options = {}
    if mapping.strip():
        try:
            options["mapping"] = json.loads(mapping)
        except json.JSONDecodeError:
            return redirect("/imports", FLASH["mapping"], "error")
        if not isinstance(options["mapping"], dict):
            return redirect("/imports", FLASH["mapping"], "error")
    folder = uploads_dir(rt)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{secrets.token_hex(12)}{_suffix(file.filename)}"
    try:
        size = await _save(file, dest)
    except _TooLarge:
        dest.unlink(missing_ok=True)
        return redirect("/imports", FLASH["large"], "error")
    if size == 0:
        dest.unlink(missing_ok=True)
        return redirect("/imports", FLASH["empty"], "error")
    name = f"{classes[format].label or format} import: {Path(file.filename).name[:150]}"
    try:
        src = do_open_import_source(rt, viewer.actor(request), dest, format, name=name, options=options)
    except KeyError as exc:  # e.g. an unknown field in the mapping
        dest.unlink(missing_ok=True)
        return redirect("/imports", str(exc.args[0]), "error")
    except ActionError as exc:
        dest.unlink(missing_ok=True)
        return redirect("/imports", exc.message, "error")
    how = start_import(rt, src.id, skip_bad)
    log.info("upload %s (%d bytes) → import source %s, %s", file.filename, size, src.id, how)
    return redirect("/imports?watch=1", FLASH["started"])
