"""Connectors and importers are entry points (group ``kapwa.connectors``); Kapwa's own are registered the
same way in pyproject.toml. A connector that fails to load is logged and skipped."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points

from kapwa.connectors.base import BaseConnector, NotSupported

log = logging.getLogger("kapwa.connectors")
GROUP = "kapwa.connectors"


@lru_cache(maxsize=1)
def connector_classes() -> dict[str, type[BaseConnector]]:
    found: dict[str, type[BaseConnector]] = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
            kind = getattr(cls, "kind", None)
            if not kind or not callable(getattr(cls, "fetch", None)):
                raise TypeError("not a connector (needs kind and fetch)")
            if kind in found:
                raise ValueError(f"kind {kind!r} is already provided by {found[kind].__module__}")
            found[kind] = cls
        except Exception as exc:
            log.error("connector plugin %s (%s) skipped: %s", ep.name, ep.value, exc)
    return found


def get_connector_class(kind: str) -> type[BaseConnector]:
    classes = connector_classes()
    if kind not in classes:
        raise KeyError(f"no connector for {kind!r}; installed: {', '.join(sorted(classes)) or 'none'}")
    return classes[kind]


def build_connector(rt, source) -> BaseConnector:
    try:
        cls = get_connector_class(source.kind)
    except KeyError as exc:
        raise NotSupported(str(exc.args[0])) from None
    return cls(source.config or {}, rt.secrets.decrypt_json(source.credentials_encrypted), settings=rt.settings)
