"""The desk hook: after messages are ingested and analysed, bring their conversations' inbox state up to
date — signals (language, sentiment, intent, toxicity), priority, service-level due times, auto-assignment.

Registered as the analyzer entry point ``desk`` (group ``kapwa.analyzers``, order 200: after the analysis
chain). Each step runs in its own savepoint and may fail alone; a failure is logged, never raised.
"""

from __future__ import annotations

import importlib
import logging

from sqlalchemy import select

from kapwa.core.models import Message, utcnow

log = logging.getLogger("kapwa.inbox")

# (module, function): each is called as fn(session, conversation_ids, now) inside one write transaction.
STEPS = (
    ("kapwa.inbox.signals", "refresh_conversations"),
    ("kapwa.inbox.sla", "apply_sla"),
    ("kapwa.inbox.priority", "rescore"),
    ("kapwa.inbox.assign", "auto_assign"),
)


def update_conversations(rt, conversation_ids: list[int]) -> None:
    if not conversation_ids:
        return
    now = utcnow()
    with rt.db.write_sessions() as s, s.begin():
        for module, name in STEPS:
            try:
                fn = getattr(importlib.import_module(module), name)
                with s.begin_nested():
                    fn(s, conversation_ids, now)
            except Exception:
                log.exception("desk step %s.%s failed on %d conversations", module, name, len(conversation_ids))


def update_desk(rt, message_ids: list[int]) -> None:
    """The analyzer entry point: the conversations of these new messages."""
    with rt.db.sessions() as s:
        conv_ids = sorted(set(s.scalars(select(Message.conversation_id).where(Message.id.in_(message_ids)))))
    for i in range(0, len(conv_ids), 500):
        update_conversations(rt, conv_ids[i : i + 500])


update_desk.order = 200
