"""The `kapwa` command line, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GOOD = "cli-test-secret-key-0123456789"


def kapwa(*args, env=None, input=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("KAPWA_")}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "kapwa.cli", *args], env=base, input=input,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path):
    e = {"KAPWA_SECRET_KEY": GOOD, "KAPWA_DATA_DIR": str(tmp_path / "data")}
    if os.environ.get("KAPWA_TEST_DATABASE_URL"):
        pytest.skip("the CLI tests use their own SQLite data directory")
    return e


@pytest.mark.parametrize(
    ("args", "extra_env", "named"),
    [
        (["serve", "--port", "99999"], {}, "--port"),
        (["user", "add", "a@b.c", "--role", "boss", "--password", "x"], {}, "--role"),
        (["settings", "check"], {"KAPWA_PORT": "eighty"}, "KAPWA_PORT"),
        (["settings", "check"], {"KAPWA_SECRET_KEY": ""}, "KAPWA_SECRET_KEY"),
        (["nonsense"], {}, "nonsense"),
    ],
)
def test_bad_values_give_one_line_and_exit_2(env, args, extra_env, named):
    r = kapwa(*args, env={**env, **extra_env})
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("kapwa: error:") and named in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_init_user_add_and_db_upgrade(env):
    r = kapwa("init", "--email", "owner@bayani.ph", "--password", "a long password", "--name", "Liza",
              "--workspace", "Bayani Pay", env=env)
    assert r.returncode == 0, r.stderr
    assert "Bayani Pay" in r.stdout
    r = kapwa("user", "add", "mod@bayani.ph", "--role", "moderator", "--password", "another long one", env=env)
    assert r.returncode == 0 and "moderator" in r.stdout, r.stderr
    r = kapwa("user", "add", "mod@bayani.ph", "--password", "another long one", env=env)
    assert r.returncode == 2 and "already has an account" in r.stderr
    r = kapwa("user", "add", "weak@bayani.ph", "--password", "short", env=env)
    assert r.returncode == 2 and "at least 10 characters" in r.stderr
    r = kapwa("db", "upgrade", env=env)
    assert r.returncode == 0 and "head" in r.stdout


def test_settings_check_hides_secrets(env):
    r = kapwa("settings", "check", env={**env, "KAPWA_REDIS_URL": "redis://:hunter2@127.0.0.1:6379/0"})
    assert r.returncode == 0, r.stderr
    assert GOOD not in r.stdout and "hunter2" not in r.stdout and "secret_key = (set)" in r.stdout
