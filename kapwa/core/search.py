"""Full-text search behind two functions (messages; conversations for the inbox): FTS5 on SQLite, tsvector on
PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, column, func, intersect, literal_column, select, table, text
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Message

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
        return select(literal_column("messages_fts.rowid")).select_from(fts).where(
            text("messages_fts MATCH :fts_q").bindparams(fts_q=_fts_expr(terms))
        )
    return select(Message.id).where(
        literal_column("messages.search_vector").op("@@")(func.to_tsquery("simple", _tsquery(terms)))
    )


def _fts_expr(terms: list[str], prefix: bool = True) -> str:
    """Every word quoted (so no FTS5 syntax gets through); the last one also as a prefix."""
    return " ".join(f'"{t}"' for t in terms) + ("*" if prefix else "")


def _tsquery(terms: list[str]) -> str:
    return " & ".join(terms[:-1] + [f"{terms[-1]}:*"])


def conversation_match(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Conversation``: every word of ``query`` appears in the conversation (in any of its
    messages; prefix match on the last word), or None for an empty query.

    PostgreSQL reads the conversation's own search document (migration 0005, kept by triggers), so the
    planner can walk the inbox's order and stop after a page, or start from a rare word's few conversations.
    SQLite reads FTS5 once per word and intersects the words' conversations, each from the narrow
    (id, conversation_id) index rather than the message rows."""
    terms = _terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name != "sqlite":
        return literal_column("conversations.search_vector").op("@@")(func.to_tsquery("simple", _tsquery(terms)))
    fts = table("messages_fts", column("rowid"))
    per_word = []
    for i, term in enumerate(terms):
        expr = _fts_expr([term], prefix=i == len(terms) - 1)
        hits = select(literal_column("messages_fts.rowid")).select_from(fts).where(
            text(f"messages_fts MATCH :fts_q{i}").bindparams(**{f"fts_q{i}": expr}))
        per_word.append(select(Message.conversation_id).where(Message.id.in_(hits))
                        .with_hint(Message, "INDEXED BY ix_messages_id_conversation", "sqlite"))
    return Conversation.id.in_(per_word[0] if len(per_word) == 1 else intersect(*per_word))


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
