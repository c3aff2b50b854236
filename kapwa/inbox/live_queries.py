"""Reads for the live stream: the few fields a live event carries to the browser (ids, statuses, names)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Message, User

MAX_IDS = 1000


def new_messages(s: Session, workspace_id: int, message_ids: list[int]) -> dict[int, dict]:
    """``{conversation id: {"inbound": [ids], "outbound": [ids]}}`` for freshly ingested messages."""
    out: dict[int, dict] = {}
    ids = [int(i) for i in message_ids[:MAX_IDS]]
    if not ids:
        return out
    rows = s.execute(
        select(Message.id, Message.conversation_id, Message.direction)
        .where(Message.id.in_(ids), Message.workspace_id == workspace_id, Message.conversation_id.is_not(None))
        .order_by(Message.id)
    )
    for mid, cid, direction in rows:
        slot = out.setdefault(cid, {"inbound": [], "outbound": []})
        slot["outbound" if direction == "outbound" else "inbound"].append(mid)
    return out


def conversation_states(s: Session, workspace_id: int, conversation_ids: list[int]) -> dict[int, dict]:
    """Status, priority and assignee of each conversation, as the inbox row and the page header show them."""
    ids = list(dict.fromkeys(int(i) for i in conversation_ids))[:MAX_IDS]
    if not ids:
        return {}
    rows = s.execute(
        select(Conversation.id, Conversation.status, Conversation.priority, Conversation.assignee_id, User.name)
        .outerjoin(User, User.id == Conversation.assignee_id)
        .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(ids))
    )
    return {cid: {"status": status, "priority": priority, "assignee_id": assignee_id, "assignee_name": name}
            for cid, status, priority, assignee_id, name in rows}


def user_names(s: Session, workspace_id: int, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = s.execute(select(User.id, User.name).where(User.workspace_id == workspace_id, User.id.in_(user_ids)))
    return {uid: name for uid, name in rows}


def conversation_exists(s: Session, workspace_id: int, conversation_id: int) -> bool:
    return s.scalar(select(Conversation.id).where(Conversation.workspace_id == workspace_id,
                                                  Conversation.id == conversation_id)) is not None
