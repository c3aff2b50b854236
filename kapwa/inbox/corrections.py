"""Label corrections: a teammate fixes what the analysis said about a message.

The message's field changes at once (so the conversation page and the list filters agree with the person), and
each changed field is kept as a LabelCorrection row with the old and the new value, for the next training run
(``GET /api/v1/label-corrections``). One audit entry per action.

Who: moderators and up. Moderators read the threads all day and are the ones who see a wrong label; the
correction changes only analysis labels, never what a member wrote, and is audited, so it needs no manager.

Fields and what a correction writes on the message:

* ``sentiment_label`` (negative/neutral/positive): the label only; ``sentiment_score`` stays what the model said
  (the member sentiment chart uses the score).
* ``toxic`` (yes/no): ``toxicity_score`` becomes 1.0 or 0.0, a person's certain answer, so the "toxic" filter
  (score >= 0.5) agrees; "no" also clears ``toxicity_categories``.
* ``intent`` (question, complaint, praise, feature_request, bug_report, spam, other).
* ``language`` (en/tl/taglish): "en" and "tl" set ``language`` and clear ``is_taglish``; "taglish" sets
  ``is_taglish`` and keeps ``language`` (or sets "tl" when there was none).
"""

from __future__ import annotations

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, transaction
from kapwa.core.models import LabelCorrection, Message, Role
from kapwa.core.models.analysis import CORRECTABLE, TOXIC_AT
from kapwa.core.runtime import Runtime


def current_value(msg: Message, field: str) -> str | None:
    """A message's label in the vocabulary corrections use (see CORRECTABLE)."""
    if field == "toxic":
        return None if msg.toxicity_score is None else ("yes" if msg.toxicity_score >= TOXIC_AT else "no")
    if field == "language":
        return "taglish" if msg.is_taglish else msg.language
    return getattr(msg, field)


def _apply(msg: Message, field: str, value: str) -> None:
    if field == "toxic":
        msg.toxicity_score = 1.0 if value == "yes" else 0.0
        if value == "no":
            msg.toxicity_categories = []
    elif field == "language":
        if value == "taglish":
            msg.is_taglish = True
            msg.language = msg.language or "tl"
        else:
            msg.language, msg.is_taglish = value, False
    else:
        setattr(msg, field, value)


def _message(tx: Tx, message_id: int) -> Message:
    msg = tx.session.scalar(
        select(Message).where(Message.id == message_id, Message.workspace_id == tx.actor.workspace_id)
    )
    if msg is None:
        raise NotFound("no such message")
    return msg


def _check(values: dict[str, str]) -> None:
    for field, value in values.items():
        if field not in CORRECTABLE:
            raise ActionError(f"field: must be one of {', '.join(CORRECTABLE)}", field="field")
        if value not in CORRECTABLE[field]:
            raise ActionError(f"{field}: must be one of {', '.join(CORRECTABLE[field])}", field=field)


def do_correct_labels(rt: Runtime, actor: Actor, message_id: int, values: dict[str, str]) -> list[LabelCorrection]:
    """Correct several labels of one message in one action; fields whose value does not change are skipped.

    Returns the corrections stored (empty when nothing changed)."""
    actor.require(Role.moderator)
    _check(values)
    stored: list[LabelCorrection] = []
    with transaction(rt, actor) as tx:
        msg = _message(tx, message_id)
        diff: dict[str, list] = {}
        for field, value in values.items():
            old = current_value(msg, field)
            if old == value:
                continue
            _apply(msg, field, value)
            corr = LabelCorrection(workspace_id=actor.workspace_id, message_id=msg.id, field=field,
                                   old_value=old, new_value=value, user_id=actor.user_id)
            tx.session.add(corr)
            stored.append(corr)
            diff[field] = [old, value]
        if diff:
            tx.session.flush()
            parts = ", ".join(f"{k} {v[0] or '—'} → {v[1]}" for k, v in diff.items())
            tx.audit("message.label_correction", msg, f"Message {msg.id}: {parts}", diff)
            tx.emit("message.labels_corrected", {"id": msg.id, "conversation_id": msg.conversation_id,
                                                 "fields": list(diff)})
            conversation_id = msg.conversation_id
    if stored:  # the inbox's signals, priority and filters follow the person's correction
        from kapwa.inbox.desk import update_conversations

        update_conversations(rt, [conversation_id])
    return stored


def do_correct_label(rt: Runtime, actor: Actor, message_id: int, field: str, value: str) -> LabelCorrection | None:
    """Correct one label of one message; None when the message already has that value."""
    stored = do_correct_labels(rt, actor, message_id, {field: value})
    return stored[0] if stored else None
