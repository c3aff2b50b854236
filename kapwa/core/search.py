"""Full-text search over messages behind one function: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from kapwa.core.models import Message

_WORD = re.compile(r"\w+", re.UNICODE)


def _terms(query: str) -> list[str]:
    return [w for w in _WORD.findall(query.lower()) if w][:12]


def message_match(session: Session, query: str) -> Select | None:
    """A SELECT of matching message ids (for use in ``Message.id.in_(…)``), or None for an empty query.

    Every word must match (prefix match on the last one, so results appear while typing). The user's
    text never reaches the FTS syntax: words are extracted and quoted.
    """
    terms = _terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        fts = table("messages_fts", column("rowid"))
        expr = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        return select(literal_column("messages_fts.rowid")).select_from(fts).where(
            text("messages_fts MATCH :fts_q").bindparams(fts_q=expr)
        )
    tsq = " & ".join(terms[:-1] + [f"{terms[-1]}:*"])
    return select(Message.id).where(
        literal_column("messages.search_vector").op("@@")(func.to_tsquery("simple", tsq))
    )


def conversation_match(session: Session, query: str) -> Select | None:
    """A SELECT of the ids of conversations with a message matching ``query`` (for
    ``Conversation.id.in_(…)``), or None for an empty query. On PostgreSQL it reads ``conversation_id`` in the
    same pass as the tsvector match (no second lookup of each message by id)."""
    terms = _terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        # Each match's conversation from the narrow (id, conversation_id) index, not from the message row.
        return (select(Message.conversation_id).where(Message.id.in_(message_match(session, query)))
                .with_hint(Message, "INDEXED BY ix_messages_id_conversation", "sqlite"))
    tsq = " & ".join(terms[:-1] + [f"{terms[-1]}:*"])
    # DISTINCT: the hits are gathered once (GIN bitmap), not probed per conversation, which PostgreSQL
    # misjudges as cheap under an ORDER BY … LIMIT (it walked 10k conversations for a word in 1% of messages).
    return select(Message.conversation_id).distinct().where(
        literal_column("messages.search_vector").op("@@")(func.to_tsquery("simple", tsq))
    )


def search_messages(session: Session, workspace_id: int, query: str, limit: int = 50) -> list[Message]:
    """Messages matching ``query``, newest first."""
    ids = message_match(session, query)
    if ids is None:
        return []
    q = (
        select(Message)
        .where(Message.workspace_id == workspace_id, Message.id.in_(ids))
        .order_by(Message.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(q))
