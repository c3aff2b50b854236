"""The inbox's service-level filter: ?sla=breached|due_soon shows exactly the conversations in that state."""

from __future__ import annotations

import datetime as dt

from kapwa.core.models import Role, SlaPolicy, utcnow
from kapwa.inbox.listing import FilterError, InboxFilter


def test_sla_filter_lists_breached_and_due_soon(rt, factory, signed_in):
    src = factory.source("discord")
    now = utcnow()
    with rt.db.sessions() as s, s.begin():
        s.add(SlaPolicy(workspace_id=src.workspace_id, source_id=None, first_response_minutes=120,
                        resolution_minutes=1440, business_hours={}, holidays=[], warn_at_percent=75))
    late = factory.conversation(src, title="Late one", status="open", needs_answer=True,
                                first_response_due_at=now - dt.timedelta(hours=1))
    soon = factory.conversation(src, title="Soon one", status="open", needs_answer=True,
                                first_response_due_at=now + dt.timedelta(minutes=10))
    calm = factory.conversation(src, title="Calm one", status="open", needs_answer=True,
                                first_response_due_at=now + dt.timedelta(hours=2))
    client, _, _ = signed_in(Role.manager)
    breached = client.get("/inbox?sla=breached").text
    assert late.title in breached and soon.title not in breached and calm.title not in breached
    due = client.get("/inbox?sla=due_soon").text
    assert soon.title in due and late.title not in due and calm.title not in due


def test_unknown_sla_state_is_refused_naming_the_field():
    try:
        InboxFilter.from_params({"sla": "whenever"})
    except FilterError as e:
        assert e.field == "sla"
    else:
        raise AssertionError("an unknown sla state was accepted")
