"""Service-level policy actions (manager+): save a source's or the workspace default policy, delete one.

After a change the due times of the open conversations it governs are recomputed in the same transaction
when there are at most :data:`INLINE_LIMIT` of them; otherwise the result says so and the caller queues the
``inbox.sla_recompute`` job (kapwa/inbox/sla_jobs.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, changed, transaction
from kapwa.core.models import Role, SlaPolicy, Source, utcnow
from kapwa.core.runtime import Runtime
from kapwa.inbox.sla_apply import affected_by, apply_sla
from kapwa.inbox.sla_forms import PolicyInput, check

INLINE_LIMIT = 2000
FIELDS = ("first_response_minutes", "resolution_minutes", "timezone", "business_hours", "holidays",
          "warn_at_percent", "enabled")


@dataclass
class PolicyChange:
    policy_id: int | None  # None once deleted (or when a source went back to the default)
    source_id: int | None
    workspace_id: int
    conversations: int  # open conversations the change governs
    queued: bool  # too many to recompute in the request: queue inbox.sla_recompute


def _source(tx, source_id: int | None) -> Source | None:
    if source_id is None:
        return None
    src = tx.session.scalar(select(Source).where(Source.id == source_id,
                                                 Source.workspace_id == tx.actor.workspace_id))
    if src is None:
        raise ActionError("source: no such source", field="source_id")
    return src


def _label(src: Source | None) -> str:
    return f"the {src.name} policy" if src is not None else "the workspace default policy"


def _recompute(tx, source_id: int | None) -> tuple[int, bool]:
    tx.session.flush()
    ids = affected_by(tx.session, tx.actor.workspace_id, source_id)
    if len(ids) > INLINE_LIMIT:
        return len(ids), True
    apply_sla(tx.session, ids, utcnow())
    return len(ids), False


def do_save_sla_policy(rt: Runtime, actor: Actor, data: PolicyInput) -> PolicyChange:
    """Create or update the policy of ``data.source_id`` (None = the workspace default). ``mode`` "off" keeps
    the policy but switches its targets off; "default" (a source only) removes the source's own policy."""
    actor.require(Role.manager)
    if data.mode == "default":
        if data.source_id is None:
            raise ActionError("mode: the workspace default cannot fall back to itself", field="mode")
        with transaction(rt, actor) as tx:
            src = _source(tx, data.source_id)
            row = tx.session.scalar(select(SlaPolicy).where(SlaPolicy.workspace_id == actor.workspace_id,
                                                            SlaPolicy.source_id == data.source_id))
            if row is not None:
                tx.audit("sla_policy.delete", row, f"{src.name} now follows the workspace default policy")
                tx.session.delete(row)
            n, queued = _recompute(tx, data.source_id)
            tx.emit("sla.policy", {"source_id": data.source_id})
        return PolicyChange(None, data.source_id, actor.workspace_id, n, queued)
    errors = check(data)
    if errors:
        name, message = next(iter(errors.items()))
        raise ActionError(f"{name}: {message}", field=name)
    values = {"enabled": data.mode != "off"}
    if data.mode == "own":
        values.update(first_response_minutes=data.first_response_minutes,
                      resolution_minutes=data.resolution_minutes, timezone=data.timezone,
                      business_hours=data.business_hours, holidays=list(data.holidays),
                      warn_at_percent=data.warn_at_percent)
    with transaction(rt, actor) as tx:
        src = _source(tx, data.source_id)
        row = tx.session.scalar(select(SlaPolicy).where(SlaPolicy.workspace_id == actor.workspace_id,
                                                        SlaPolicy.source_id == data.source_id))
        if row is None:
            row = SlaPolicy(workspace_id=actor.workspace_id, source_id=data.source_id, **values)
            tx.session.add(row)
            tx.session.flush()
            diff = {k: [None, getattr(row, k)] for k in FIELDS}
            tx.audit("sla_policy.create", row, f"Created {_label(src)}", diff)
        else:
            diff = changed(row, **values)
            if diff:
                tx.audit("sla_policy.update", row, f"Changed {_label(src)}: " + ", ".join(sorted(diff)), diff)
        n, queued = _recompute(tx, data.source_id)
        tx.emit("sla.policy", {"id": row.id, "source_id": data.source_id})
        policy_id = row.id
    return PolicyChange(policy_id, data.source_id, actor.workspace_id, n, queued)


def do_delete_sla_policy(rt: Runtime, actor: Actor, policy_id: int) -> PolicyChange:
    """Delete a policy: a source's falls back to the workspace default; the default's leaves sources without
    their own policy with no targets."""
    actor.require(Role.manager)
    with transaction(rt, actor) as tx:
        row = tx.session.scalar(select(SlaPolicy).where(SlaPolicy.id == policy_id,
                                                        SlaPolicy.workspace_id == actor.workspace_id))
        if row is None:
            raise NotFound("no such service-level policy")
        src = _source(tx, row.source_id)
        source_id = row.source_id
        tx.audit("sla_policy.delete", row, f"Deleted {_label(src)}",
                 {k: [getattr(row, k), None] for k in FIELDS})
        tx.session.delete(row)
        n, queued = _recompute(tx, source_id)
        tx.emit("sla.policy", {"id": policy_id, "source_id": source_id})
    return PolicyChange(None, source_id, actor.workspace_id, n, queued)
