"""Typed settings, read from ``KAPWA_*`` environment variables and an optional TOML file.

Every field here must be documented in ``docs/configuration.md`` (a test checks it).
Nothing is read at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "kapwa-demo-secret-change-me"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAPWA_", extra="forbid", validate_default=True)

    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database, job queue and uploads.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means SQLite in data_dir. Use postgresql+psycopg://… for PostgreSQL."
    )
    secret_key: str = Field(DEFAULT_SECRET_KEY, description="Signs sessions and derives the encryption key.")
    encryption_key: str | None = Field(
        None, description="Fernet key for connector credentials; derived from secret_key when unset."
    )
    demo_mode: bool = Field(False, description="Allows the default secret key and loads the demo community.")
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on.")
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL of this Kapwa, used in links.")
    cookie_secure: bool = Field(True, description="Send session cookies only over HTTPS (and localhost).")
    session_hours: int = Field(24 * 14, ge=1, description="How long a login session lasts, in hours.")
    login_max_attempts: int = Field(5, ge=1, description="Failed logins allowed per user and address per window.")
    login_window_seconds: int = Field(900, ge=1, description="Window for counting failed logins, in seconds.")
    redis_url: str | None = Field(
        None, description="Redis URL for the job queue; when set, run jobs in separate `kapwa worker` processes."
    )
    run_jobs_in_process: bool | None = Field(
        None, description="Run the job consumer inside `kapwa serve`; defaults to true without Redis, false with it."
    )
    worker_threads: int = Field(2, ge=1, le=64, description="Job worker threads per process.")
    default_locale: str = Field("en", description="UI language for new users: en or fil.")
    log_level: str = Field("INFO", description="Python logging level name.")
    rss_allow_private_addresses: bool = Field(
        False, description="Let RSS/Atom sources fetch feeds on private or loopback addresses."
    )
    sqlite_busy_timeout_ms: int = Field(5000, ge=0, description="How long SQLite waits for a lock, in milliseconds.")

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in ("en", "fil"):
            raise ValueError("must be 'en' or 'fil'")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value or None

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if not self.demo_mode and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(
                "KAPWA_SECRET_KEY: the default secret key is only allowed in demo mode; "
                "set KAPWA_SECRET_KEY (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        if len(self.secret_key) < 16:
            raise ValueError("KAPWA_SECRET_KEY: must be at least 16 characters")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kapwa.db').resolve()}"

    @property
    def jobs_in_process(self) -> bool:
        if self.run_jobs_in_process is not None:
            return self.run_jobs_in_process
        return self.redis_url is None


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or "settings"
    msg = first.get("msg", "invalid")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if loc == "settings" or msg.startswith("KAPWA_"):
        return msg
    return f"KAPWA_{loc.upper()}: {msg}"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a TOML file (``KAPWA_CONFIG`` or argument), then env vars, then overrides.

    Raises :class:`SettingsError` with a one-line message naming the bad setting.
    """
    path = config_file or os.environ.get("KAPWA_CONFIG")
    file_values: dict[str, Any] = {}
    if path:
        p = Path(path)
        try:
            file_values = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"KAPWA_CONFIG: file not found: {p}") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{p}: {exc}") from None
        file_values = file_values.get("kapwa", file_values)
        unknown = set(file_values) - set(Settings.model_fields)
        if unknown:
            raise SettingsError(f"{p}: unknown setting {sorted(unknown)[0]!r}")
        # Environment variables win over the file.
        for name in list(file_values):
            if f"KAPWA_{name.upper()}" in os.environ:
                file_values.pop(name)
    try:
        return Settings(**{**file_values, **overrides})
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
