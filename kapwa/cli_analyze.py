"""`kapwa analyze`: run the analysis chain over stored messages, or over lines of text on stdin."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer

from kapwa.cli import ConfigOpt, _progress, _runtime, _settings, app, fail, out

STDIN_FIELDS = ("language", "is_taglish", "sentiment_score", "sentiment_label", "toxicity_score",
                "toxicity_categories", "intent", "needs_answer")


def _date(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{name}: not a date (use YYYY-MM-DD or an ISO 8601 time)")
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


@app.command()
def analyze(
    stdin: Annotated[bool, typer.Option("--stdin", help="Read one text per line; write one JSON object per line.")] = False,
    source: Annotated[int | None, typer.Option(help="Only messages from this source id.")] = None,
    since: Annotated[str | None, typer.Option(help="Only messages written on or after this date (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Only messages written before this date (UTC).")] = None,
    stale: Annotated[bool, typer.Option(help="Only messages analysed by an older model version (or never).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Analyse messages: language (and Taglish), sentiment, toxicity, intent, needs-answer, PII, keywords.

    `--stdin` is the stable way to evaluate the chain on any dataset: each output line has language, taglish,
    sentiment score and label, toxicity score and categories, intent and needs_answer.
    """
    from kapwa.analysis.chain import default_chain

    chain = default_chain()
    if not chain.steps:
        fail("no analysis steps are installed", code=1)
    if stdin:
        batch: list[str] = []

        def flush() -> None:
            for text, res in zip(batch, chain.analyze(batch), strict=True):
                row = {"text": text, **{k: res.get(k) for k in STDIN_FIELDS}}
                row["taglish"] = row.pop("is_taglish")
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            batch.clear()

        for line in sys.stdin:
            batch.append(line.rstrip("\n"))
            if len(batch) >= 500:
                flush()
        flush()
        return
    from sqlalchemy import select

    from kapwa.analysis.chain import analyze_messages
    from kapwa.core.models import Message

    rt = _runtime(_settings(config))
    q = select(Message.id)
    if source:
        q = q.where(Message.source_id == source)
    if (start := _date(since, "--since")) is not None:
        q = q.where(Message.created_at >= start)
    if (end := _date(until, "--until")) is not None:
        q = q.where(Message.created_at < end)
    with rt.db.sessions() as s:
        ids = list(s.scalars(q.order_by(Message.id)))
        if stale:
            versions = chain.versions
            current = {mid for mid, v in s.execute(select(Message.id, Message.analysis_versions)
                                                   .where(Message.id.in_(ids) if len(ids) < 30000 else True))
                       if v == versions}
            ids = [i for i in ids if i not in current]
    with _progress() as progress:
        task = progress.add_task("Analysing messages", total=len(ids))
        done = 0
        for i in range(0, len(ids), 2000):
            done += analyze_messages(rt, ids[i : i + 2000], chain)
            progress.update(task, completed=done)
    out.print(f"Analysed {done} messages with {', '.join(f'{k} {v}' for k, v in chain.versions.items())}.")
