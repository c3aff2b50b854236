"""The ``sla`` template filter behind conversations/_sla_badge.html: a conversation row's service-level
state from its own columns, with the workspace's policies loaded once per request (never a query per row).

    {% set st = c|sla %}            {# or c|sla(now()) #}
    st.state  "ok" | "due_soon" | "breached";  st.target  "first_response" | "resolution"
    st.text   "25 min": business time left, or how long ago it breached;  st.due_at  the due time (UTC)

A page may pass its own ``sla_policies`` (a :class:`~kapwa.inbox.sla.PolicyMap`) in the context.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import jinja2

from kapwa.core.models import utcnow
from kapwa.inbox.sla import PolicyMap, SlaStatus, format_duration, sla_state

log = logging.getLogger("kapwa.inbox")


@dataclass(frozen=True)
class Badge:
    state: str
    target: str
    due_at: dt.datetime
    seconds: int
    text: str
    tz: str

    @classmethod
    def of(cls, st: SlaStatus, tz: str) -> Badge:
        # Time left is business time (the team's working time); a breach is told by how long ago it happened.
        shown = st.wall_seconds if st.state == "breached" else st.seconds
        return cls(st.state, st.target, st.due_at, st.seconds, format_duration(shown), tz)


def policy_map(ctx, workspace_id: int) -> PolicyMap | None:
    given = ctx.get("sla_policies")
    if isinstance(given, PolicyMap):
        return given
    request = ctx.get("request")
    if request is None:
        return None
    cache = getattr(request.state, "sla_policy_maps", None)
    if cache is None:
        cache = request.state.sla_policy_maps = {}
    if workspace_id not in cache:
        with request.app.state.rt.db.sessions() as s:
            cache[workspace_id] = PolicyMap.load(s, workspace_id)
    return cache[workspace_id]


@jinja2.pass_context
def sla_filter(ctx, conv, now: dt.datetime | None = None) -> Badge | None:
    if conv is None or (conv.first_response_due_at is None and conv.resolution_due_at is None):
        return None
    try:
        pm = policy_map(ctx, conv.workspace_id)
        rules = pm.for_source(conv.source_id) if pm is not None else None
        st = sla_state(conv, now or utcnow(), rules)
    except Exception:  # a badge never takes the page down
        log.exception("service-level badge failed for conversation %s", getattr(conv, "id", None))
        return None
    return Badge.of(st, pm.timezone) if st is not None else None


def register(env: jinja2.Environment) -> None:
    env.filters["sla"] = sla_filter
