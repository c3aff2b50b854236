"""Who must have a reply approved, who reviews it, and what each platform accepts.

The rule, in full (also in the package docstring):

* A reply needs approval when its source requires it (``Source.reply_approval``) or when its author's role is
  listed in ``Workspace.settings["reply_approval_roles"]`` (``moderator`` and/or ``manager``; an owner's
  replies never need approval for their role — someone must be able to approve).
* Reviewers are active managers and owners of the workspace.
* Nobody approves their own reply, unless they are the workspace's only active reviewer (otherwise the
  reply could never be sent); the history then says it was self-approved.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.connectors.base import Capability
from kapwa.core.models import Role, Source, User, Workspace

APPROVAL_ROLES_KEY = "reply_approval_roles"
CONFIGURABLE_ROLES = (Role.moderator.value, Role.manager.value)
REVIEWER_ROLE = Role.manager

# What each platform accepts in one message, in characters (the composer and the action check it).
MAX_LENGTH = {"discord": 2000, "mastodon": 500, "bluesky": 300, "telegram": 4096, "reddit": 10000,
              "slack": 40000, "discourse": 32000, "github": 65536, "matrix": 30000, "email": 100000}
DEFAULT_MAX_LENGTH = 10000


def N_(message: str) -> str:
    return message


REASONS = {
    "source": N_("replies through this source need approval"),
    "role": N_("replies by your role need approval"),
}
# Notes Kapwa writes into a reply's history (translated when shown).
NOTES = [N_("no approval needed"), N_("not on the platform: sending again"), N_("found on the platform by the last sync"),
         N_("seen on the platform by a teammate")]


def approval_roles(ws: Workspace | None) -> list[str]:
    roles = ((ws.settings or {}).get(APPROVAL_ROLES_KEY) if ws else None) or []
    return [r for r in roles if r in CONFIGURABLE_ROLES]


def approval_reason(source: Source, ws: Workspace | None, author_role: str | Role) -> str | None:
    """Why a reply by this role through this source needs approval ("source" or "role"), or None."""
    if source.reply_approval:
        return "source"
    if str(author_role) in approval_roles(ws):
        return "role"
    return None


def is_reviewer(role: str | Role) -> bool:
    return Role(str(role)).at_least(REVIEWER_ROLE)


def reviewer_ids(s: Session, workspace_id: int) -> list[int]:
    roles = [r.value for r in Role if r.at_least(REVIEWER_ROLE)]
    return list(s.scalars(select(User.id).where(User.workspace_id == workspace_id, User.is_active.is_(True),
                                                User.role.in_(roles)).order_by(User.id)))


def may_approve(s: Session, workspace_id: int, user_id: int | None, role: str | Role,
                author_id: int | None) -> tuple[bool, bool]:
    """(may this user approve a reply by ``author_id``, is it a self-approval)."""
    if not is_reviewer(role):
        return False, False
    if user_id is None or user_id != author_id:
        return True, False
    others = [u for u in reviewer_ids(s, workspace_id) if u != user_id]
    return (not others), True


def max_length(kind: str) -> int:
    return MAX_LENGTH.get(kind, DEFAULT_MAX_LENGTH)


def platform_label(kind: str) -> str:
    from kapwa.connectors.registry import connector_classes

    cls = connector_classes().get(kind)
    return (getattr(cls, "label", "") if cls else "") or kind.title()


def can_reply_through(source: Source) -> tuple[bool, str | None]:
    """(can Kapwa reply through this source, why not in plain words)."""
    from kapwa.connectors.registry import connector_classes

    if (source.config or {}).get("demo"):
        return True, None  # demo sources record the reply in Kapwa only (see send.py)
    cls = connector_classes().get(source.kind)
    if cls is None or source.kind == "import":
        return False, N_("This conversation was imported from a file; answer it on the platform itself.")
    if Capability.reply not in getattr(cls, "capabilities", frozenset()):
        return False, N_("Kapwa cannot reply through this platform; answer it on the platform itself.")
    if not source.enabled:
        return False, N_("This source is paused; resume it on the Sources page to reply through it.")
    return True, None


# What the reply cards say for each status and history entry (translated in the templates).
STATUS_LABELS = {
    "draft": N_("Draft"),
    "pending_approval": N_("Waiting for approval"),
    "approved": N_("Queued to send"),
    "sending": N_("Sending…"),
    "sent": N_("Sent"),
    "failed": N_("Not sent"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
    "unknown": N_("Unknown — check the platform"),
}
EVENT_LABELS = {
    "created": N_("wrote it"),
    "submitted": N_("submitted it"),
    "edited": N_("edited it"),
    "approved": N_("approved it"),
    "rejected": N_("rejected it"),
    "sent": N_("sent"),
    "failed": N_("not sent"),
    "unknown": N_("no answer from the platform"),
    "retried": N_("retried"),
    "cancelled": N_("cancelled it"),
    "marked_sent": N_("marked it sent"),
    "resent": N_("sent it again"),
    "reconciled": N_("found it on the platform"),
}
