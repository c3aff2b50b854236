"""Kapwa's own housekeeping jobs."""

from __future__ import annotations

from sqlalchemy import func, select, update

from kapwa.core.jobs import job
from kapwa.core.models import Member, Message
from kapwa.core.runtime import Runtime
from kapwa.team.actions import do_purge_expired_sessions


@job("team.purge_expired_sessions")
def purge_expired_sessions(rt: Runtime) -> int:
    return do_purge_expired_sessions(rt)


@job("members.refresh_stats")
def refresh_member_stats(rt: Runtime, member_id: int) -> dict:
    """Recount a member's messages and first/last activity from the messages table."""
    with rt.db.write_sessions() as s, s.begin():
        n, first, last = s.execute(
            select(func.count(Message.id), func.min(Message.created_at), func.max(Message.created_at)).where(
                Message.member_id == member_id
            )
        ).one()
        m = s.get(Member, member_id)
        if m is None:
            return {"member_id": member_id, "found": False}
        m.message_count = n
        if first is not None:
            m.first_seen_at = min(filter(None, [m.first_seen_at, _aware(first)]))
            m.last_active_at = max(filter(None, [m.last_active_at, _aware(last)]))
    return {"member_id": member_id, "messages": n}


@job("members.refresh_all_stats")
def refresh_all_member_stats(rt: Runtime) -> int:
    """Nightly: recount message_count for every member in one statement."""
    counts = select(func.count(Message.id)).where(Message.member_id == Member.id).scalar_subquery()
    with rt.db.write_sessions() as s, s.begin():
        return s.execute(update(Member).values(message_count=counts)).rowcount or 0


def _aware(value):
    import datetime as dt

    if isinstance(value, str):  # SQLite aggregate returns text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@job("sources.sync")
def sync_one_source(rt: Runtime, source_id: int) -> dict:
    from kapwa.ingest.sync import sync_source

    outcome = sync_source(rt, source_id)
    return {"ok": outcome.ok, "inserted": outcome.result.inserted, "error": outcome.error}


@job("sources.sync_due")
def sync_due_sources(rt: Runtime) -> int:
    """Every minute: sync each enabled source whose next sync time has come (in this worker)."""
    from kapwa.ingest.sync import claim_due_sources, sync_source

    ids = claim_due_sources(rt)
    for source_id in ids:
        sync_source(rt, source_id)
    return len(ids)


@job("sources.import")
def import_file(rt: Runtime, source_id: int, skip_bad: bool = False) -> dict:
    """Run (or resume) a file import started from the upload form; bad records go to its report."""
    from kapwa.sources.import_views import run_uploaded_import

    return run_uploaded_import(rt, source_id, skip_bad)


@job("members.auto_merge")
def auto_merge_members(rt: Runtime) -> int:
    """Merge members who share a verified e-mail or the same handle in a shared namespace."""
    from sqlalchemy import select

    from kapwa.core.actions import Actor
    from kapwa.core.models import Workspace
    from kapwa.members.merge import do_auto_merge

    with rt.db.sessions() as s:
        workspace_ids = list(s.scalars(select(Workspace.id)))
    return sum(len(do_auto_merge(rt, Actor.system(ws))) for ws in workspace_ids)


@job("analysis.reanalyze_stale")
def reanalyze_stale(rt: Runtime, batch: int = 5000) -> int:
    """Nightly: re-analyse messages whose analysis came from another model version (or none yet)."""
    from sqlalchemy import select

    from kapwa.analysis.chain import analyze_messages, default_chain
    from kapwa.core.models import Message

    chain = default_chain()
    if not chain.steps:
        return 0
    current, last_id, done = chain.versions, 0, 0
    while True:
        with rt.db.sessions() as s:
            rows = s.execute(select(Message.id, Message.analysis_versions).where(Message.id > last_id)
                             .order_by(Message.id).limit(batch)).all()
        if not rows:
            return done
        last_id = rows[-1][0]
        stale = [mid for mid, versions in rows if versions != current]
        if stale:
            done += analyze_messages(rt, stale, chain)


@job("inbox.rescore_open")
def rescore_open_work(rt: Runtime) -> int:
    """Every 10 minutes: rescore the inbox's open work, since waiting time (and service levels) move on."""
    from kapwa.inbox.priority import rescore_open

    return rescore_open(rt)
