"""Teammate notifications: @mentions in notes, assignments, approvals, failed sends, service-level warnings.

Other areas call two functions, both inside their own action's transaction:

    ids = mentioned_user_ids(tx.session, actor.workspace_id, note.body)
    notify(tx, ids, "mention", f"{actor.name} mentioned you on {title}", f"/conversations/{conv.id}#notes")

``notify`` never notifies the actor themself, inactive teammates or users of another workspace, and emits one
``notification.created`` live event per notified user after the transaction commits.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kapwa.core.actions import Actor, Tx, transaction
from kapwa.core.i18n import gettext
from kapwa.core.models import Notification, User, utcnow
from kapwa.core.runtime import Runtime

log = logging.getLogger("kapwa.team.notifications")


def N_(message: str) -> str:  # marks a string for extraction; translated when shown
    return message


# The kinds Kapwa sends, with the label the notifications page shows. Other kinds are allowed (max 30 chars).
KINDS = {
    "mention": N_("Mention"),
    "assigned": N_("Assigned to you"),
    "task": N_("Task"),
    "approval_requested": N_("Approval requested"),
    "approval": N_("Approval"),
    "reply_failed": N_("Reply failed"),
    "sla": N_("Service level"),
    "sla_breached": N_("Service level breached"),
    "sla_due_soon": N_("Service level due soon"),
}


def kind_label(kind: str) -> str:
    return gettext(KINDS[kind]) if kind in KINDS else kind.replace("_", " ")


# ---------------------------------------------------------------------------------------------- @mentions

_URLISH = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
# "@" not glued to a word, dot, slash, colon… before it (so not inside "ana@example.org" or "site/@ana"),
# then a greedy token (possessive, so it cannot back off) not followed by "@" (a fediverse "@ana@host").
_MENTION = re.compile(r"(?<![\w.@/:+\-=#&%~])@([^\W_][\w.+\-']*+)(?!@)")
_TRAILING = ".-+'"


def _fold(value: str) -> str:
    """Case- and accent-insensitive key: 'José' → 'jose'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keys(user: User) -> tuple[set[str], set[str]]:
    """(exact keys, first-name keys) a teammate answers to: first.last, all.name.parts, e-mail local part;
    first name."""
    words = [_fold(w) for w in re.findall(r"[^\W_][\w'-]*", user.name or "")]
    exact: set[str] = set()
    first: set[str] = set()
    local = _fold((user.email or "").split("@", 1)[0])
    if local:
        exact.add(local)
    if words:
        first.add(words[0])
        if len(words) > 1:
            exact.add(f"{words[0]}.{words[-1]}")
            exact.add(".".join(words))
    return exact, first


def mention_tokens(body: str) -> list[str]:
    """The @tokens in a text, folded, in order, outside URLs and e-mail addresses."""
    text = _URLISH.sub(" ", body or "")
    out: list[str] = []
    for m in _MENTION.finditer(text):
        token = _fold(m.group(1)).rstrip(_TRAILING)
        if token.endswith("'s"):
            token = token[:-2]
        if token and token not in out:
            out.append(token)
    return out


def mentioned_user_ids(session: Session, workspace_id: int, body: str) -> list[int]:
    """Active teammates of the workspace @mentioned in ``body``, in order of first mention.

    A token matches a teammate by ``@first.last`` (or every part of the name joined with dots), the local part
    of their e-mail address (``@maria.santos`` for maria.santos@…), or their first name (``@Maria``);
    case- and accent-insensitive. Exact matches win over first names; a first name two teammates share
    notifies both (a dropped mention is worse than one too many). ``@maria.please`` falls back to
    ``@maria``. Tokens inside URLs and e-mail addresses are ignored."""
    tokens = mention_tokens(body)
    if not tokens:
        return []
    users = session.execute(
        select(User.id, User.name, User.email).where(User.workspace_id == workspace_id, User.is_active.is_(True))
    ).all()
    exact: dict[str, list[int]] = {}
    first: dict[str, list[int]] = {}
    for row in users:
        ex, fi = _keys(row)
        for k in ex:
            exact.setdefault(k, []).append(row.id)
        for k in fi:
            first.setdefault(k, []).append(row.id)
    found: list[int] = []
    for token in tokens:
        ids = exact.get(token) or first.get(token)
        if not ids and "." in token:
            head = token.split(".", 1)[0]
            ids = exact.get(head) or first.get(head)
        for uid in ids or []:
            if uid not in found:
                found.append(uid)
    return found


