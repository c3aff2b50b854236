"""Settings: typed, documented, and strict about secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kapwa.core.settings import DEFAULT_SECRET_KEY, Settings, SettingsError, load_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
GOOD = "a-perfectly-good-secret-key-123"


def test_every_setting_is_documented():
    documented = set(re.findall(r"`KAPWA_([A-Z_]+)`", DOC.read_text()))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "add these to docs/configuration.md"
    assert documented - fields - {"CONFIG"} == set(), "docs/configuration.md documents settings that don't exist"


def test_default_secret_is_refused_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("KAPWA_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="KAPWA_SECRET_KEY"):
        load_settings()
    assert load_settings(demo_mode=True).secret_key == DEFAULT_SECRET_KEY


def test_env_vars_are_read_and_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("KAPWA_SECRET_KEY", GOOD)
    monkeypatch.setenv("KAPWA_PORT", "8123")
    monkeypatch.setenv("KAPWA_DATA_DIR", str(tmp_path))
    s = load_settings()
    assert s.port == 8123
    assert s.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'kapwa.db'}"
    assert s.jobs_in_process is True


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("KAPWA_PORT", "eighty", "KAPWA_PORT"),
        ("KAPWA_PORT", "70000", "KAPWA_PORT"),
        ("KAPWA_DEFAULT_LOCALE", "de", "KAPWA_DEFAULT_LOCALE"),
        ("KAPWA_DATABASE_URL", "mysql://x", "KAPWA_DATABASE_URL"),
        ("KAPWA_LOG_LEVEL", "loud", "KAPWA_LOG_LEVEL"),
        ("KAPWA_SECRET_KEY", "short", "KAPWA_SECRET_KEY"),
    ],
)
def test_bad_values_name_the_setting(monkeypatch, env, value, named):
    monkeypatch.setenv("KAPWA_SECRET_KEY", GOOD)
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith(named + ":")
    assert "\n" not in str(err.value)


def test_toml_file_and_env_precedence(monkeypatch, tmp_path):
    cfg = tmp_path / "kapwa.toml"
    cfg.write_text(f'[kapwa]\nsecret_key = "{GOOD}"\nport = 9001\nredis_url = "redis://127.0.0.1:1/0"\n')
    s = load_settings(cfg)
    assert (s.port, s.redis_url, s.jobs_in_process) == (9001, "redis://127.0.0.1:1/0", False)
    monkeypatch.setenv("KAPWA_PORT", "9002")
    assert load_settings(cfg).port == 9002


def test_toml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("port = \n")
    with pytest.raises(SettingsError, match="bad.toml"):
        load_settings(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(f'secret_key = "{GOOD}"\nprot = 1\n')
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings(unknown)
    with pytest.raises(SettingsError, match="file not found"):
        load_settings(tmp_path / "missing.toml")
