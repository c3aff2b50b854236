"""The sync engine: fetch a source's new items batch by batch, each batch committed with its cursor.

A crash at any point loses nothing and duplicates nothing: the next run resumes from the last committed
cursor and the upsert ignores items it already has. Errors set the source's health and schedule the next
try with exponential backoff and jitter, honouring the platform's Retry-After.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import update

from kapwa.connectors.base import BaseConnector, ConnectorError
from kapwa.connectors.registry import build_connector
from kapwa.core.models import Source, SourceHealth, utcnow
from kapwa.core.runtime import Runtime
from kapwa.ingest.pipeline import IngestResult, ingest_batch

log = logging.getLogger("kapwa.sync")

BASE_DELAY = 60.0  # seconds after the first failure
MAX_DELAY = 6 * 3600.0
DEFAULT_INTERVAL = 300.0  # between successful syncs


@dataclass
class SyncOutcome:
    source_id: int
    ok: bool
    result: IngestResult
    error: str | None = None
    next_sync_at: dt.datetime | None = None


def backoff_seconds(failures: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Exponential backoff with ±25 % jitter; never sooner than the platform's Retry-After."""
    rng = rng or random.Random()
    delay = min(MAX_DELAY, BASE_DELAY * (2 ** max(0, failures - 1)))
    delay *= rng.uniform(0.75, 1.25)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay


class DemoSource(ConnectorError):
    transient = False


def _plain(exc: Exception) -> str:
    if isinstance(exc, ConnectorError):
        return exc.message
    return f"unexpected error: {type(exc).__name__}: {exc}"[:500]


def sync_source(rt: Runtime, source_id: int, *, connector: BaseConnector | None = None,
                analyze: bool = True) -> SyncOutcome:
    with rt.db.sessions() as s:
        src = s.get(Source, source_id)
        if src is None:
            raise LookupError(f"source {source_id} does not exist")
        cursor = src.sync_cursor
    total = IngestResult()
    started = utcnow()
    own = connector is None
    try:
        if connector is None and (src.config or {}).get("demo"):
            raise DemoSource("this is a demo source with no real account behind it; connect a real one to sync")
        connector = connector or build_connector(rt, src)
        for batch in connector.fetch(cursor):
            total.add(ingest_batch(rt, source_id, batch, analyze=analyze))
    except Exception as exc:
        log.warning("sync of source %s failed: %s", source_id, exc)
        return _record_failure(rt, source_id, exc, total, started)
    finally:
        if own and connector is not None:
            connector.close()
    with rt.db.write_sessions() as s, s.begin():
        src = s.get(Source, source_id)
        src.last_sync_at = started
        src.last_success_at = utcnow()
        src.items_last_sync = total.inserted + total.updated
        src.consecutive_failures = 0
        src.health = SourceHealth.ok.value
        src.last_error = None
        src.next_sync_at = utcnow() + dt.timedelta(seconds=float(src.config.get("interval", DEFAULT_INTERVAL)))
        nxt = src.next_sync_at
    return SyncOutcome(source_id, True, total, next_sync_at=nxt)


def _record_failure(rt, source_id, exc, total, started) -> SyncOutcome:
    message = _plain(exc)
    transient = getattr(exc, "transient", True)
    with rt.db.write_sessions() as s, s.begin():
        src = s.get(Source, source_id)
        src.last_sync_at = started
        src.items_last_sync = total.inserted + total.updated
        src.consecutive_failures = (src.consecutive_failures or 0) + 1
        src.last_error = message
        src.last_error_at = utcnow()
        src.health = (SourceHealth.degraded if transient and src.consecutive_failures < 3
                      else SourceHealth.failing).value
        delay = backoff_seconds(src.consecutive_failures, getattr(exc, "retry_after", None))
        if not transient:
            delay = max(delay, 3600.0)  # a person must fix credentials; don't hammer the platform
        src.next_sync_at = utcnow() + dt.timedelta(seconds=delay)
        nxt = src.next_sync_at
    return SyncOutcome(source_id, False, total, error=message, next_sync_at=nxt)


LEASE = dt.timedelta(minutes=15)


def claim_due_sources(rt: Runtime, now: dt.datetime | None = None) -> list[int]:
    """Sources whose next sync has come, claimed atomically (their next sync moves a lease ahead), so two
    workers never sync the same source at once."""
    now = now or utcnow()
    # Demo sources have no account behind them; file imports run when started.
    due = (Source.enabled.is_(True) & (Source.kind != "import") & (Source.config["demo"].as_boolean().is_not(True))
           & (Source.next_sync_at.is_(None) | (Source.next_sync_at <= now)))
    with rt.db.write_sessions() as s, s.begin():
        return list(s.scalars(update(Source).where(due).values(next_sync_at=now + LEASE).returning(Source.id)))
