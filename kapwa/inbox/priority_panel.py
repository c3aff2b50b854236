"""The conversation page's priority line (slot ``header``): the score and the reasons that make it up."""

from __future__ import annotations

from kapwa.inbox.panels import panel
from kapwa.inbox.priority import reason_label, reasons_summary


@panel("header", "inbox/_priority_panel.html", order=50)
def priority_panel(session, viewer, conversation, messages) -> dict | None:
    if not conversation.priority_reasons:
        return None
    return {"score": conversation.priority_score, "reasons": conversation.priority_reasons,
            "labels": [(reason_label(label), points) for label, points in conversation.priority_reasons],
            "summary": reasons_summary(conversation.priority_reasons)}
