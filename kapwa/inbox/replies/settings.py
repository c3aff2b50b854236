"""The approval rules' settings: "replies through this source need approval" (per source) and the roles whose
replies need approval (per workspace). Managers and owners change them."""

from __future__ import annotations

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, transaction
from kapwa.core.models import Role, Source, Workspace
from kapwa.core.runtime import Runtime
from kapwa.inbox.replies.rules import APPROVAL_ROLES_KEY, CONFIGURABLE_ROLES


def do_set_source_reply_approval(rt: Runtime, actor: Actor, source_id: int, required: bool) -> Source:
    actor.require(Role.manager)
    with transaction(rt, actor) as tx:
        src = tx.session.scalar(select(Source).where(Source.id == source_id,
                                                     Source.workspace_id == actor.workspace_id))
        if src is None:
            raise NotFound("no such source")
        if src.reply_approval != required:
            tx.audit("source.reply_approval", src,
                     f"Replies through {src.name} {'need' if required else 'no longer need'} approval",
                     {"reply_approval": [src.reply_approval, required]})
            src.reply_approval = required
            tx.emit("source.updated", {"id": src.id})
    return src


def do_set_approval_roles(rt: Runtime, actor: Actor, roles: list[str]) -> list[str]:
    actor.require(Role.manager)
    wanted = sorted(set(roles), key=lambda r: Role(r).rank if r in CONFIGURABLE_ROLES else 0)
    bad = [r for r in wanted if r not in CONFIGURABLE_ROLES]
    if bad:
        raise ActionError(f"roles: {', '.join(bad)} cannot be made to need approval; choose from "
                          f"{', '.join(CONFIGURABLE_ROLES)}", field="roles")
    with transaction(rt, actor) as tx:
        q = select(Workspace).where(Workspace.id == actor.workspace_id)
        if tx.session.get_bind().dialect.name != "sqlite":
            q = q.with_for_update()
        ws = tx.session.scalar(q)
        old = list((ws.settings or {}).get(APPROVAL_ROLES_KEY) or [])
        if old != wanted:
            ws.settings = {**(ws.settings or {}), APPROVAL_ROLES_KEY: wanted}
            tx.audit("workspace.reply_approval_roles", ws, "Replies that need approval: "
                     + (", ".join(wanted) if wanted else "none by role"), {APPROVAL_ROLES_KEY: [old, wanted]})
            tx.emit("workspace.updated", {"id": ws.id, "changes": [APPROVAL_ROLES_KEY]})
    return wanted
