"""The analysis chain hook called after ingest. Analyzers are entry points (group ``kapwa.analyzers``)
run in their declared order; each may fail without failing the ingest (it is logged and skipped)."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points

log = logging.getLogger("kapwa.analysis")
GROUP = "kapwa.analyzers"


@lru_cache(maxsize=1)
def analyzers() -> list:
    found = []
    for ep in entry_points(group=GROUP):
        try:
            found.append(ep.load())
        except Exception as exc:
            log.error("analyzer plugin %s skipped: %s", ep.name, exc)
    return sorted(found, key=lambda a: getattr(a, "order", 100))


def run_analysis(rt, message_ids: list[int]) -> None:
    for analyzer in analyzers():
        try:
            analyzer(rt, message_ids)
        except Exception:
            log.exception("analyzer %s failed on %d messages", getattr(analyzer, "__name__", analyzer),
                          len(message_ids))
