"""Load the demo community — "Bayani Pay", a Filipino e-wallet — into a Kapwa database.

    summary = load_demo(rt, seed=2026)

Everything is written in one transaction with one audit entry; the same ``seed`` and ``now`` give the
same community. The database must not hold messages yet: an empty database, or one where ``kapwa init``
created the workspace and its owner (the demo then joins that workspace and keeps its users).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.events import Event
from kapwa.core.models import AuditEntry, Message, User, Workspace
from kapwa.core.runtime import Runtime
from kapwa.core.security import hash_password
from kapwa.demo.plan import anchor, build_plan
from kapwa.demo.replies import write_desk_replies
from kapwa.demo.sla import write_sla_policies
from kapwa.demo.writer import write_plan

log = logging.getLogger("kapwa.demo")

DEMO_PASSWORD = "kapwa-demo-2026"
DEMO_OWNER_EMAIL = "demo@kapwa.local"
DEMO_WORKSPACE = ("Bayani Pay Community", "bayani-pay")
# key -> (email, name, role, UI language)
DEMO_USERS = {
    "owner": (DEMO_OWNER_EMAIL, "Ligaya Santos", "owner", "en"),
    "manager": ("paolo.reyes@kapwa.local", "Paolo Reyes", "manager", "en"),
    "moderator": ("bea.mendoza@kapwa.local", "Bea Mendoza", "moderator", "fil"),
    "analyst": ("carlo.villanueva@kapwa.local", "Carlo Villanueva", "analyst", "en"),
}

Progress = Callable[[str, int, int], None]


class DemoAlreadyLoaded(ActionError):
    """The database already holds a community with messages."""

    status_code = 409


@dataclass(frozen=True)
class DemoSummary:
    workspace_id: int
    users: int
    sources: int
    members: int
    identities: int
    conversations: int
    messages: int
    activities: int
    seconds: float


def _refuse_if_loaded(session: Session) -> None:
    row = session.execute(
        select(Workspace.name).join(Message, Message.workspace_id == Workspace.id).limit(1)
    ).first()
    if row is not None:
        raise DemoAlreadyLoaded(
            f"The workspace “{row[0]}” already has messages, so the demo community was not loaded. "
            "Load the demo into a new, empty database (for example with another KAPWA_DATA_DIR)."
        )


def _workspace(session: Session) -> Workspace:
    ws = session.scalars(select(Workspace).order_by(Workspace.id).limit(1)).first()
    if ws is None:
        name, slug = DEMO_WORKSPACE
        ws = Workspace(name=name, slug=slug, timezone="Asia/Manila", settings={})
        session.add(ws)
        session.flush()
    return ws


def _users(session: Session, workspace_id: int, created_at: dt.datetime) -> dict[str, int]:
    """The demo team; users that already exist (same e-mail) are kept as they are."""
    emails = [email for email, *_ in DEMO_USERS.values()]
    existing = {u.email: u.id for u in session.scalars(select(User).where(User.email.in_(emails)))}
    password_hash = None
    ids = {}
    for key, (email, name, role, locale) in DEMO_USERS.items():
        if email in existing:
            ids[key] = existing[email]
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)  # argon2 is slow: hash once
        user = User(workspace_id=workspace_id, email=email, name=name, password_hash=password_hash, role=role,
                    locale=locale, is_active=True, created_at=created_at)
        session.add(user)
        session.flush()
        ids[key] = user.id
    return ids


def load_demo(rt: Runtime, seed: int = 2026, now: dt.datetime | None = None,
              progress: Progress | None = None) -> DemoSummary:
    """Create the Bayani Pay demo community: ~600 members, ~22,000 messages over the 90 days up to ``now``
    (default: the current hour, UTC). ``progress(step, done, total)`` is called as each step advances.

    Raises :class:`DemoAlreadyLoaded` if the database already has messages.
    """
    started = time.perf_counter()
    now = anchor(now)
    with rt.db.sessions() as session:  # fail fast, before the work of planning
        _refuse_if_loaded(session)
    if progress:
        progress("Planning the community", 0, 1)
    plan = build_plan(seed, now)
    if progress:
        progress("Planning the community", 1, 1)
    with rt.db.write_sessions() as session, session.begin():
        _refuse_if_loaded(session)  # again, under the write lock
        ws = _workspace(session)
        users = _users(session, ws.id, plan.start - dt.timedelta(days=3))
        counts = write_plan(session, plan, ws.id, users, progress)
        counts["sla_policies"] = write_sla_policies(session, ws.id)  # kapwa/demo/sla.py
        counts["saved_replies"] = write_desk_replies(session, ws.id, users, plan.now)  # kapwa/demo/replies.py
        summary = (f"Loaded the Bayani Pay demo community: {counts['members']} members, {counts['identities']} "
                   f"identities, {counts['conversations']} conversations, {counts['messages']} messages, "
                   f"{counts['activities']} activities from {counts['sources']} sources.")
        session.add(AuditEntry(workspace_id=ws.id, actor_user_id=None, action="demo.load", target_type="workspaces",
                               target_id=ws.id, summary=summary,
                               changes={"seed": seed, "now": now.isoformat(), "users": len(users), **counts}))
        workspace_id = ws.id
    seconds = time.perf_counter() - started
    log.info("%s (%.1f s)", summary, seconds)
    rt.events.publish(Event("demo.loaded", workspace_id, {"messages": counts["messages"]}))
    return DemoSummary(workspace_id=workspace_id, users=len(users), sources=counts["sources"],
                       members=counts["members"], identities=counts["identities"],
                       conversations=counts["conversations"], messages=counts["messages"],
                       activities=counts["activities"], seconds=round(seconds, 2))
