"""Reads for the member profile: header figures, identities with where they came from, open conversations,
tasks, notes and the moderation history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import (
    Activity,
    AuditEntry,
    Conversation,
    Identity,
    Member,
    MemberMerge,
    Message,
    Note,
    Tag,
    Task,
    User,
    member_tags,
)

OPEN_STATUSES = ("new", "open", "pending")
UNDETERMINED = ("unknown", "und", "zxx", "other")


@dataclass
class LanguageShare:
    code: str  # en, tl, taglish, …
    messages: int
    share: float  # 0…1 of the member's messages with a detected language


@dataclass
class Figures:
    messages: int = 0
    conversations: int = 0  # conversations they wrote in
    started: int = 0  # conversations they started
    activities: dict[str, int] = field(default_factory=dict)  # other activity types → count
    languages: list[LanguageShare] = field(default_factory=list)
    sentiment: dict[str, int] = field(default_factory=dict)  # negative/neutral/positive → messages
    questions: int = 0
    messages_by_identity: dict[int, int] = field(default_factory=dict)


def figures(s: Session, workspace_id: int, member_id: int) -> Figures:
    """One grouped scan of the member's messages (ix_messages_member_created) and one of their activities.

    Member-scoped reads here and below leave the workspace out on purpose (the caller found the member in its
    workspace): with it, the planner may walk a workspace-wide index instead of the member's."""
    f = Figures()
    langs: dict[str, int] = {}
    rows = s.execute(
        select(Message.author_identity_id, Message.language, Message.is_taglish, Message.sentiment_label,
               Message.intent, func.count())
        .where(Message.member_id == member_id)
        .group_by(Message.author_identity_id, Message.language, Message.is_taglish, Message.sentiment_label,
                  Message.intent))
    for ident, lang, taglish, sentiment, intent, n in rows:
        f.messages += n
        if ident is not None:
            f.messages_by_identity[ident] = f.messages_by_identity.get(ident, 0) + n
        code = "taglish" if taglish else lang
        if code and code not in UNDETERMINED:
            langs[code] = langs.get(code, 0) + n
        if sentiment:
            f.sentiment[sentiment] = f.sentiment.get(sentiment, 0) + n
        if intent == "question":
            f.questions += n
    total = sum(langs.values())
    f.languages = [LanguageShare(c, n, n / total) for c, n in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))]
    f.conversations = s.scalar(select(func.count(func.distinct(Message.conversation_id))).where(
        Message.member_id == member_id)) or 0
    f.started = s.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.started_by_member_id == member_id)) or 0
    for kind, n in s.execute(select(Activity.type, func.count()).where(
            Activity.member_id == member_id,
            Activity.type.not_in(("posted", "replied"))).group_by(Activity.type)):
        f.activities[kind] = n
    return f


@dataclass
class IdentityRow:
    identity: Identity
    messages: int
    merge: MemberMerge | None = None  # the active merge that brought this identity here (undo splits it off)
    merged_from: Member | None = None


def identities(s: Session, workspace_id: int, m: Member, fig: Figures) -> list[IdentityRow]:
    merges = list(s.scalars(select(MemberMerge).where(
        MemberMerge.workspace_id == workspace_id, MemberMerge.kept_member_id == m.id,
        MemberMerge.undone_at.is_(None)).order_by(MemberMerge.id)))
    from_merge: dict[int, MemberMerge] = {}
    for row in merges:
        for ident_id in (row.snapshot or {}).get("identities", []):
            from_merge[ident_id] = row
    others = {x.id: x for x in s.scalars(select(Member).where(
        Member.id.in_({r.merged_member_id for r in merges})))} if merges else {}
    out = []
    for ident in m.identities:
        row = from_merge.get(ident.id)
        out.append(IdentityRow(ident, fig.messages_by_identity.get(ident.id, 0), row,
                               others.get(row.merged_member_id) if row else None))
    return out


def avatar_of(m: Member) -> str | None:
    """The member's picture, else the first identity's: https only (no mixed content, no tracking via http)."""
    for url in [m.avatar_url, *(i.avatar_url for i in m.identities)]:
        if url and url.startswith("https://") and len(url) <= 500:
            return url
    return None


