"""Inbox priority: a points model a manager can read, not a black box.

Each conversation that needs attention (status new, open or pending) gets points for what makes it urgent;
the score is their sum and the reasons are stored with it (``priority_reasons``:
``[["negative", 30], ["waiting 5 h", 10], ["VIP member", 20], ["question", 15]]``), so the inbox shows
"negative · waiting 5 h · VIP member · question" and, on hover, the points. Resolved and spam conversations
score 0 with no reasons: they are not work.

The rules (documented for managers in docs/inbox.md; keep the two in step):

======================  ======  ==========================================================================
reason                  points  when
======================  ======  ==========================================================================
negative                +30     the member's latest analysed message is negative
toxic                   +15     any of the members' messages scored toxic (>= 0.5)
waiting N h             +2/h    the member waits for the team (needs an answer): hours since their message
                                (since the conversation started when the team never replied), up to +40
VIP member              +20     the member who started it is marked VIP
question / needs answer +15     the member waits for an answer ("question" when the intent is one)
complaint / bug report  +10     the latest message is a complaint or a bug report
SLA breached            +25     the first-response target has passed with no response yet (not while pending)
SLA due soon            +10     the first response is due within the hour
direct message          +10     a private message to the community's account
marked urgent / high    +40/+20 a teammate set the priority by hand; "marked low" is −10
pending                 −30     the team is waiting for the member (status pending)
======================  ======  ==========================================================================

``rescore(s, ids, now)`` runs in the desk hook after every ingest batch, after each status / priority /
assignment change, and every 10 minutes for all open work (``inbox.rescore_open``), because waiting grows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kapwa.core.i18n import gettext
from kapwa.core.i18n_terms import N_
from kapwa.core.models import Conversation, Member, utcnow
from kapwa.core.models.analysis import TOXIC_AT

log = logging.getLogger("kapwa.inbox")

ATTENTION = ("new", "open", "pending")
NEGATIVE = 30
TOXIC = 15
WAIT_PER_HOUR = 2
WAIT_CAP = 40
VIP = 20
NEEDS_ANSWER = 15
COMPLAINT = 10
SLA_BREACHED = 25
SLA_DUE_SOON = 10
SLA_SOON = dt.timedelta(hours=1)
DIRECT = 10
MANUAL = {"urgent": 40, "high": 20, "low": -10}
PENDING = -30

# Fixed reason labels, marked for translation (the waiting time is built from "waiting %(n)s h" etc.).
LABELS = [N_("negative"), N_("toxic"), N_("VIP member"), N_("question"), N_("needs answer"), N_("complaint"),
          N_("bug report"), N_("SLA breached"), N_("SLA due soon"), N_("direct message"), N_("marked urgent"),
          N_("marked high"), N_("marked low"), N_("pending")]
_WAITING = re.compile(r"^waiting (\d+) (min|h|d)$")
_WAITING_LABELS = {"min": N_("waiting %(n)s min"), "h": N_("waiting %(n)s h"), "d": N_("waiting %(n)s d")}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def waiting_since(c) -> dt.datetime | None:
    """Since when the member has been waiting for the team, or None when they are not."""
    if c.status not in ATTENTION or c.status == "pending" or not c.needs_answer:
        return None
    last_in, last_out = _aware(c.last_inbound_at), _aware(c.last_outbound_at)
    if last_out is None:
        return _aware(c.first_message_at) or last_in
    if last_in is not None and last_in > last_out:
        return last_in
    return None


def waiting_label(seconds: float) -> str:
    """English, as stored: 'waiting 40 min', 'waiting 5 h', 'waiting 3 d'."""
    hours = int(seconds // 3600)
    if hours < 1:
        return f"waiting {max(1, int(seconds // 60))} min"
    if hours < 48:
        return f"waiting {hours} h"
    return f"waiting {hours // 24} d"


def score(c, is_vip: bool, now: dt.datetime) -> tuple[int, list[list]]:
    """(score, reasons) for one conversation-like row (needs the columns named below)."""
    if c.status not in ATTENTION:
        return 0, []
    reasons: list[list] = []
    if c.sentiment_label == "negative":
        reasons.append(["negative", NEGATIVE])
    if c.toxicity_score is not None and c.toxicity_score >= TOXIC_AT:
        reasons.append(["toxic", TOXIC])
    since = waiting_since(c)
    if since is not None and now > since:
        seconds = (now - since).total_seconds()
        points = min(WAIT_CAP, WAIT_PER_HOUR * int(seconds // 3600))
        if points > 0:
            reasons.append([waiting_label(seconds), points])
    if is_vip:
        reasons.append(["VIP member", VIP])
    if c.needs_answer:
        reasons.append(["question" if c.intent == "question" else "needs answer", NEEDS_ANSWER])
    if c.intent in ("complaint", "bug_report"):
        reasons.append(["complaint" if c.intent == "complaint" else "bug report", COMPLAINT])
    due = _aware(c.first_response_due_at)
    if due is not None and c.first_response_at is None and c.status != "pending":
        if now >= due:
            reasons.append(["SLA breached", SLA_BREACHED])
        elif due - now <= SLA_SOON:
            reasons.append(["SLA due soon", SLA_DUE_SOON])
    if c.is_direct:
        reasons.append(["direct message", DIRECT])
    if c.priority in MANUAL:
        reasons.append([f"marked {c.priority}", MANUAL[c.priority]])
    if c.status == "pending":
        reasons.append(["pending", PENDING])
    reasons.sort(key=lambda r: -r[1])
    return max(0, sum(p for _, p in reasons)), reasons


COLUMNS = ("status", "priority", "sentiment_label", "toxicity_score", "needs_answer", "intent", "is_direct",
           "first_message_at", "last_inbound_at", "last_outbound_at", "first_response_at", "first_response_due_at",
           "priority_score",
           "priority_reasons")


def rescore(s: Session, ids: list[int], now: dt.datetime | None = None) -> int:
    """Recompute priority_score and priority_reasons for these conversations; returns how many changed."""
    now = now or utcnow()
    ids = sorted(set(ids))
    changed = 0
    table = Conversation.__table__
    stmt = table.update().where(table.c.id == bindparam("_id")).values(
        priority_score=bindparam("_score"), priority_reasons=bindparam("_reasons", type_=table.c.priority_reasons.type))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        q = (
            select(Conversation.id, *[getattr(Conversation, f) for f in COLUMNS], Member.is_vip)
            .outerjoin(Member, Member.id == Conversation.started_by_member_id)
            .where(Conversation.id.in_(chunk))
        )
        params = []
        for row in s.execute(q):
            new_score, reasons = score(row, bool(row.is_vip), now)
            if new_score != row.priority_score or reasons != (row.priority_reasons or []):
                params.append({"_id": row.id, "_score": new_score, "_reasons": reasons})
        if params:
            s.execute(stmt, params)
        changed += len(params)
    return changed


def rescore_open(rt, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Rescore all open work (and anything closed that still has a score), in short write transactions."""
    now = now or utcnow()
    changed = 0
    for where in (Conversation.status.in_(ATTENTION),
                  (Conversation.status.not_in(ATTENTION)) & (Conversation.priority_score != 0)):
        last_id = 0
        while True:
            with rt.db.sessions() as s:
                ids = list(s.scalars(select(Conversation.id).where(where, Conversation.id > last_id)
                                     .order_by(Conversation.id).limit(batch)))
            if not ids:
                break
            last_id = ids[-1]
            with rt.db.write_sessions() as s, s.begin():
                changed += rescore(s, ids, now)
    log.info("rescored open work: %d conversations changed", changed)
    return changed


def reason_label(text: str) -> str:
    """A stored reason in the viewer's language."""
    m = _WAITING.match(text or "")
    if m:
        return gettext(_WAITING_LABELS[m.group(2)], n=m.group(1))
    return gettext(text)


def reasons_summary(reasons: list) -> str:
    """'negative +30, waiting 5 h +10, … = 55 points' — the tooltip on the chips."""
    if not reasons:
        return gettext("No priority points")
    parts = [f"{reason_label(label)} {points:+d}" for label, points in reasons]
    total = max(0, sum(p for _, p in reasons))
    return ", ".join(parts) + " = " + gettext("%(n)s points", n=total)
