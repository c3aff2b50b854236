"""The demo's service-level policies: a workspace default (first response 2 h, resolution 24 h, Mon–Sat
08:00–20:00 Asia/Manila, the Philippine regular holidays) and a faster one for the support e-mail inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.models import SlaPolicy, Source
from kapwa.inbox.sla import WEEKDAYS
from kapwa.inbox.sla_holidays import PH_REGULAR_HOLIDAYS

MON_SAT = {day: [["08:00", "20:00"]] for day in WEEKDAYS[:6]}
HOLIDAYS = sorted(d for days in PH_REGULAR_HOLIDAYS.values() for d, _ in days)


def write_sla_policies(session: Session, workspace_id: int) -> int:
    """Add the demo policies unless the workspace has some already; returns how many were added."""
    if session.scalar(select(SlaPolicy.id).where(SlaPolicy.workspace_id == workspace_id).limit(1)):
        return 0
    policies = [SlaPolicy(workspace_id=workspace_id, source_id=None, first_response_minutes=120,
                          resolution_minutes=24 * 60, timezone="Asia/Manila", business_hours=MON_SAT,
                          holidays=HOLIDAYS, warn_at_percent=75, enabled=True)]
    email = session.scalar(select(Source.id).where(Source.workspace_id == workspace_id, Source.kind == "email")
                           .order_by(Source.id).limit(1))
    if email is not None:
        policies.append(SlaPolicy(workspace_id=workspace_id, source_id=email, first_response_minutes=60,
                                  resolution_minutes=8 * 60, timezone="Asia/Manila",
                                  business_hours={**MON_SAT, "sun": [["10:00", "14:00"]]}, holidays=HOLIDAYS,
                                  warn_at_percent=50, enabled=True))
    session.add_all(policies)
    session.flush()
    return len(policies)
