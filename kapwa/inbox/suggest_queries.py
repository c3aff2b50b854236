"""Reads for suggested answers and the empathy check: similar past questions through the full-text index,
the answers in their conversations, saved answers, and the member a reply is for.

Similar questions come from the same index as search (FTS5 on SQLite, the ``search_vector`` GIN index on
PostgreSQL), but with "any two of the rarest words" instead of "every word": the question's content words are
counted in the index (one cheap count each), the five rarest are kept, and a message matches when it has two
of them. The newest ``2 × POOL`` matches are read (the index streams them in id order, so the cost does not grow
with how common the words are) and suggest.py re-ranks them.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.orm import Session, selectinload

from kapwa.analysis.lexicon_tl import STOPWORDS
from kapwa.core.models import Conversation, Member, Message, SavedReply, User

_FTS_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8  # content words looked up
RARE_TERMS = 5  # the rarest of them that make the query
POOL = 100  # candidate messages fetched from the index
ANSWER_ROWS = 600
PG_WINDOW = 100_000  # PostgreSQL: the newest messages searched first
COUNT_CAP = 5_000  # word counts stop here: a word in more messages than this is "common" whatever its count  # messages read from the candidate conversations
KEEP_SHORT = frozenset({"qr", "id", "atm", "otp", "kyc", "pin"})


def fts_terms(text_: str, limit: int = MAX_TERMS) -> list[str]:
    """Content words of a question for the index: lowercased, no stopwords, no numbers, first ``limit``."""
    seen: dict[str, None] = {}
    for w in _FTS_WORD.findall((text_ or "").lower()):
        if w.isdigit() or "_" in w or (len(w) < 3 and w not in KEEP_SHORT) or w in STOPWORDS:
            continue
        seen.setdefault(w, None)
        if len(seen) >= limit:
            break
    return list(seen)


def _sqlite(s: Session) -> bool:
    return s.get_bind().dialect.name == "sqlite"


def _fts_expr(s: Session, groups: list[tuple[str, ...]]) -> str:
    if _sqlite(s):
        return " OR ".join("(" + " AND ".join(f'"{t}"' for t in g) + ")" for g in groups)
    return " | ".join("(" + " & ".join(g) + ")" for g in groups)


def _match(s: Session, expr: str):
    if _sqlite(s):
        return text("messages_fts MATCH :fts_q").bindparams(fts_q=expr)
    return literal_column("messages.search_vector").op("@@")(func.to_tsquery("simple", expr))


def _count(s: Session, expr: str, cap: int) -> int:
    """Messages matching ``expr``, counted up to ``cap`` (so a very common word costs no more than ``cap`` rows)."""
    if _sqlite(s):
        q = text("SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH :q LIMIT :cap)")
        return int(s.scalar(q.bindparams(q=expr, cap=cap)) or 0)
    inner = select(Message.id).where(_match(s, expr)).limit(cap).subquery()
    return int(s.scalar(select(func.count()).select_from(inner)) or 0)


def term_counts(s: Session, terms: list[str], cap: int = COUNT_CAP) -> dict[str, int]:
    """How many messages (all workspaces) contain each term, up to ``cap``.

    SQLite: one bounded FTS5 count per term (the doclists are compact, so this is cheap). PostgreSQL: counting
    through the GIN index visits every matching row, so the counts are estimated from the planner's statistics
    of ``search_vector`` (its most common lexemes and their frequencies, kept by ANALYZE / autovacuum; read at
    most every ``PG_STATS_TTL`` seconds): a word missing from them is rarer than all of them."""
    if _sqlite(s):
        return {t: _count(s, _fts_expr(s, [(t,)]), cap) for t in terms}
    stats = _pg_lexeme_stats(s)
    if stats is None:  # never analysed: a small or new table, where counting is cheap
        return {t: _count(s, _fts_expr(s, [(t,)]), cap) for t in terms}
    freqs, floor, rows = stats
    return {t: min(cap, max(1, round(freqs.get(t, floor / 2) * rows))) for t in terms}


PG_STATS_TTL = 600
_pg_stats: dict[str, tuple[float, tuple[dict[str, float], float, float] | None]] = {}


def _pg_lexeme_stats(s: Session) -> tuple[dict[str, float], float, float] | None:
    """({lexeme: share of rows}, the smallest share listed, rows) from pg_stats, cached per database."""
    key = str(s.get_bind().url)
    now = time.monotonic()
    hit = _pg_stats.get(key)
    if hit is not None and now - hit[0] < PG_STATS_TTL:
        return hit[1]
    row = s.execute(text(
        "SELECT st.most_common_elems::text::text[], st.most_common_elem_freqs, c.reltuples FROM pg_stats st "
        "JOIN pg_class c ON c.relname = st.tablename AND c.relnamespace = to_regnamespace(st.schemaname) "
        "WHERE st.tablename = 'messages' AND st.attname = 'search_vector' AND st.schemaname = current_schema()"
    )).first()
    value = None
    if row is not None and row[0] and row[1] and (row[2] or 0) > 0:
        elems, freqs = list(row[0]), list(row[1])[: len(row[0])]
        value = (dict(zip(elems, freqs, strict=False)), min(freqs), float(row[2]))
    _pg_stats[key] = (now, value)
    return value


@dataclass(frozen=True)
class Candidate:
    message_id: int
    conversation_id: int
    text: str
    member_id: int | None
    question_like: bool  # the analysis calls it a question or says it needs an answer (or has not run)


def message_total(s: Session) -> int:
    """About how many messages there are (the highest id: one index lookup, no count)."""
    return int(s.scalar(select(func.max(Message.id))) or 0)


def similar_messages(s: Session, workspace_id: int, terms: list[str], *, exclude_conversation_id: int | None,
                     pool: int = POOL, counts: dict[str, int] | None = None) -> list[Candidate]:
    """Inbound messages of other conversations that share two of the question's rarest words, newest first."""
    counts = counts if counts is not None else term_counts(s, terms)
    # rarest first; among words past the count cap, longer ones first ("verification" before "pay")
    rare = sorted((t for t in terms if counts.get(t)), key=lambda t: (counts[t], -len(t)))[:RARE_TERMS]
    if not rare:
        return []
    groups = list(itertools.combinations(rare, 2)) if len(rare) >= 2 else [(rare[0],)]
    expr = _fts_expr(s, groups)
    # Newest matches first: the index streams them without scoring every match, so the cost is bounded by
    # the pool, not by how common the words are. Relevance is decided by the re-ranking in suggest.py.
    if _sqlite(s):
        ids = list(s.scalars(text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q ORDER BY rowid DESC "
                                  "LIMIT :n").bindparams(q=expr, n=pool * 2)))
    else:
        # Every match is a heap visit here, so the newest PG_WINDOW messages are searched first; only when they
        # hold few matches (then there are few in all, so it is cheap) is the whole table searched. "id + 0":
        # a top-N sort over the GIN matches, never a backwards walk of the primary key.
        top = message_total(s)
        q = select(Message.id).where(_match(s, expr)).order_by((Message.id + 0).desc()).limit(pool * 2)
        ids = list(s.scalars(q.where(Message.id > top - PG_WINDOW))) if top > PG_WINDOW else []
        if len(ids) < pool // 2:
            ids = list(s.scalars(q))
    if not ids:
        return []
    # By primary key only: with "workspace_id = ?" SQLite would walk the workspace's whole history instead.
    q = select(Message.id, Message.conversation_id, Message.text, Message.member_id, Message.workspace_id,
               Message.intent, Message.needs_answer).where(
        Message.id.in_(ids), Message.direction == "inbound", Message.deleted_at.is_(None))
    rows = {r.id: r for r in s.execute(q) if r.workspace_id == workspace_id
            and r.conversation_id != exclude_conversation_id}
    out = [Candidate(r.id, r.conversation_id, r.text or "", r.member_id,
                     r.intent in (None, "question", "bug_report") or bool(r.needs_answer))
           for i in ids if (r := rows.get(i))]
    return out[:pool]


