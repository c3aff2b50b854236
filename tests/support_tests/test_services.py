"""The throwaway servers of tests.support.services work, and are gone after use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.services import port_open, postgres_server, redis_server

pytestmark = pytest.mark.services
REPO = Path(__file__).resolve().parents[2]


def test_postgres_server_gives_a_working_database_and_cleans_up():
    with postgres_server() as url:
        parsed = make_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert (parsed.username, parsed.password, parsed.host, parsed.database) == (
            "kapwa",
            "kapwa",
            "127.0.0.1",
            "kapwa_test",
        )
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE greeting (id serial PRIMARY KEY, body text NOT NULL)"))
                conn.execute(text("INSERT INTO greeting (body) VALUES (:b)"), {"b": "Mabuhay ✓"})
            with engine.connect() as conn:
                assert conn.execute(text("SELECT body FROM greeting")).scalar_one() == "Mabuhay ✓"
                assert conn.execute(text("SELECT current_user")).scalar_one() == "kapwa"
                # The conftest resets the schema this way: the kapwa role must be allowed to.
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
                conn.commit()
        finally:
            engine.dispose()
        port = parsed.port
        assert port_open(port)

    assert not port_open(port)
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with pytest.raises(Exception, match="(?i)refused|connect"), engine.connect():
            pass
    finally:
        engine.dispose()


def test_redis_server_works_and_cleans_up():
    redis = pytest.importorskip("redis")
    with redis_server() as url:
        assert url.startswith("redis://127.0.0.1:") and url.endswith("/0")
        client = redis.Redis.from_url(url)
        try:
            client.set("kapwa:greeting", "mabuhay")
            assert client.get("kapwa:greeting") == b"mabuhay"
        finally:
            client.close()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert port_open(port)

    assert not port_open(port)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    with pytest.raises(redis.exceptions.ConnectionError):
        client.ping()


def test_two_postgres_servers_run_side_by_side():
    with postgres_server() as first, postgres_server() as second:
        assert first != second
        for url in (first, second):
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    assert conn.execute(text("SELECT 1")).scalar_one() == 1
            finally:
                engine.dispose()


def test_cli_runs_the_command_with_the_url_and_returns_its_exit_code():
    code = (
        "import os, sys; url = os.environ['KAPWA_TEST_DATABASE_URL']; print(url);"
        " sys.exit(7 if url.startswith('postgresql+psycopg://kapwa:kapwa@127.0.0.1:') else 1)"
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.services", "postgres", "--", sys.executable, "-c", code],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 7, result.stderr
    url = result.stdout.strip()
    assert url.endswith("/kapwa_test")
    assert not port_open(make_url(url).port)
