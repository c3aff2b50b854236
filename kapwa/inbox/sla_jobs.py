"""Service-level jobs.

* ``inbox.sla_notify`` (every 5 minutes, kapwa.core.jobs.PERIODIC): each conversation whose first-response or
  resolution target is newly *due soon* or *breached* notifies its assignee — or the managers and owners when
  nobody is assigned — once per conversation, target and state. The Notification table is the memory: a
  notification of that kind (``sla_due_soon`` / ``sla_breached``) with that link (``/conversations/ID#sla-
  first-response`` or ``#sla-resolution``) means it was sent. Breaches older than :data:`BREACH_LOOKBACK` are
  not announced (a worker that was down catches up on a day, not on history).
* ``inbox.sla_recompute`` — recompute the due times of the open conversations a policy change governs, when
  there were too many to do in the request.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, or_, select

from kapwa.core.actions import Actor, transaction
from kapwa.core.jobs import job
from kapwa.core.models import Conversation, Notification, Role, Source, User, Workspace, utcnow
from kapwa.core.runtime import Runtime
from kapwa.inbox.sla import PolicyMap, format_duration, target_state
from kapwa.inbox.sla_apply import affected_by, apply_sla
from kapwa.inbox.sla_queries import (
    ATTENTION,
    first_response_breached,
    first_response_due_soon,
    resolution_breached,
    resolution_due_soon,
)

log = logging.getLogger("kapwa.inbox")
BREACH_LOOKBACK = dt.timedelta(days=1)
KINDS = {"breached": "sla_breached", "due_soon": "sla_due_soon"}
ANCHORS = {"first_response": "sla-first-response", "resolution": "sla-resolution"}
C = Conversation


def _url(conversation_id: int, target: str) -> str:
    return f"/conversations/{conversation_id}#{ANCHORS[target]}"


def _text(state: str, target: str, title: str, source: str, seconds: int) -> str:
    what = "First response" if target == "first_response" else "Resolution"
    title = (title or "(untitled)")[:120]
    if state == "breached":
        return f"{what} target breached on “{title}” ({source})"
    return f"{what} due in {format_duration(seconds)} of business time on “{title}” ({source})"


def pending_alerts(s, workspace_id: int, now: dt.datetime) -> list[dict]:
    """The (conversation, target, state) alerts not sent yet, most urgent first."""
    pm = PolicyMap.load(s, workspace_id)
    since = now - BREACH_LOOKBACK
    cond = or_(
        and_(first_response_breached(now), C.first_response_due_at >= since),
        and_(resolution_breached(now), C.resolution_due_at >= since),
        first_response_due_soon(pm, now),
        resolution_due_soon(pm, now),
    )
    rows = s.execute(select(C.id, C.title, C.source_id, C.assignee_id, C.status, C.first_response_at,
                            C.first_response_due_at, C.resolution_due_at, Source.name)
                     .join(Source, Source.id == C.source_id)
                     .where(C.workspace_id == workspace_id, C.status.in_(ATTENTION), cond)).all()
    alerts = []
    for row in rows:
        rules = pm.for_source(row.source_id)
        if rules is None:
            continue
        targets = []
        if row.first_response_at is None and row.first_response_due_at is not None:
            targets.append(("first_response", row.first_response_due_at, rules.first_response_minutes))
        if row.resolution_due_at is not None:
            targets.append(("resolution", row.resolution_due_at, rules.resolution_minutes))
        for name, due, minutes in targets:
            st = target_state(name, due, minutes, now, rules)
            if st.state == "ok" or (st.state == "breached" and due < since):
                continue
            alerts.append({"conversation_id": row.id, "assignee_id": row.assignee_id, "target": name,
                           "state": st.state, "kind": KINDS[st.state], "url": _url(row.id, name),
                           "text": _text(st.state, name, row.title, row.name, st.seconds), "due": due})
    if not alerts:
        return []
    sent = set(s.execute(select(Notification.kind, Notification.url).where(
        Notification.workspace_id == workspace_id, Notification.kind.in_(list(KINDS.values())),
        Notification.url.in_(sorted({a["url"] for a in alerts})))).all())
    fresh = [a for a in alerts if (a["kind"], a["url"]) not in sent]
    return sorted(fresh, key=lambda a: (a["state"] != "breached", a["due"]))


def notify_workspace(rt: Runtime, workspace_id: int, now: dt.datetime | None = None) -> int:
    """Send this workspace's new service-level alerts; returns how many notifications were made."""
    from kapwa.team.notifications import notify

    now = now or utcnow()
    made = 0
    with transaction(rt, Actor.system(workspace_id)) as tx:
        alerts = pending_alerts(tx.session, workspace_id, now)
        if not alerts:
            return 0
        managers = list(tx.session.scalars(select(User.id).where(
            User.workspace_id == workspace_id, User.is_active.is_(True),
            User.role.in_([Role.owner.value, Role.manager.value]))))
        for a in alerts:
            to = [a["assignee_id"]] if a["assignee_id"] else managers
            made += notify(tx, to, a["kind"], a["text"], a["url"])
    if made:
        log.info("service levels: %d notifications in workspace %d", made, workspace_id)
    return made


@job("inbox.sla_notify")
def sla_notify(rt: Runtime) -> int:
    with rt.db.sessions() as s:
        workspace_ids = list(s.scalars(select(Workspace.id)))
    total = 0
    for ws in workspace_ids:
        try:
            total += notify_workspace(rt, ws)
        except Exception:
            log.exception("service-level notifications failed for workspace %d", ws)
    return total


def recompute(rt: Runtime, workspace_id: int, source_id: int | None = None, batch: int = 500) -> int:
    with rt.db.sessions() as s:
        ids = affected_by(s, workspace_id, source_id)
    for i in range(0, len(ids), batch):
        with rt.db.write_sessions() as s, s.begin():
            apply_sla(s, ids[i:i + batch], utcnow())
    return len(ids)


@job("inbox.sla_recompute")
def sla_recompute(rt: Runtime, workspace_id: int, source_id: int | None = None) -> int:
    return recompute(rt, workspace_id, source_id)
