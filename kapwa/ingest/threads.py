"""Which conversation it belongs to: platform threads, parents (in the batch or stored), chat streams grouped
by the disentangler, and the conversations' figures kept current."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.connectors.base import InboundAuthor, InboundItem
from kapwa.core.models import Conversation, Identity, Message, Source, utcnow
from kapwa.ingest.people import platform_of
from kapwa.ingest.rows import allocate_ids, chunks, update_by_id


def thread_keys(s: Session, src: Source, items: list[InboundItem], existing: dict) -> dict[str, str]:
    """platform message id → platform thread id, following parents inside the batch and in the database."""
    parents_needed = {it.parent_id for it in items if it.parent_id and not it.thread_id} - {
        it.platform_message_id for it in items} - set(existing)
    parent_threads: dict[str, str] = {}
    for chunk in chunks(sorted(parents_needed)):
        for pid, thread in s.execute(
            select(Message.platform_message_id, Conversation.platform_thread_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.source_id == src.id, Message.platform_message_id.in_(chunk))
        ):
            parent_threads[pid] = thread
    conv_thread: dict[int, str] = {}
    existing_conv_ids = {row.conversation_id for row in existing.values()}
    if existing_conv_ids:
        for cid, thread in s.execute(select(Conversation.id, Conversation.platform_thread_id)
                                     .where(Conversation.id.in_(existing_conv_ids))):
            conv_thread[cid] = thread
    for pid, row in existing.items():
        parent_threads[pid] = conv_thread.get(row.conversation_id, pid)
    in_batch = {it.platform_message_id: it for it in items}
    keys: dict[str, str] = {}

    def key_of(it: InboundItem, depth: int = 0) -> str:
        if it.platform_message_id in keys:
            return keys[it.platform_message_id]
        if it.thread_id:
            k = it.thread_id
        elif it.parent_id and it.parent_id in parent_threads:
            k = parent_threads[it.parent_id]
        elif it.parent_id and it.parent_id in in_batch and depth < 200:
            k = key_of(in_batch[it.parent_id], depth + 1)
        else:
            k = it.parent_id or it.platform_message_id
        keys[it.platform_message_id] = k
        return k

    for it in items:
        key_of(it)
    return keys


CONV_FIELDS = ("id", "platform_thread_id", "message_count", "first_message_at", "last_message_at",
               "last_inbound_at", "first_response_at", "resolved_at", "started_by_member_id", "needs_answer", "status")


def load_conversations(s, src, items, keys, identities) -> dict[str, dict]:
    """Conversations touched by this batch, as plain dicts; new ones inserted with reserved ids."""
    convs: dict[str, dict] = {}
    cols = [getattr(Conversation, f) for f in CONV_FIELDS]
    lock = s.get_bind().dialect.name != "sqlite"
    for chunk in chunks(sorted(set(keys.values()))):
        q = select(*cols).where(Conversation.source_id == src.id, Conversation.platform_thread_id.in_(chunk))
        for row in s.execute(q.with_for_update() if lock else q):
            convs[row.platform_thread_id] = dict(row._mapping)
    new_rows = []
    for it in items:
        k = keys[it.platform_message_id]
        if k in convs:
            continue
        author = identities.get(it.author.platform_user_id) if it.author and it.direction == "inbound" else None
        row = {"workspace_id": src.workspace_id, "source_id": src.id, "platform_thread_id": k,
               "title": (it.title or title_from(it.text))[:300], "channel": it.channel,
               "url": it.thread_url or it.url, "is_direct": it.is_direct,
               "started_by_member_id": author[1] if author else None, "status": "new", "priority": "normal",
               "message_count": 0, "needs_answer": False, "first_message_at": None, "last_message_at": None,
               "last_inbound_at": None, "first_response_at": None, "resolved_at": None, "created_at": utcnow()}
        convs[k] = row
        new_rows.append(row)
    for row, cid in zip(new_rows, allocate_ids(s, Conversation, len(new_rows)), strict=True):
        row["id"] = cid
    if new_rows:
        s.execute(Conversation.__table__.insert(), new_rows)
    return convs


def save_conversations(s, convs: dict[str, dict]) -> None:
    update_by_id(s, Conversation, [{f: c[f] for f in CONV_FIELDS if f != "platform_thread_id"}
                                     for c in convs.values()])


def update_conversations(items, rows, convs, keys) -> None:
    for it, row in zip(items, rows, strict=True):
        c = convs[keys[it.platform_message_id]]
        ts = it.created_at
        c["message_count"] = (c["message_count"] or 0) + 1
        if c["first_message_at"] is None or ts < c["first_message_at"]:
            c["first_message_at"] = ts
        if c["last_message_at"] is None or ts > c["last_message_at"]:
            c["last_message_at"] = ts
        if it.direction == "inbound":
            if c["last_inbound_at"] is None or ts > c["last_inbound_at"]:
                c["last_inbound_at"] = ts
            if c["started_by_member_id"] is None and row["member_id"] and not it.parent_id:
                c["started_by_member_id"] = row["member_id"]
        starter = c["started_by_member_id"]
        is_response = it.direction == "outbound" or (
            row["member_id"] is not None and starter is not None and row["member_id"] != starter)
        if is_response and c["first_message_at"] and ts > c["first_message_at"]:
            if c["first_response_at"] is None or ts < c["first_response_at"]:
                c["first_response_at"] = ts
            c["needs_answer"] = False
        elif not it.parent_id and "?" in it.text and c["first_response_at"] is None:
            c["needs_answer"] = True
        if it.direction == "inbound" and c["status"] == "resolved" and ts > (c["resolved_at"] or ts):
            c["status"] = "open"


CHAT_PLATFORMS = ("discord", "slack", "telegram", "matrix", "irc")


def thread_chat(s: Session, src: Source, items: list[InboundItem]) -> None:
    """Chat platforms often have no threads: group loose channel messages into conversations
    (kapwa.ingest.disentangle), with the channel's latest stored messages as context so a conversation
    carries on across batches."""
    if platform_of(src) not in CHAT_PLATFORMS:
        return
    starters = {it.thread_id for it in items if it.thread_id}  # a message that starts a platform thread keeps it
    loose = [it for it in items if not it.thread_id and not it.parent_id and not it.is_direct and it.channel
             and it.platform_message_id not in starters]
    if not loose:
        return
    from kapwa.ingest.disentangle import assign_threads

    context: list[InboundItem] = []
    for channel in sorted({it.channel for it in loose}):
        rows = s.execute(
            select(Message.platform_message_id, Message.text, Message.created_at, Conversation.platform_thread_id,
                   Identity.platform_user_id, Identity.handle, Identity.display_name)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .outerjoin(Identity, Identity.id == Message.author_identity_id)
            .where(Message.source_id == src.id, Conversation.channel == channel)
            .order_by(Message.created_at.desc()).limit(100)
        )
        for r in rows:
            author = InboundAuthor(r.platform_user_id, handle=r.handle, display_name=r.display_name) \
                if r.platform_user_id else None
            context.append(InboundItem(r.platform_message_id, r.created_at, r.text or "", author,
                                       thread_id=r.platform_thread_id, channel=channel))
    assign_threads(loose, context=context)


def title_from(text: str, limit: int = 80) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
