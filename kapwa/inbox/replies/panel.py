"""The reply composer on the conversation page (slot ``thread_after``): the conversation's replies with their
status and history, and — for moderators and up — the form to write one, with saved replies and the
empathy check's findings container."""

from __future__ import annotations

import secrets

from kapwa.core.models import Workspace, utcnow
from kapwa.inbox.panels import panel
from kapwa.inbox.replies import queries, rules, variables
from kapwa.inbox.replies.send import is_unknown


def reply_context(session, viewer, conv) -> dict:
    """What the reply cards need (also used by the list fragment and the approvals page)."""
    return {"viewer_is_reviewer": rules.is_reviewer(viewer.role), "is_unknown": is_unknown, "now": utcnow(),
            "platform": rules.platform_label(conv.source.kind) if conv is not None else "",
            "platform_label": rules.platform_label, "status_labels": rules.STATUS_LABELS,
            "event_labels": rules.EVENT_LABELS}


@panel("thread_after", "replies/_composer.html", order=10)
def composer(session, viewer, conv, messages) -> dict:
    ws = session.get(Workspace, conv.workspace_id)
    can_compose = viewer.can("moderator")
    ok, why = rules.can_reply_through(conv.source)
    reason = rules.approval_reason(conv.source, ws, viewer.role) if can_compose else None
    choices = []
    if can_compose and ok:
        choices = queries.composer_choices(session, ws.id, conv, variables.values_for(session, conv, viewer.user, ws))
    return {
        **reply_context(session, viewer, conv),
        "conv": conv,
        "replies": queries.for_conversation(session, conv.id),
        "can_compose": can_compose,
        "blocked": why,
        "approval": reason,
        "approval_text": rules.REASONS[reason] if reason else None,
        "choices": choices,
        "preferred_language": queries.preferred_language(conv),
        "key": secrets.token_hex(16),  # one per page load: a double submission makes one reply
        "max_length": rules.max_length(conv.source.kind),
        "demo": bool((conv.source.config or {}).get("demo")),
    }
