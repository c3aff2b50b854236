"""Reply actions: compose and submit, edit, approve (optionally after an edit), reject, retry, cancel, and
settle a send whose outcome is unknown.

Every change writes a :class:`ReplyEvent` (the history shown under the reply), an audit entry, and emits
``reply.updated`` after commit. A reply that becomes ``approved`` is queued to send after the commit
(``jobs``: the app's job queue; without one, a queue is opened on the runtime's settings). The approval rule
is in :mod:`kapwa.inbox.replies.rules`.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select, update

from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound, Tx, transaction
from kapwa.core.models import (
    Conversation,
    Message,
    Reply,
    ReplyEvent,
    ReplyStatus,
    Role,
    SavedReply,
    User,
    Workspace,
    utcnow,
)
from kapwa.core.runtime import Runtime
from kapwa.inbox.replies import rules
from kapwa.inbox.replies.send import is_unknown, queue_send
from kapwa.team.notifications import notify

log = logging.getLogger("kapwa.inbox.replies")

S = ReplyStatus
AUTHOR_EDITABLE = {S.draft, S.pending_approval, S.failed, S.rejected}
CANCELLABLE = {S.draft, S.pending_approval, S.approved, S.failed, S.rejected}


# ------------------------------------------------------------------------------------------------ helpers


def _for_update(tx: Tx, stmt):
    return stmt if tx.session.get_bind().dialect.name == "sqlite" else stmt.with_for_update()


def _reply(tx: Tx, reply_id: int) -> Reply:
    reply = tx.session.scalar(_for_update(tx, select(Reply).where(
        Reply.id == reply_id, Reply.workspace_id == tx.actor.workspace_id)))
    if reply is None:
        raise NotFound("no such reply")
    return reply


def _conversation(tx: Tx, conversation_id: int) -> Conversation:
    conv = tx.session.scalar(select(Conversation).where(
        Conversation.id == conversation_id, Conversation.workspace_id == tx.actor.workspace_id))
    if conv is None:
        raise NotFound("no such conversation")
    return conv


def _body(body: str, kind: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ActionError("body: the reply is empty", field="body")
    limit = rules.max_length(kind)
    if len(body) > limit:
        raise ActionError(f"body: {rules.platform_label(kind)} accepts at most {limit:,} characters in one "
                          f"message; this reply has {len(body):,}", field="body")
    return body


def _title(conv: Conversation) -> str:
    title = conv.title or f"conversation {conv.id}"
    return title if len(title) <= 60 else title[:59] + "…"


def _event(tx: Tx, reply: Reply, action: str, body: str | None = None, note: str | None = None) -> None:
    tx.session.add(ReplyEvent(reply_id=reply.id, user_id=tx.actor.user_id, action=action, body=body, note=note))


def _done(tx: Tx, reply: Reply, action: str, summary: str, changes: dict | None = None) -> None:
    tx.audit(f"reply.{action}", reply, summary, {"status": [None, reply.status], **(changes or {})})
    tx.emit("reply.updated", {"id": reply.id, "conversation_id": reply.conversation_id, "status": reply.status})


def empathy_findings(s, conv: Conversation, body: str, *, agent_id: int | None = None,
                     in_reply_to_id: int | None = None) -> dict:
    """The empathy check's report on ``body`` for this conversation (:mod:`kapwa.inbox.empathy`), computed exactly
    as the composer's live check does, kept with the reply so a reviewer sees what the author saw. A failing
    check is logged and never blocks a reply."""
    from kapwa.core.models import User
    from kapwa.inbox.empathy_context import check_conversation_reply

    try:
        agent = s.get(User, agent_id) if agent_id else None
        return check_conversation_reply(s, conv, body, agent=agent, reply_to_id=in_reply_to_id).to_dict()
    except Exception:
        log.exception("the empathy check failed on a reply in conversation %s", conv.id)
        return {"error": "the empathy check failed"}


def _empathy_before(rt: Runtime, actor: Actor, body: str, *, conversation_id: int | None = None,
                    reply_id: int | None = None) -> dict:
    """The empathy report, computed before the write transaction (it can take a moment, and a write
    transaction holds the database's write lock)."""
    with rt.db.sessions() as s:
        if conversation_id is None and reply_id is not None:
            conversation_id = s.scalar(select(Reply.conversation_id).where(
                Reply.id == reply_id, Reply.workspace_id == actor.workspace_id))
        conv = s.scalar(select(Conversation).where(Conversation.id == conversation_id,
                                                   Conversation.workspace_id == actor.workspace_id)) \
            if conversation_id is not None else None
        return empathy_findings(s, conv, body.strip(), agent_id=actor.user_id) if conv is not None and body.strip() else {}


def _submit(tx: Tx, reply: Reply, conv: Conversation) -> None:
    """Draft (or rejected, or edited after failing) → pending_approval or approved, by the rule."""
    ws = tx.session.get(Workspace, tx.actor.workspace_id)
    author_role = tx.actor.role if reply.author_user_id == tx.actor.user_id else _role_of(tx, reply.author_user_id)
    reason = rules.approval_reason(conv.source, ws, author_role)
    if reason is None:
        reply.status = S.approved.value
        _event(tx, reply, "submitted", note="no approval needed")
        return
    reply.status = S.pending_approval.value
    reply.reviewer_user_id, reply.reviewed_at = None, None
    _event(tx, reply, "submitted", note=rules.REASONS[reason])
    reviewers = [u for u in rules.reviewer_ids(tx.session, tx.actor.workspace_id) if u != reply.author_user_id]
    notify(tx, reviewers, "approval_requested",
           f"{tx.actor.name} asks for approval of a reply on “{_title(conv)}”", f"/approvals#reply-{reply.id}")


def _role_of(tx: Tx, user_id: int | None) -> Role:
    user = tx.session.get(User, user_id) if user_id else None
    return user.role_enum if user else Role.moderator


def _require_author_or(tx: Tx, reply: Reply, role: Role, what: str) -> None:
    if reply.author_user_id != tx.actor.user_id and not tx.actor.role.at_least(role):
        raise Forbidden(f"only the author or a {role.value} can {what} this reply")


def _enqueue(rt: Runtime, reply: Reply, jobs) -> None:
    if reply.status == S.approved.value:
        queue_send(rt, reply.id, jobs)


# ------------------------------------------------------------------------------------------------ actions


def do_create_reply(rt: Runtime, actor: Actor, conversation_id: int, body: str, *, in_reply_to_id: int | None = None,
                    saved_reply_id: int | None = None, submit: bool = True, idempotency_key: str | None = None,
                    jobs=None) -> Reply:
    """Compose a reply on a conversation; with ``submit`` it goes for approval or straight to sending.

    ``idempotency_key`` (the composer sends one per page load) makes a repeated submission — a double click,
    a browser re-POST — return the reply already made instead of making a second one."""
    actor.require(Role.moderator)
    key = (idempotency_key or "").strip()[:64] or secrets.token_hex(16)
    empathy = _empathy_before(rt, actor, body, conversation_id=conversation_id)
    with transaction(rt, actor) as tx:
        same = tx.session.scalar(select(Reply).where(Reply.idempotency_key == key))
        if same is not None:
            if same.workspace_id != actor.workspace_id or same.author_user_id != actor.user_id \
                    or same.conversation_id != conversation_id:
                raise ActionError("idempotency_key: already used for another reply", field="idempotency_key")
            return same
        conv = _conversation(tx, conversation_id)
        ok, why = rules.can_reply_through(conv.source)
        if not ok:
            raise ActionError(why)
        text = _body(body, conv.source.kind)
        if in_reply_to_id is not None and tx.session.scalar(select(Message.id).where(
                Message.id == in_reply_to_id, Message.conversation_id == conv.id)) is None:
            raise ActionError("in_reply_to_id: no such message in this conversation", field="in_reply_to_id")
        if saved_reply_id is not None:
            used = tx.session.execute(update(SavedReply).where(
                SavedReply.id == saved_reply_id, SavedReply.workspace_id == actor.workspace_id)
                .values(use_count=SavedReply.use_count + 1).execution_options(synchronize_session=False)).rowcount
            if not used:
                saved_reply_id = None  # deleted meanwhile: the text was inserted already, that is what counts
        reply = Reply(workspace_id=actor.workspace_id, conversation_id=conv.id, source_id=conv.source_id,
                      in_reply_to_id=in_reply_to_id, author_user_id=actor.user_id, body=text,
                      status=S.draft.value, idempotency_key=key, attempts=0, saved_reply_id=saved_reply_id,
                      empathy=empathy)
        tx.session.add(reply)
        tx.session.flush()
        _event(tx, reply, "created", body=text)
        if submit:
            _submit(tx, reply, conv)
        _done(tx, reply, "create", f"Reply on “{_title(conv)}”: {reply.status.replace('_', ' ')}",
              {"saved_reply_id": [None, saved_reply_id]} if saved_reply_id else None)
    _enqueue(rt, reply, jobs)
    return reply


def do_submit_reply(rt: Runtime, actor: Actor, reply_id: int, *, jobs=None) -> Reply:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        if reply.author_user_id != actor.user_id:
            raise Forbidden("only the author can submit this draft")
        if reply.status != S.draft.value:
            raise ActionError(f"this reply is {reply.status.replace('_', ' ')}, not a draft")
        conv = _conversation(tx, reply.conversation_id)
        _submit(tx, reply, conv)
        _done(tx, reply, "submit", f"Reply on “{_title(conv)}” submitted: {reply.status.replace('_', ' ')}")
    _enqueue(rt, reply, jobs)
    return reply


def do_edit_reply(rt: Runtime, actor: Actor, reply_id: int, body: str, *, jobs=None) -> Reply:
    """Change the text. The author may edit a draft, a reply waiting for approval, a failed or a rejected one
    (a rejected one is resubmitted; a failed one that needs approval goes back for approval); a reviewer may
    edit one waiting for approval. The history keeps the text before and after."""
    actor.require(Role.moderator)
    empathy = _empathy_before(rt, actor, body, reply_id=reply_id)
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        conv = _conversation(tx, reply.conversation_id)
        status = S(reply.status)
        is_author = reply.author_user_id == actor.user_id
        if not ((is_author and status in AUTHOR_EDITABLE) or (
                rules.is_reviewer(actor.role) and status in (S.pending_approval, S.failed))):
            if status not in AUTHOR_EDITABLE:
                raise ActionError(f"a reply that is {status.value.replace('_', ' ')} cannot be edited")
            raise Forbidden("only the author or a reviewer can edit this reply")
        text = _body(body, conv.source.kind)
        if text == reply.body:
            return reply
        old, reply.body, reply.empathy = reply.body, text, empathy
        _event(tx, reply, "edited", body=text, note=old)
        needs = rules.approval_reason(conv.source, tx.session.get(Workspace, actor.workspace_id),
                                      _role_of(tx, reply.author_user_id))
        if status == S.rejected or (status == S.failed and needs and not rules.may_approve(
                tx.session, actor.workspace_id, actor.user_id, actor.role, reply.author_user_id)[0]):
            _submit(tx, reply, conv)  # changed text after a rejection or a failure: a reviewer looks again
        _done(tx, reply, "edit", f"Edited a reply on “{_title(conv)}”", {"body": [old, text]})
    _enqueue(rt, reply, jobs)
    return reply


def do_approve_reply(rt: Runtime, actor: Actor, reply_id: int, *, body: str | None = None, note: str | None = None,
                     jobs=None) -> Reply:
    """Approve a reply waiting for approval, optionally editing it first (both kept in the history)."""
    actor.require(Role.manager)
    empathy = _empathy_before(rt, actor, body, reply_id=reply_id) if body is not None else None
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        if reply.status != S.pending_approval.value:
            raise ActionError(f"this reply is {reply.status.replace('_', ' ')}, not waiting for approval")
        allowed, self_approval = rules.may_approve(tx.session, actor.workspace_id, actor.user_id, actor.role,
                                                   reply.author_user_id)
        if not allowed:
            raise Forbidden("a reply is approved by someone other than its author")
        conv = _conversation(tx, reply.conversation_id)
        changes: dict = {}
        if body is not None and (text := _body(body, conv.source.kind)) != reply.body:
            changes["body"] = [reply.body, text]
            _event(tx, reply, "edited", body=text, note=reply.body)
            reply.body, reply.empathy = text, empathy or {}
        note = (note or "").strip()[:1000] or None
        reply.status, reply.reviewer_user_id, reply.reviewed_at = S.approved.value, actor.user_id, utcnow()
        reply.review_note = note
        _event(tx, reply, "approved", note=" · ".join(filter(None, [
            "self-approved: no other reviewer in the workspace" if self_approval else None, note])) or None)
        notify(tx, [reply.author_user_id], "approval",
               f"{actor.name} approved your reply on “{_title(conv)}”" + (" after editing it" if changes else ""),
               f"/conversations/{conv.id}#reply-{reply.id}")
        _done(tx, reply, "approve", f"Approved a reply on “{_title(conv)}”" + (" with edits" if changes else ""),
              changes)
    _enqueue(rt, reply, jobs)
    return reply


def do_reject_reply(rt: Runtime, actor: Actor, reply_id: int, reason: str) -> Reply:
    actor.require(Role.manager)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("reason: say why, so the author can fix it", field="reason")
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        if reply.status != S.pending_approval.value:
            raise ActionError(f"this reply is {reply.status.replace('_', ' ')}, not waiting for approval")
        if reply.author_user_id == actor.user_id:
            raise Forbidden("withdraw your own reply with Cancel instead")
        conv = _conversation(tx, reply.conversation_id)
        reply.status, reply.reviewer_user_id, reply.reviewed_at = S.rejected.value, actor.user_id, utcnow()
        reply.review_note = reason[:1000]
        _event(tx, reply, "rejected", note=reply.review_note)
        notify(tx, [reply.author_user_id], "approval",
               f"{actor.name} rejected your reply on “{_title(conv)}”: {reply.review_note}",
               f"/conversations/{conv.id}#reply-{reply.id}")
        _done(tx, reply, "reject", f"Rejected a reply on “{_title(conv)}”: {reply.review_note}")
    return reply


def do_retry_reply(rt: Runtime, actor: Actor, reply_id: int, *, jobs=None) -> Reply:
    """Send a failed reply again (its text was approved already, if it needed approval)."""
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        if reply.status != S.failed.value:
            raise ActionError(f"only a failed reply can be retried; this one is {reply.status.replace('_', ' ')}")
        conv = _conversation(tx, reply.conversation_id)
        reply.status = S.approved.value
        _event(tx, reply, "retried", note=reply.last_error)
        _done(tx, reply, "retry", f"Retried a reply on “{_title(conv)}”")
    _enqueue(rt, reply, jobs)
    return reply


def do_cancel_reply(rt: Runtime, actor: Actor, reply_id: int, note: str | None = None) -> Reply:
    actor.require(Role.moderator)
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        _require_author_or(tx, reply, Role.manager, "cancel")
        if S(reply.status) not in CANCELLABLE:
            raise ActionError({S.sending.value: "this reply is being sent and can no longer be cancelled",
                               S.sent.value: "this reply was sent already"}.get(reply.status,
                                                                               "this reply was cancelled already"))
        conv = _conversation(tx, reply.conversation_id)
        reply.status = S.cancelled.value
        _event(tx, reply, "cancelled", note=(note or "").strip()[:1000] or None)
        _done(tx, reply, "cancel", f"Cancelled a reply on “{_title(conv)}”")
    return reply


def do_settle_reply(rt: Runtime, actor: Actor, reply_id: int, outcome: str, *, url: str | None = None,
                    jobs=None) -> Reply:
    """A person decides a send whose outcome is unknown: ``sent`` (seen on the platform; optional link) or
    ``resend`` (not there: send it again)."""
    actor.require(Role.moderator)
    if outcome not in ("sent", "resend"):
        raise ActionError("outcome: must be sent or resend", field="outcome")
    url = (url or "").strip() or None
    if url and not url.startswith(("https://", "http://")):
        raise ActionError("url: must be an http(s) link to the message on the platform", field="url")
    with transaction(rt, actor) as tx:
        reply = _reply(tx, reply_id)
        _require_author_or(tx, reply, Role.manager, "settle")
        if reply.status != S.sending.value or not is_unknown(reply):
            raise ActionError("only a reply whose send is unknown can be settled")
        conv = _conversation(tx, reply.conversation_id)
        if outcome == "sent":
            reply.status, reply.sent_at, reply.url = S.sent.value, reply.last_attempt_at or utcnow(), url or reply.url
            _event(tx, reply, "marked_sent", note="seen on the platform by a teammate")
        else:
            reply.status = S.approved.value
            _event(tx, reply, "resent", note="not on the platform: sending again")
        reply.last_error = None
        _done(tx, reply, "settle", f"Reply on “{_title(conv)}”: {'marked sent' if outcome == 'sent' else 'resent'}")
    _enqueue(rt, reply, jobs)
    return reply
