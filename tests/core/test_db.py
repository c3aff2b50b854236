"""Storage: SQLite pragmas, migrations that match the models, timezone-aware UTC everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kapwa.core import migrate
from kapwa.core.models import Base, Message


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(rt):
    if rt.db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with rt.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == rt.settings.sqlite_busy_timeout_ms


def test_migrations_are_at_head_and_match_the_models(rt):
    assert migrate.is_up_to_date(rt.db.engine)
    with rt.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    # The search index (FTS5 table / tsvector column) lives only in the migration, on purpose.
    diff = [d for d in diff if "fts" not in str(d) and "search_vector" not in str(d)]
    assert diff == [], f"models and migrations differ; create a migration: {diff}"


def test_foreign_keys_are_enforced(rt, factory):
    from sqlalchemy.exc import IntegrityError

    conv = factory.conversation()
    with pytest.raises(IntegrityError), rt.db.write_sessions() as s, s.begin():
        s.add(Message(workspace_id=factory.workspace_id, source_id=conv.source_id, conversation_id=999999,
                      platform_message_id="x", text="orphan", created_at=dt.datetime.now(dt.UTC)))


def test_platform_ids_are_unique_per_source(rt, factory):
    from sqlalchemy.exc import IntegrityError

    conv = factory.conversation()
    factory.message(conv, platform_message_id="same")
    with pytest.raises(IntegrityError):
        factory.message(conv, platform_message_id="same")
    other = factory.conversation()  # another source may reuse the id
    factory.message(other, platform_message_id="same")


def test_datetimes_are_utc_aware_and_naive_ones_are_refused(rt, factory):
    manila = dt.timezone(dt.timedelta(hours=8))
    conv = factory.conversation()
    m = factory.message(conv, created_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=manila))
    with rt.db.sessions() as s:
        got = s.get(Message, m.id).created_at
    assert got == dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC) and got.tzinfo is not None
    with pytest.raises(Exception, match="naive datetime"):
        factory.message(conv, created_at=dt.datetime(2026, 3, 1, 9, 30))
