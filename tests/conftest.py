"""Shared fixtures: settings, a migrated database per test (SQLite file, or PostgreSQL when
KAPWA_TEST_DATABASE_URL is set), a runtime, and factories."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from kapwa.core import migrate
from kapwa.core.db import Database
from kapwa.core.models import Base
from kapwa.core.runtime import Runtime
from kapwa.core.settings import load_settings

PG_URL = os.environ.get("KAPWA_TEST_DATABASE_URL")
TEST_SECRET = "test-secret-key-0123456789abcdef"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path | None:
    """SQLite: one migrated database file copied per test. PostgreSQL: migrate once."""
    if PG_URL:
        settings = load_settings(secret_key=TEST_SECRET, data_dir=tmp_path_factory.mktemp("pg"))
        db = Database.from_settings(settings, PG_URL)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(db.engine)
        db.dispose()
        return None
    folder = tmp_path_factory.mktemp("template")
    settings = load_settings(secret_key=TEST_SECRET, data_dir=folder)
    db = Database.from_settings(settings)
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return folder / "kapwa.db"


def _truncate_all(db: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def settings(tmp_path, template_db):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if PG_URL:
        return load_settings(secret_key=TEST_SECRET, data_dir=data_dir, database_url=PG_URL)
    shutil.copy(template_db, data_dir / "kapwa.db")
    return load_settings(secret_key=TEST_SECRET, data_dir=data_dir)


@pytest.fixture
def rt(settings):
    runtime = Runtime.from_settings(settings)
    if PG_URL:
        _truncate_all(runtime.db)
    yield runtime
    runtime.close()


@pytest.fixture
def factory(rt):
    from tests.support.factories import Factory

    return Factory(rt)


from tests.support.web import app, client, signed_in  # noqa: F401 - shared HTTP fixtures
