"""Source actions: connect, rename, pause, set credentials (encrypted at rest), remove."""

from __future__ import annotations

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, changed, transaction
from kapwa.core.models import PLATFORMS, Role, Source
from kapwa.core.runtime import Runtime


def _source(tx: Tx, source_id: int) -> Source:
    src = tx.session.scalar(select(Source).where(Source.id == source_id, Source.workspace_id == tx.actor.workspace_id))
    if src is None:
        raise NotFound("no such source")
    return src


def do_create_source(rt: Runtime, actor: Actor, *, kind: str, name: str, config: dict | None = None,
                     credentials: dict | None = None) -> Source:
    actor.require(Role.manager)
    from kapwa.sources import connect

    known = set(PLATFORMS) | set(connect.connector_classes())
    if kind not in known:
        raise ActionError(f"kind: must be one of {', '.join(sorted(known))}", field="kind")
    if not name.strip():
        raise ActionError("name: must not be empty", field="name")
    with transaction(rt, actor) as tx:
        src = Source(workspace_id=actor.workspace_id, kind=kind, name=name.strip()[:200], config=config or {},
                     credentials_encrypted=rt.secrets.encrypt_json(credentials) if credentials else None)
        tx.session.add(src)
        tx.audit("source.create", src, f"Connected {kind} source {src.name}",
                 {"kind": [None, kind], "credentials": [None, sorted(credentials or {})]})
        tx.emit("source.created", {"id": src.id})
    return src


def do_update_source(rt: Runtime, actor: Actor, source_id: int, *, name: str | None = None,
                     enabled: bool | None = None, credentials: dict | None = None) -> Source:
    actor.require(Role.manager)
    with transaction(rt, actor) as tx:
        src = _source(tx, source_id)
        values: dict = {}
        if name is not None and name.strip():
            values["name"] = name.strip()[:200]
        if enabled is not None:
            values["enabled"] = enabled
            values["health"] = "paused" if not enabled else ("new" if src.last_success_at is None else "ok")
        diff = changed(src, **values)
        if credentials is not None:
            src.credentials_encrypted = rt.secrets.encrypt_json(credentials)
            diff["credentials"] = ["(hidden)", sorted(credentials)]  # names of fields only, never values
        if diff:
            tx.audit("source.update", src, f"Updated source {src.name}: {', '.join(diff)}", diff)
            tx.emit("source.updated", {"id": src.id})
    return src


def do_delete_source(rt: Runtime, actor: Actor, source_id: int) -> None:
    actor.require(Role.owner)
    with transaction(rt, actor) as tx:
        src = _source(tx, source_id)
        tx.audit("source.delete", src, f"Removed source {src.name} and everything synced from it")
        tx.session.delete(src)
        tx.emit("source.deleted", {"id": source_id})


def do_set_auto_assign(rt: Runtime, actor: Actor, source_id: int, user_ids: list[int]) -> Source:
    """Who takes turns on this source's new conversations (round-robin, kapwa/inbox/assign.py), in order.
    An empty list turns auto-assignment off."""
    actor.require(Role.manager)
    from kapwa.core.models import User

    wanted = list(dict.fromkeys(int(u) for u in user_ids))
    with transaction(rt, actor) as tx:
        src = _source(tx, source_id)
        if wanted:
            found = {u.id: u for u in tx.session.scalars(select(User).where(
                User.id.in_(wanted), User.workspace_id == actor.workspace_id, User.is_active.is_(True)))}
            if len(found) != len(wanted):
                raise ActionError("auto-assign: only active teammates can take turns", field="user_ids")
        old = list(src.auto_assign_user_ids or [])
        if old == wanted:
            return src
        src.auto_assign_user_ids = wanted
        if src.last_assigned_user_id not in wanted:
            src.last_assigned_user_id = None
        names = ", ".join(found[u].name for u in wanted) if wanted else "off"
        tx.audit("source.auto_assign", src, f"Auto-assign on {src.name}: {names}",
                 {"auto_assign_user_ids": [old, wanted]})
        tx.emit("source.updated", {"id": src.id})
    return src