@dataclass(frozen=True)
class ThreadInfo:
    id: int
    title: str
    status: str
    message_count: int


def conversations(s: Session, workspace_id: int, ids: list[int]) -> dict[int, ThreadInfo]:
    """Title and status of these conversations of the workspace (spam left out)."""
    if not ids:
        return {}
    rows = s.execute(select(Conversation.id, Conversation.workspace_id, Conversation.title, Conversation.status,
                            Conversation.message_count)
                     .where(Conversation.id.in_(ids)))  # by primary key; the workspace is checked below
    return {r.id: ThreadInfo(r.id, r.title or "", r.status, r.message_count or 0) for r in rows
            if r.workspace_id == workspace_id and r.status != "spam"}


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    conversation_id: int
    direction: str
    member_id: int | None
    text: str
    created_at: object
    toxicity_score: float | None
    intent: str | None
    moderation_status: str | None
    platform_message_id: str
    language: str | None
    is_taglish: bool | None
    member_name: str | None
    user_name: str | None


def thread_messages(s: Session, conversation_ids: list[int]) -> list[ThreadMessage]:
    """Messages of the candidate conversations (bounded, without the heavy JSON columns), with their authors'
    names, oldest first."""
    if not conversation_ids:
        return []
    rows = s.execute(
        select(Message.id, Message.conversation_id, Message.direction, Message.member_id, Message.text,
               Message.created_at, Message.toxicity_score, Message.intent, Message.moderation_status,
               Message.platform_message_id, Message.language, Message.is_taglish, Member.display_name, User.name)
        .outerjoin(Member, Member.id == Message.member_id)
        .outerjoin(User, User.id == Message.sent_by_user_id)
        # conversation_ids are this workspace's (see conversations()); no workspace condition here, so the
        # planner walks ix_messages_conversation_created instead of the workspace's whole history.
        .where(Message.conversation_id.in_(conversation_ids), Message.deleted_at.is_(None))
        .order_by(Message.conversation_id, Message.created_at, Message.id)
        .limit(ANSWER_ROWS)
    )
    return [ThreadMessage(*r) for r in rows]


