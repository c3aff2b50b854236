"""Helpers shared by the connector contract tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

from kapwa.connectors.base import BaseConnector
from kapwa.core.actions import Actor
from kapwa.core.models import Role, Source, utcnow
from kapwa.ingest.sync import sync_source
from kapwa.sources.actions import do_create_source

OPENED: list[BaseConnector] = []


def opened(conn: BaseConnector) -> BaseConnector:
    """Hand back ``conn``, to be closed after the test (by conftest's ``close_opened_connectors``)."""
    OPENED.append(conn)
    return conn


def stored_connector(rt, source_id: int, connector_cls: type[BaseConnector]) -> BaseConnector:
    """The connector as the sync worker builds it: from the stored config and the decrypted credentials."""
    with rt.db.sessions() as s:
        src = s.get(Source, source_id)
        return connector_cls(src.config, rt.secrets.decrypt_json(src.credentials_encrypted))


def sync_stored(rt, source_id: int, connector_cls: type[BaseConnector], **kw: Any):
    """Sync as the worker does (``kw`` for sync_source; no analysis unless asked), with the connector built
    from the stored Source; the connector is closed afterwards."""
    conn = stored_connector(rt, source_id, connector_cls)
    try:
        return sync_source(rt, source_id, connector=conn, **{"analyze": False, **kw})
    finally:
        conn.close()


def sync_and_reload(rt, source_id: int):
    """Sync the source as the worker does; the time just before, the outcome and the source row after."""
    before = utcnow()
    outcome = sync_source(rt, source_id)
    with rt.db.sessions() as s:
        return before, outcome, s.get(Source, source_id)


def create_source(rt, factory, *, kind: str, name: str, config: dict, credentials: dict | None = None) -> Source:
    """A source connected the way the sources page does it, by the workspace's owner."""
    owner = factory.user(Role.owner)
    actor = Actor(workspace_id=factory.workspace_id, user_id=owner.id, role=Role.owner, name=owner.name)
    return do_create_source(rt, actor, kind=kind, name=name, config=config, credentials=credentials)


def fetch_items(conn: BaseConnector, cursor: str | None = None):
    """Everything one ``fetch`` yields: items by platform id, activities, and the batches themselves."""
    batches = list(conn.fetch(cursor))
    items = {it.platform_message_id: it for b in batches for it in b.items}
    return items, [a for b in batches for a in b.activities], batches
