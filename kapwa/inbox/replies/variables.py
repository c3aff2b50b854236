"""Saved-reply variables: ``{member_name}``, ``{member_first_name}``, ``{agent_name}``, ``{community_name}``,
``{platform}``.

Rendering is plain substitution of these names only (never ``str.format``, which would let a template reach
into objects). ``{{`` and ``}}`` write a literal brace. Any other ``{…}`` is an unknown variable: saving such a
saved reply fails with a message naming it.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.models import Conversation, Identity, Member, Message, User, Workspace
from kapwa.inbox.replies.rules import platform_label


def N_(message: str) -> str:
    return message


VARIABLES = {
    "member_name": N_("the member's name"),
    "member_first_name": N_("the member's first name"),
    "agent_name": N_("your name"),
    "community_name": N_("the community's name"),
    "platform": N_("the platform, e.g. Discord"),
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,60})\}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.!?;:])")


def unknown_variables(body: str) -> list[str]:
    found: list[str] = []
    for m in _TOKEN.finditer(body or ""):
        name = m.group(1)
        if name is not None and name not in VARIABLES and name not in found:
            found.append(name)
    return found


def check(body: str) -> None:
    """Raise ActionError naming every unknown variable in ``body``."""
    unknown = unknown_variables(body)
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        known = ", ".join("{" + n + "}" for n in VARIABLES)
        raise ActionError(f"body: unknown variable {names}; the variables are {known} (write {{{{ or }}}} "
                          "for a brace)", field="body")


def render(body: str, values: dict[str, str]) -> str:
    """Substitute the known variables; a variable without a value becomes empty (and the space before the
    punctuation that followed it goes too: "Hi {member_first_name}," → "Hi,")."""
    blanks = False

    def sub(m: re.Match) -> str:
        nonlocal blanks
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = m.group(1)
        if name not in VARIABLES:
            return token
        value = (values.get(name) or "").strip()
        blanks = blanks or not value
        return value

    out = _TOKEN.sub(sub, body or "")
    if blanks:
        out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
        out = re.sub(r"[ \t]{2,}", " ", out)
    return out


def first_name(name: str | None) -> str:
    words = (name or "").strip().lstrip("@").split()
    return words[0] if words else ""


def member_of(s: Session, conv: Conversation) -> tuple[Member | None, Identity | None]:
    """The person the team answers: who started the conversation, else the author of its latest inbound
    message."""
    row = s.execute(
        select(Message.member_id, Message.author_identity_id)
        .where(Message.conversation_id == conv.id, Message.direction == "inbound", Message.member_id.is_not(None))
        .order_by(Message.created_at.desc()).limit(1)
    ).first()
    member_id = conv.started_by_member_id or (row.member_id if row else None)
    member = s.get(Member, member_id) if member_id else None
    identity = None
    if member is not None:
        identity = s.scalar(select(Identity).where(Identity.member_id == member.id,
                                                   Identity.source_id == conv.source_id).limit(1))
    elif row and row.author_identity_id:
        identity = s.get(Identity, row.author_identity_id)
    return member, identity


def values_for(s: Session, conv: Conversation, agent: User | None, workspace: Workspace | None = None) -> dict:
    member, identity = member_of(s, conv)
    name = (member.display_name if member else None) or (identity.display_name or identity.handle
                                                         if identity else None) or ""
    ws = workspace or s.get(Workspace, conv.workspace_id)
    return {
        "member_name": name,
        "member_first_name": first_name(name),
        "agent_name": agent.name if agent else "",
        "community_name": ws.name if ws else "",
        "platform": platform_label(conv.source.kind) if conv.source else "",
    }
