"""Saved replies: reusable answers with variables, one version per language (English ``en``, Filipino ``tl``).

Moderators and up create saved replies and edit their own; managers and owners edit and delete any. The
variables are checked on save (:mod:`kapwa.inbox.replies.variables`).
"""

from __future__ import annotations

from sqlalchemy import select

from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound, Tx, changed, transaction
from kapwa.core.models import Role, SavedReply
from kapwa.core.runtime import Runtime
from kapwa.inbox.replies import variables


def N_(message: str) -> str:
    return message


LANGUAGES = {"en": N_("English"), "tl": N_("Filipino")}


def _saved(tx: Tx, saved_reply_id: int) -> SavedReply:
    row = tx.session.scalar(select(SavedReply).where(SavedReply.id == saved_reply_id,
                                                     SavedReply.workspace_id == tx.actor.workspace_id))
    if row is None:
        raise NotFound("no such saved reply")
    return row


def _values(name: str, language: str, body: str, shortcut: str | None) -> dict:
    name, body = " ".join((name or "").split())[:120], (body or "").replace("\r\n", "\n").strip()
    if not name:
        raise ActionError("name: must not be empty", field="name")
    if language not in LANGUAGES:
        raise ActionError(f"language: must be one of {', '.join(LANGUAGES)}", field="language")
    if not body:
        raise ActionError("body: must not be empty", field="body")
    if len(body) > 5000:
        raise ActionError("body: at most 5,000 characters", field="body")
    variables.check(body)
    shortcut = (shortcut or "").strip().lstrip("/").lower()[:39] or None
    if shortcut and not shortcut.replace("-", "").replace("_", "").isalnum():
        raise ActionError("shortcut: letters, digits, - and _ only", field="shortcut")
    return {"name": name, "language": language, "body": body, "shortcut": shortcut}


def _unique(tx: Tx, values: dict, exclude_id: int | None = None) -> None:
    q = select(SavedReply.id).where(SavedReply.workspace_id == tx.actor.workspace_id,
                                    SavedReply.name == values["name"], SavedReply.language == values["language"])
    if exclude_id is not None:
        q = q.where(SavedReply.id != exclude_id)
    if tx.session.scalar(q) is not None:
        raise ActionError(f"name: the {LANGUAGES[values['language']]} saved reply “{values['name']}” exists "
                          "already; edit that one", field="name")
    if values["shortcut"]:
        q = select(SavedReply.id).where(SavedReply.workspace_id == tx.actor.workspace_id,
                                        SavedReply.shortcut == values["shortcut"],
                                        SavedReply.language == values["language"])
        if exclude_id is not None:
            q = q.where(SavedReply.id != exclude_id)
        if tx.session.scalar(q) is not None:
            raise ActionError(f"shortcut: /{values['shortcut']} is taken in that language", field="shortcut")


def do_create_saved_reply(rt: Runtime, actor: Actor, *, name: str, body: str, language: str = "en",
                          shortcut: str | None = None, is_answer: bool = True) -> SavedReply:
    actor.require(Role.moderator)
    values = _values(name, language, body, shortcut)
    with transaction(rt, actor) as tx:
        _unique(tx, values)
        row = SavedReply(workspace_id=actor.workspace_id, created_by_id=actor.user_id, is_answer=is_answer,
                         use_count=0, **values)
        tx.session.add(row)
        tx.audit("saved_reply.create", row, f"Saved reply “{row.name}” ({row.language})")
        tx.emit("saved_reply.updated", {"id": row.id})
    return row


def do_update_saved_reply(rt: Runtime, actor: Actor, saved_reply_id: int, *, name: str, body: str,
                          language: str, shortcut: str | None = None, is_answer: bool = True) -> SavedReply:
    actor.require(Role.moderator)
    values = _values(name, language, body, shortcut)
    with transaction(rt, actor) as tx:
        row = _saved(tx, saved_reply_id)
        if row.created_by_id != actor.user_id and not actor.role.at_least(Role.manager):
            raise Forbidden("only its author or a manager can change this saved reply")
        _unique(tx, values, exclude_id=row.id)
        diff = changed(row, is_answer=is_answer, **values)
        if diff:
            tx.audit("saved_reply.update", row, f"Saved reply “{row.name}”: {', '.join(diff)}", diff)
            tx.emit("saved_reply.updated", {"id": row.id})
    return row


def do_delete_saved_reply(rt: Runtime, actor: Actor, saved_reply_id: int) -> None:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        row = _saved(tx, saved_reply_id)
        if row.created_by_id != actor.user_id and not actor.role.at_least(Role.manager):
            raise Forbidden("only its author or a manager can delete this saved reply")
        tx.audit("saved_reply.delete", row, f"Deleted saved reply “{row.name}” ({row.language})",
                 {"body": [row.body, None]})
        tx.session.delete(row)
        tx.emit("saved_reply.updated", {"id": saved_reply_id, "deleted": True})