def raw_payloads(s: Session, message_ids: list[int]) -> dict[int, dict]:
    """The platform payloads of a few messages (votes, accepted answers)."""
    if not message_ids:
        return {}
    return {mid: raw or {} for mid, raw in s.execute(select(Message.id, Message.raw).where(Message.id.in_(message_ids)))}


def saved_answers(s: Session, workspace_id: int, limit: int = 500) -> list[SavedReply]:
    """Saved replies offered as answers (``is_answer``), most used first."""
    return list(s.scalars(
        select(SavedReply).where(SavedReply.workspace_id == workspace_id, SavedReply.is_answer.is_(True))
        .order_by(SavedReply.use_count.desc(), SavedReply.id).limit(limit)))


def saved_replies(s: Session, workspace_id: int, limit: int = 500) -> list[SavedReply]:
    """Every saved reply of the workspace (the empathy check offers one in the member's language)."""
    return list(s.scalars(select(SavedReply).where(SavedReply.workspace_id == workspace_id)
                          .order_by(SavedReply.use_count.desc(), SavedReply.id).limit(limit)))


def conversation_messages(s: Session, conversation_id: int, limit: int = 200) -> list[Message]:
    """The latest messages of a conversation, oldest first, with their member (for the empathy check)."""
    rows = list(s.scalars(select(Message).where(Message.conversation_id == conversation_id)
                          .options(selectinload(Message.member))
                          .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)))
    return rows[::-1]
