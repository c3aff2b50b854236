"""Who wrote it: identities per source, new people as members (or the member a verified e-mail belongs to),
and the members' figures kept current."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapwa.connectors.base import InboundAuthor
from kapwa.core.models import Identity, Member, Source, utcnow
from kapwa.ingest.rows import allocate_ids, chunks, update_by_id

if TYPE_CHECKING:
    from kapwa.ingest.pipeline import IngestResult


def resolve_identities(s: Session, src: Source, authors: list[InboundAuthor], result: IngestResult) -> dict:
    """platform_user_id → (identity id, member id), creating members and identities that are new."""
    by_id: dict[str, InboundAuthor] = {}
    for a in authors:
        by_id.setdefault(a.platform_user_id, a)
    known: dict[str, tuple[int, int]] = {}
    for chunk in chunks(list(by_id)):
        for ident_id, member_id, puid in s.execute(
            select(Identity.id, Identity.member_id, Identity.platform_user_id).where(
                Identity.source_id == src.id, Identity.platform_user_id.in_(chunk)
            )
        ):
            known[puid] = (ident_id, member_id)
    missing = [a for puid, a in by_id.items() if puid not in known]
    if not missing:
        return known
    # A verified e-mail we already know belongs to that member (automatic merge).
    emails = sorted({a.email.lower() for a in missing if a.email and a.email_verified})
    by_email: dict[str, int] = {}
    for chunk in chunks(emails):
        for email, member_id in s.execute(
            select(Identity.email, Identity.member_id)
            .join(Member, Member.id == Identity.member_id)
            .where(Member.workspace_id == src.workspace_id, Identity.email_verified.is_(True),
                   Identity.email.in_(chunk))
        ):
            by_email.setdefault(email.lower(), member_id)
    now = utcnow()
    need_member = [a for a in missing if not (a.email and a.email_verified and a.email.lower() in by_email)]
    member_ids: list[int] = []
    if need_member:
        rows = [{"workspace_id": src.workspace_id, "display_name": (a.display_name or a.handle or a.platform_user_id)[:200],
                 "email": a.email.lower() if a.email else None, "avatar_url": a.avatar_url,
                 "message_count": 0, "is_vip": False, "is_blocked": False, "created_at": now}
                for a in need_member]
        member_ids = allocate_ids(s, Member, len(rows))
        for row, mid in zip(rows, member_ids, strict=True):
            row["id"] = mid
        s.execute(Member.__table__.insert(), rows)
        result.members_created += len(member_ids)
    new_member = dict(zip([a.platform_user_id for a in need_member], member_ids, strict=True))
    ident_rows = []
    platform = platform_of(src)
    for a in missing:
        member_id = new_member.get(a.platform_user_id) or by_email[a.email.lower()]
        ident_rows.append({
            "member_id": member_id, "source_id": src.id, "platform": platform,
            "platform_user_id": a.platform_user_id, "handle": a.handle, "display_name": a.display_name,
            "email": a.email.lower() if a.email else None, "email_verified": a.email_verified,
            "profile_url": a.profile_url, "avatar_url": a.avatar_url, "raw": a.raw or {}, "created_at": now,
        })
    ident_ids = allocate_ids(s, Identity, len(ident_rows))
    for row, ident_id in zip(ident_rows, ident_ids, strict=True):
        row["id"] = ident_id
    s.execute(Identity.__table__.insert(), ident_rows)
    for row, ident_id in zip(ident_rows, ident_ids, strict=True):
        known[row["platform_user_id"]] = (ident_id, row["member_id"])
    return known


def update_members(s, rows) -> None:
    stats: dict[int, list] = {}
    for r in rows:
        if r["member_id"]:
            st = stats.setdefault(r["member_id"], [0, r["created_at"], r["created_at"]])
            st[0] += 1
            st[1] = min(st[1], r["created_at"])
            st[2] = max(st[2], r["created_at"])
    if not stats:
        return
    lock = s.get_bind().dialect.name != "sqlite"  # SQLite's write transaction already holds the lock
    changes = []
    for chunk in chunks(sorted(stats)):
        q = select(Member.id, Member.message_count, Member.first_seen_at, Member.last_active_at).where(
            Member.id.in_(chunk))
        for mid, count, seen, active in s.execute(q.with_for_update() if lock else q):
            n, first, last = stats[mid]
            changes.append({"id": mid, "message_count": (count or 0) + n,
                            "first_seen_at": first if seen is None else min(seen, first),
                            "last_active_at": last if active is None else max(active, last)})
    update_by_id(s, Member, changes)


def platform_of(src: Source) -> str:
    """The identity namespace: the platform itself, or for a file import the platform it was exported from."""
    return (src.config or {}).get("platform") or src.kind
