"""Connectors are plugins: Kapwa's own load through entry points, and a broken plugin is logged and skipped."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

from kapwa.connectors import registry
from kapwa.connectors.base import Capability

OWN = {"matrix", "mastodon", "bluesky", "discourse", "reddit", "discord", "slack", "telegram", "github", "rss",
       "email", "import"}


def test_kapwas_own_connectors_are_entry_points_and_follow_the_protocol():
    registry.connector_classes.cache_clear()
    classes = registry.connector_classes()
    assert set(classes) >= OWN
    for kind, cls in classes.items():
        assert cls.kind == kind and isinstance(cls.capabilities, frozenset)
        assert Capability.read in cls.capabilities or kind == "import"
        assert all(callable(getattr(cls, name, None)) for name in ("fetch", "test_connection", "reply", "close"))


def test_a_broken_plugin_is_logged_and_skipped(monkeypatch, caplog):
    good = EntryPoint("rss", "kapwa.connectors.rss:RssConnector", registry.GROUP)
    broken = EntryPoint("shiny", "kapwa_shiny_plugin_that_is_not_installed:Shiny", registry.GROUP)
    not_a_connector = EntryPoint("odd", "kapwa.core.settings:Settings", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [good, broken, not_a_connector])
    registry.connector_classes.cache_clear()
    try:
        with caplog.at_level(logging.ERROR, logger="kapwa.connectors"):
            classes = registry.connector_classes()
        assert list(classes) == ["rss"]
        assert "shiny" in caplog.text and "skipped" in caplog.text and "odd" in caplog.text
    finally:
        registry.connector_classes.cache_clear()
