"""The running Kapwa: settings, database, event bus and secret box, built once by the app factory or CLI."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kapwa.core.db import Database
from kapwa.core.events import EventBus
from kapwa.core.security import SecretBox
from kapwa.core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    events: EventBus = field(default_factory=EventBus)
    secrets: SecretBox | None = None

    def __post_init__(self) -> None:
        if self.secrets is None:
            self.secrets = SecretBox(self.settings)
        self._bridge = None
        if self.settings.redis_url:  # live events reach the other processes (web ⇄ workers)
            from kapwa.core.events_redis import RedisBridge

            self._bridge = RedisBridge(self.events, self.settings.redis_url)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        return cls(settings=settings, db=Database.from_settings(settings))

    def close(self) -> None:
        if self._bridge is not None:
            self._bridge.stop()
        self.events.close()
        self.db.dispose()


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if settings.log_level != "DEBUG":
        for noisy in ("huey", "alembic.runtime.migration", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
