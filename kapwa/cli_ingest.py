"""`kapwa import` and `kapwa sync`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kapwa.cli import ConfigOpt, _progress, _runtime, _settings, app, fail, out


def _workspace_actor(rt):
    from kapwa.core.actions import Actor
    from kapwa.team import queries

    with rt.db.sessions() as s:
        ws = queries.first_workspace(s)
    if ws is None:
        fail("no workspace yet: run `kapwa init` (or `kapwa demo load`) first", code=1)
    return Actor.system(ws.id)


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="File (or export folder/zip) to import.")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl, discord, slack, telegram, mastodon, "
                                                                "stackexchange or mbox.")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import the good records; report the bad ones.")] = False,
    report: Annotated[Path | None, typer.Option(help="Where to write the bad-records report (JSON lines).")] = None,
    mapping: Annotated[str | None, typer.Option(help="CSV/JSONL column mapping as JSON, e.g. "
                                                     "'{\"text\": \"body\", \"created_at\": \"date\"}'.")] = None,
    restart: Annotated[bool, typer.Option(help="Read the file again from the start (adds nothing already there).")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100000)] = 1000,
    config: ConfigOpt = None,
) -> None:
    """Import an export or archive. Resumable and idempotent: running it twice adds nothing."""
    from kapwa.sources.imports import do_open_import_source, run_import

    if not path.exists():
        fail(f"PATH: no such file or folder: {path}")
    options = {}
    if mapping:
        try:
            options["mapping"] = json.loads(mapping)
        except json.JSONDecodeError as exc:
            fail(f"--mapping: not valid JSON ({exc.msg} at column {exc.colno})")
    rt = _runtime(_settings(config))
    actor = _workspace_actor(rt)
    try:
        source = do_open_import_source(rt, actor, path, format, options=options, restart=restart)
    except KeyError as exc:
        fail(str(exc.args[0]))
    with _progress() as progress:
        task = progress.add_task(f"Importing {path.name}", total=None)
        outcome, connector = run_import(
            rt, source, skip_bad=skip_bad, batch_size=batch_size,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if connector.bad:
        target = report or Path(f"{path.name}.bad-records.jsonl")
        with target.open("w", encoding="utf-8") as fh:
            for bad in connector.bad:
                fh.write(json.dumps({"file": bad.file, "where": bad.where, "field": bad.field,
                                     "problem": bad.problem}, ensure_ascii=False) + "\n")
        out.print(f"{len(connector.bad)} bad records skipped; report: {target}")
    r = outcome.result
    if not outcome.ok:
        out.print(f"Imported {r.inserted} messages before stopping.")
        fail(outcome.error or "import failed", code=1)
    out.print(f"Imported {r.inserted} new messages ({r.updated} updated, {r.unchanged} already there), "
              f"{r.members_created} new members, {r.activities} activities.")


@app.command("sync")
def sync(
    source_id: Annotated[int | None, typer.Argument(help="Source id; all due sources when omitted.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Sync one source now (or every source that is due)."""
    from kapwa.ingest.sync import claim_due_sources, sync_source

    rt = _runtime(_settings(config))
    ids = [source_id] if source_id else claim_due_sources(rt)
    failed = 0
    for sid in ids:
        try:
            outcome = sync_source(rt, sid)
        except LookupError as exc:
            fail(f"SOURCE_ID: {exc}")
        r = outcome.result
        status = "ok" if outcome.ok else f"failed: {outcome.error}"
        out.print(f"source {sid}: {r.inserted} new, {r.updated} updated — {status}")
        failed += not outcome.ok
    raise typer.Exit(1 if failed else 0)
