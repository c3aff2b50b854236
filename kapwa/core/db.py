"""Engine and session factory. Created by the app factory or CLI, never at import."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session, sessionmaker

from kapwa.core.settings import Settings

log = logging.getLogger("kapwa.db")

# SQLAlchemy drops table hints on SQLite; render them, so ``q.with_hint(Model, "INDEXED BY ix_name", "sqlite")``
# can pin an index where SQLite's planner (which has no statistics here) would pick a worse one.
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, manage transactions so BEGIN is explicit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return on_connect


def _sqlite_begin(conn):
    # Write transactions take the lock at BEGIN, so concurrent writers wait (busy_timeout)
    # instead of failing half-way; read transactions stay deferred and never block writers (WAL).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("kapwa_write") else "BEGIN")


def make_engine(settings: Settings, url: str | None = None) -> Engine:
    url = url or settings.sqlalchemy_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    return engine


def is_sqlite(engine_or_session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> Database:
        engine = make_engine(settings, url)
        writer = engine.execution_options(kapwa_write=True)
        return cls(
            engine,
            sessionmaker(engine, expire_on_commit=False),
            sessionmaker(writer, expire_on_commit=False),
        )

    def dispose(self) -> None:
        self.engine.dispose()