def open_conversations(s: Session, workspace_id: int, member_id: int, limit: int = 20
                       ) -> tuple[list[Conversation], int]:
    """Conversations still needing work that the member started or wrote in, most urgent first."""
    theirs = union(select(Message.conversation_id).where(Message.member_id == member_id),
                   select(Conversation.id).where(Conversation.started_by_member_id == member_id))
    q = select(Conversation).where(Conversation.id.in_(theirs), Conversation.status.in_(OPEN_STATUSES))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.options(selectinload(Conversation.source), selectinload(Conversation.assignee))
                     .order_by(Conversation.priority_score.desc(), Conversation.last_message_at.desc().nulls_last(),
                               Conversation.id.desc()).limit(limit))
    return list(rows), total


def reason_text(reason) -> str:
    """A priority reason as stored by the inbox ([label, points]), or a plain string / {"label": …}."""
    if isinstance(reason, list | tuple) and reason:
        return str(reason[0])
    if isinstance(reason, dict):
        return str(reason.get("label") or reason.get("text") or "")
    return str(reason)


def tags_of(s: Session, member_id: int) -> list[Tag]:
    return list(s.scalars(select(Tag).join(member_tags, member_tags.c.tag_id == Tag.id)
                          .where(member_tags.c.member_id == member_id).order_by(Tag.name)))


def workspace_tags(s: Session, workspace_id: int, limit: int = 200) -> list[str]:
    return list(s.scalars(select(Tag.name).where(Tag.workspace_id == workspace_id).order_by(Tag.name).limit(limit)))


def notes_of(s: Session, member_id: int) -> list[Note]:
    return list(s.scalars(select(Note).where(Note.member_id == member_id)
                          .options(selectinload(Note.author)).order_by(Note.id.desc())))


def tasks_of(s: Session, member_id: int) -> list[Task]:
    """Open tasks first (soonest due first, undated last), then done ones (latest first)."""
    rows = list(s.scalars(select(Task).where(Task.member_id == member_id).options(selectinload(Task.assignee))))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    open_ = sorted((t for t in rows if t.done_at is None), key=lambda t: (t.due_at or far, t.id))
    done = sorted((t for t in rows if t.done_at is not None), key=lambda t: t.done_at, reverse=True)
    return open_ + done


def active_team(s: Session, workspace_id: int) -> list[User]:
    return list(s.scalars(select(User).where(User.workspace_id == workspace_id, User.is_active.is_(True))
                          .order_by(User.name)))


@dataclass
class HistoryItem:
    at: dt.datetime
    kind: str  # "message" (moderated message) | "audit"
    message: Message | None = None
    entry: AuditEntry | None = None


# Audit actions on a member that are not moderation history (shown in their own sections).
NOT_HISTORY = ("member.note", "member.note_delete", "member.tag", "member.untag")


def moderation_history(s: Session, workspace_id: int, m: Member, limit: int = 50) -> list[HistoryItem]:
    """Messages of the member with a moderation status, and audit entries about the member or one of their
    identities (merges, VIP and block changes, platform moderation), newest first."""
    msgs = s.scalars(select(Message).where(
        Message.member_id == m.id, Message.moderation_status.is_not(None))
        .options(selectinload(Message.conversation)).order_by(Message.created_at.desc()).limit(limit))
    ident_ids = [i.id for i in m.identities]
    about = and_(AuditEntry.target_type == "members", AuditEntry.target_id == m.id)
    if ident_ids:
        about = or_(about, and_(AuditEntry.target_type == "identities", AuditEntry.target_id.in_(ident_ids)))
    entries = s.scalars(select(AuditEntry).where(AuditEntry.workspace_id == workspace_id, about,
                                                 AuditEntry.action.not_in(NOT_HISTORY))
                        .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit))
    items = [HistoryItem(x.created_at, "message", message=x) for x in msgs]
    items += [HistoryItem(e.created_at, "audit", entry=e) for e in entries]
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]
