"""Sending a reply through its source's connector, exactly once.

``replies.send(reply_id)`` (a Huey job; only the id crosses the queue):

1. **Claim**: one conditional ``UPDATE replies SET status='sending' … WHERE id=:id AND status='approved'``.
   Two workers, a re-delivered job or a second click find nothing to claim and stop.
2. **Call the platform**, outside any transaction: ``connector.reply(thread_id=<the conversation's platform
   thread>, parent_id=<the platform id of the message answered: the one chosen, else the latest inbound>,
   text)``; for a direct-message conversation whose connector cannot answer in-thread, ``send_direct`` to the
   member. Demo sources (no account behind them) record the reply in Kapwa only.
3. **Record**, in one transaction: the reply ``sent`` with its platform id and link, the outbound message in
   the conversation (unique per source + platform id: when the next sync fetches it, the ingest upsert finds
   it and does not add a second one; if a sync got there first, that row is adopted), the conversation's
   first response / last outbound time. On a connector error: ``failed`` with the platform's refusal in plain
   words, and the author is notified.

If the process dies between 2 and 3 the reply stays ``sending``. It is never re-sent by itself: after
:data:`STUCK_AFTER` (or at once when the platform did not answer in time) it shows as "unknown — check the
platform" and a person settles it (``do_settle_reply``). ``replies.sweep`` (every minute) first tries to settle
it from synced data, and sends approved replies whose job was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from kapwa.connectors.base import AuthError, ConnectorError, NotSupported, RateLimited, Sent
from kapwa.connectors.registry import build_connector
from kapwa.core.actions import Actor, transaction
from kapwa.core.jobs import job
from kapwa.core.models import (
    Conversation,
    Identity,
    Message,
    Reply,
    ReplyEvent,
    ReplyStatus,
    Source,
    utcnow,
)
from kapwa.core.runtime import Runtime

log = logging.getLogger("kapwa.inbox.replies")

STUCK_AFTER = dt.timedelta(minutes=5)  # longer than any connector's own timeout
LOST_JOB_AFTER = dt.timedelta(seconds=45)
# Words connectors use when the platform did not answer in time: the message may have been posted anyway.
_AMBIGUOUS = ("did not answer in time", "no answer within", "timed out", "timeout")
_TRY_AGAIN = re.compile(r"[;,]? ?Kapwa will try again later\.?", re.IGNORECASE)


def is_unknown(reply: Reply, now: dt.datetime | None = None) -> bool:
    """A send whose outcome Kapwa does not know: claimed, but not recorded as sent or failed in time (or the
    platform did not answer in time)."""
    if reply.status != ReplyStatus.sending.value:
        return False
    if reply.last_error:
        return True
    return reply.last_attempt_at is None or reply.last_attempt_at < (now or utcnow()) - STUCK_AFTER


def queue_send(rt: Runtime, reply_id: int, jobs=None) -> None:
    """Put the send job on the queue (after the approving transaction committed). If the queue is down the
    reply stays approved and ``replies.sweep`` sends it within a minute or two."""
    try:
        if jobs is None:
            from kapwa.core.jobs import JobQueue

            jobs = JobQueue(rt)
        jobs.enqueue("replies.send", reply_id=reply_id)
    except Exception:
        log.exception("could not queue reply %s; the sweep will send it", reply_id)


@dataclass
class _Claimed:
    reply_id: int
    workspace_id: int
    conversation_id: int
    author_user_id: int | None
    key: str
    body: str
    source: Source
    thread_id: str | None
    parent_message_id: int | None
    parent_platform_id: str | None
    is_direct: bool
    member_platform_user_id: str | None
    title: str


def _claim(rt: Runtime, reply_id: int) -> _Claimed | None:
    now = utcnow()
    with rt.db.write_sessions() as s, s.begin():
        claimed = s.execute(
            update(Reply).where(Reply.id == reply_id, Reply.status == ReplyStatus.approved.value)
            .values(status=ReplyStatus.sending.value, last_attempt_at=now, attempts=Reply.attempts + 1,
                    last_error=None)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            return None
        reply = s.get(Reply, reply_id)
        conv = s.get(Conversation, reply.conversation_id)
        parent = s.get(Message, reply.in_reply_to_id) if reply.in_reply_to_id else s.scalar(
            select(Message).where(Message.conversation_id == conv.id, Message.direction == "inbound",
                                  Message.deleted_at.is_(None))
            .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))
        if parent is not None and reply.in_reply_to_id is None:
            reply.in_reply_to_id = parent.id
        member_uid = None
        if conv.is_direct and parent is not None and parent.author_identity_id:
            member_uid = s.scalar(select(Identity.platform_user_id).where(Identity.id == parent.author_identity_id))
        source = s.get(Source, reply.source_id)
        return _Claimed(reply.id, reply.workspace_id, conv.id, reply.author_user_id, reply.idempotency_key,
                        reply.body, source, conv.platform_thread_id, parent.id if parent else None,
                        parent.platform_message_id if parent else None, conv.is_direct, member_uid,
                        conv.title or f"conversation {conv.id}")


def _call(rt: Runtime, c: _Claimed, connector=None) -> Sent:
    if (c.source.config or {}).get("demo"):
        return Sent(f"kapwa-demo:{c.key}", None, utcnow(), raw={"demo": True})
    own = connector is None
    conn = connector or build_connector(rt, c.source)
    try:
        try:
            return conn.reply(c.thread_id, c.parent_platform_id, c.body)
        except NotSupported:
            if c.is_direct and c.member_platform_user_id:
                return conn.send_direct(c.member_platform_user_id, c.body)
            raise
    finally:
        if own:
            try:
                conn.close()
            except Exception:
                log.warning("closing the %s connector failed", c.source.kind, exc_info=True)


def explain(exc: BaseException, platform: str) -> str:
    """The platform's refusal in plain words, for the reply card and the author's notification."""
    if not isinstance(exc, ConnectorError):
        return f"{platform}: unexpected error: {type(exc).__name__}: {exc}"[:500]
    words = _TRY_AGAIN.sub("", exc.message).strip().rstrip(";,")
    hint = ""
    if isinstance(exc, AuthError):
        hint = " Check the source's account and its permissions on the Sources page."
    elif isinstance(exc, RateLimited):
        hint = " Wait a moment, then retry."
    return f"{platform} did not take the reply: {words}{'' if words.endswith('.') else '.'}{hint}"[:1000]


def send_reply(rt: Runtime, reply_id: int, *, connector=None, analyze: bool = True) -> str:
    """Claim, send and record one reply. Returns the outcome: sent, failed, unknown or skipped (nothing to
    claim). ``connector`` replaces the one built from the source (tests)."""
    claimed = _claim(rt, reply_id)
    if claimed is None:
        return "skipped"
    from kapwa.inbox.replies.rules import platform_label

    label = platform_label(claimed.source.kind)
    try:
        sent = _call(rt, claimed, connector)
    except Exception as exc:
        if not isinstance(exc, ConnectorError):
            log.exception("sending reply %s through %s failed", reply_id, claimed.source.kind)
        message = explain(exc, label)
        if isinstance(exc, ConnectorError) and any(w in exc.message.lower() for w in _AMBIGUOUS):
            _record_unknown(rt, claimed, message)
            return "unknown"
        _record_failed(rt, claimed, message)
        return "failed"
    try:
        message_id, new = _record_sent(rt, claimed, sent)
    except Exception:
        log.exception("reply %s was sent as %s but could not be recorded; it stays 'sending' for a person to "
                      "settle", reply_id, sent.platform_message_id)
        return "unknown"
    _after_sent(rt, claimed.conversation_id, message_id, new, analyze)
    return "sent"


def _actor(c: _Claimed) -> Actor:
    return Actor.system(c.workspace_id)


def _record_sent(rt: Runtime, c: _Claimed, sent: Sent) -> tuple[int, bool]:
    for attempt in range(3):
        try:
            with transaction(rt, _actor(c)) as tx:
                s = tx.session
                reply, conv = s.get(Reply, c.reply_id), s.get(Conversation, c.conversation_id)
                now = utcnow()
                at = sent.created_at or now
                msg = s.scalar(select(Message).where(Message.source_id == c.source.id,
                                                     Message.platform_message_id == sent.platform_message_id))
                new = msg is None
                if new:
                    msg = Message(workspace_id=c.workspace_id, source_id=c.source.id, conversation_id=conv.id,
                                  platform_message_id=sent.platform_message_id,
                                  kind="direct" if conv.is_direct else "reply", direction="outbound",
                                  sent_by_user_id=c.author_user_id, parent_id=c.parent_message_id, text=c.body,
                                  url=sent.url, created_at=at, ingested_at=now, raw={"kapwa_reply_id": c.reply_id},
                                  analysis_versions={})
                    s.add(msg)
                    s.flush()
                    conv.message_count = (conv.message_count or 0) + 1
                    conv.last_message_at = max(filter(None, [conv.last_message_at, at]))
                    conv.first_message_at = conv.first_message_at or at
                else:  # a sync fetched it before this commit: the same message, now known to be ours
                    msg.sent_by_user_id = msg.sent_by_user_id or c.author_user_id
                    at = msg.created_at
                conv.last_outbound_at = max(filter(None, [conv.last_outbound_at, at]))
                if conv.first_response_at is None and conv.first_message_at and at >= conv.first_message_at:
                    conv.first_response_at = at
                conv.needs_answer = False
                if conv.status == "new":
                    conv.status = "open"
                reply.status, reply.sent_at, reply.message_id = ReplyStatus.sent.value, at, msg.id
                reply.platform_message_id, reply.url, reply.last_error = sent.platform_message_id, sent.url, None
                demo = bool((sent.raw or {}).get("demo"))
                s.add(ReplyEvent(reply_id=reply.id, action="sent", note=(
                    "demo source: recorded in Kapwa, not sent to a platform" if demo else sent.url)))
                tx.audit("reply.sent", reply, f"Reply sent on “{c.title[:60]}”",
                         {"platform_message_id": [None, sent.platform_message_id]})
                tx.emit("reply.updated", {"id": reply.id, "conversation_id": conv.id, "status": reply.status,
                                          "message_id": msg.id})
                tx.emit("conversation.updated", {"id": conv.id, "changes": ["replied"]})
                if new:
                    tx.emit("messages.ingested", {"source_id": c.source.id, "ids": [msg.id], "count": 1,
                                                  "conversation_ids": [conv.id], "outbound": True})
                return msg.id, new
        except IntegrityError:
            # PostgreSQL: a sync inserted the same platform message at the same moment; adopt it next time.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _after_sent(rt: Runtime, conversation_id: int, message_id: int, new: bool, analyze: bool) -> None:
    """Analyse the outbound message and bring the conversation's inbox state (signals, service level,
    priority) up to date, as ingest does for every message."""
    try:
        if new and analyze:
            from kapwa.ingest.analysis_hook import run_analysis

            run_analysis(rt, [message_id])
        else:
            from kapwa.inbox.desk import update_conversations

            update_conversations(rt, [conversation_id])
    except Exception:
        log.exception("updating conversation %s after a sent reply failed", conversation_id)


def _record_failed(rt: Runtime, c: _Claimed, message: str) -> None:
    from kapwa.team.notifications import notify

    with transaction(rt, _actor(c)) as tx:
        reply = tx.session.get(Reply, c.reply_id)
        reply.status, reply.last_error = ReplyStatus.failed.value, message
        tx.session.add(ReplyEvent(reply_id=reply.id, action="failed", note=message))
        notify(tx, [c.author_user_id] if c.author_user_id else [], "reply_failed",
               f"Your reply on “{c.title[:60]}” was not sent: {message}",
               f"/conversations/{c.conversation_id}#reply-{c.reply_id}")
        tx.audit("reply.failed", reply, f"Reply on “{c.title[:60]}” not sent: {message}")
        tx.emit("reply.updated", {"id": reply.id, "conversation_id": c.conversation_id, "status": reply.status})


def _record_unknown(rt: Runtime, c: _Claimed, message: str) -> None:
    note = message + " It may have been posted anyway: check the platform before sending it again."
    with transaction(rt, _actor(c)) as tx:
        reply = tx.session.get(Reply, c.reply_id)
        reply.last_error = note[:1000]
        tx.session.add(ReplyEvent(reply_id=reply.id, action="unknown", note=reply.last_error))
        tx.audit("reply.unknown", reply, f"Reply on “{c.title[:60]}”: outcome unknown")
        tx.emit("reply.updated", {"id": reply.id, "conversation_id": c.conversation_id, "status": reply.status})


# --------------------------------------------------------------------------------------------------- jobs


@job("replies.send")
def send_job(rt: Runtime, reply_id: int) -> str:
    return send_reply(rt, reply_id)


@job("replies.sweep")
def sweep(rt: Runtime) -> dict:
    """Every minute: settle unknown sends from synced data, and send approved replies whose job was lost."""
    return {"settled": reconcile(rt), "sent": resend_lost(rt)}


def resend_lost(rt: Runtime, now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - LOST_JOB_AFTER
    last_event = select(func.max(ReplyEvent.created_at)).where(ReplyEvent.reply_id == Reply.id).scalar_subquery()
    with rt.db.sessions() as s:
        ids = list(s.scalars(select(Reply.id).where(Reply.status == ReplyStatus.approved.value,
                                                    last_event < cutoff).order_by(Reply.id).limit(50)))
    return sum(send_reply(rt, rid) == "sent" for rid in ids)


def reconcile(rt: Runtime, now: dt.datetime | None = None) -> int:
    """A reply stuck in ``sending`` whose message a sync has since brought in (an outbound message in the same
    conversation, with the same text, written from the attempt on, not linked to another reply) is sent."""
    now = now or utcnow()
    with rt.db.sessions() as s:
        stuck = [r for r in s.scalars(select(Reply).where(Reply.status == ReplyStatus.sending.value).limit(200))
                 if is_unknown(r, now) or (r.last_attempt_at and r.last_attempt_at < now - dt.timedelta(minutes=1))]
    settled = 0
    for r in stuck:
        since = (r.last_attempt_at or r.created_at) - dt.timedelta(minutes=2)
        linked = select(Reply.message_id).where(Reply.message_id.is_not(None))
        with transaction(rt, Actor.system(r.workspace_id)) as tx:
            reply = tx.session.get(Reply, r.id)
            if reply.status != ReplyStatus.sending.value:
                continue
            msg = tx.session.scalar(select(Message).where(
                Message.conversation_id == reply.conversation_id, Message.direction == "outbound",
                Message.text == reply.body, Message.created_at >= since, Message.id.not_in(linked))
                .order_by(Message.created_at).limit(1))
            if msg is None:
                continue
            msg.sent_by_user_id = msg.sent_by_user_id or reply.author_user_id
            reply.status, reply.sent_at, reply.message_id = ReplyStatus.sent.value, msg.created_at, msg.id
            reply.platform_message_id, reply.url, reply.last_error = msg.platform_message_id, msg.url, None
            tx.session.add(ReplyEvent(reply_id=reply.id, action="reconciled",
                                      note="found on the platform by the last sync"))
            tx.audit("reply.reconciled", reply, "Reply found on the platform after an unknown send")
            tx.emit("reply.updated", {"id": reply.id, "conversation_id": reply.conversation_id,
                                      "status": reply.status})
            settled += 1
    return settled