def mention_choices(users) -> list[dict]:
    """For a composer's @-autocomplete: ``[{"handle": "maria.santos", "name": "Maria Santos"}, …]`` with, per
    active teammate, the shortest handle that ``mentioned_user_ids`` resolves to that teammate alone."""
    users = [u for u in users if getattr(u, "is_active", True)]
    keys = {u.id: _keys(u) for u in users}
    owners: dict[str, set[int]] = {}
    for uid, (exact, first) in keys.items():
        for k in exact | first:
            owners.setdefault(k, set()).add(uid)
    out = []
    for u in users:
        exact, first = keys[u.id]
        local = _fold((u.email or "").split("@", 1)[0])
        # Readable first: the first name, then first.last, then the e-mail's local part.
        candidates = sorted(first) + sorted(exact - {local}, key=len) + [local]
        handle = next((k for k in candidates if owners.get(k) == {u.id} and re.fullmatch(r"[^\W_][\w.+\-']*", k)),
                      None)
        if handle:
            out.append({"handle": handle, "name": u.name})
    return out


# ---------------------------------------------------------------------------------------------- notify


def safe_url(url: str | None) -> str | None:
    """Only links inside Kapwa: a path starting with one slash."""
    if not url:
        return None
    url = url.strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 500:
        log.warning("notification link dropped (not a local path): %r", url[:100])
        return None
    return url


def notify(tx: Tx, user_ids: list[int], kind: str, text: str, url: str | None = None) -> int:
    """Create one notification per teammate in ``user_ids`` (deduplicated), inside the caller's transaction.

    Skips the actor themself, inactive users and users of another workspace. Emits ``notification.created``
    (``{"id", "user_id", "kind", "text", "url"}``) per notification after commit. Returns how many were made."""
    wanted = [u for u in dict.fromkeys(int(u) for u in user_ids if u is not None) if u != tx.actor.user_id]
    if not wanted:
        return 0
    valid = set(tx.session.scalars(select(User.id).where(
        User.id.in_(wanted), User.workspace_id == tx.actor.workspace_id, User.is_active.is_(True))))
    kind = (kind or "other").strip()[:30]
    text = " ".join((text or "").split())
    text = text if len(text) <= 500 else text[:499] + "…"
    url = safe_url(url)
    rows = [Notification(workspace_id=tx.actor.workspace_id, user_id=uid, actor_user_id=tx.actor.user_id,
                         kind=kind, text=text, url=url) for uid in wanted if uid in valid]
    if not rows:
        return 0
    tx.session.add_all(rows)
    tx.session.flush()
    for n in rows:
        tx.emit("notification.created", {"id": n.id, "user_id": n.user_id, "kind": kind, "text": text, "url": url})
    return len(rows)


# ---------------------------------------------------------------------------------------------- queries


def unread_count(s: Session, user_id: int) -> int:
    """Cheap: counted on ix_notifications_user_read."""
    return s.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def notifications_for(s: Session, user_id: int, *, unread_only: bool = False, page: int = 1,
                      per_page: int = 50) -> tuple[list[Notification], int]:
    """A user's notifications, unread first, newest first within each; and how many there are."""
    q = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(Notification.read_at.is_not(None), Notification.id.desc())
                     .offset((max(page, 1) - 1) * per_page).limit(per_page))
    return list(rows), total


def notification(s: Session, user_id: int, notification_id: int) -> Notification | None:
    return s.scalar(select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id))


# ---------------------------------------------------------------------------------------------- actions


def do_mark_read(rt: Runtime, actor: Actor, ids: list[int] | None = None, *, all: bool = False,
                 unread: bool = False) -> int:
    """Mark the actor's own notifications read (``ids``, or ``all``); ``unread=True`` marks them unread again.
    Other users' ids are ignored. Returns how many changed."""
    if not all and not ids:
        return 0
    with transaction(rt, actor) as tx:
        stmt = update(Notification).where(Notification.user_id == actor.user_id)
        if not all:
            stmt = stmt.where(Notification.id.in_([int(i) for i in ids]))
        if unread:
            stmt = stmt.where(Notification.read_at.is_not(None)).values(read_at=None)
        else:
            stmt = stmt.where(Notification.read_at.is_(None)).values(read_at=utcnow())
        n = tx.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0
        if n:
            tx.emit("notification.read", {"user_id": actor.user_id, "count": n, "unread": unread})
    return n
