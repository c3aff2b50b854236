"""Identity merge: one person seen on several platforms becomes one member, and every merge can be undone.

Three ways in:

* ``do_auto_merge`` (the "members.auto_merge" job, after syncs) merges members that are certainly the same
  person: they share a *verified* e-mail address, or the same account in a namespace that several sources
  share (see :data:`SHARED_NAMESPACES`). A display name alone is never enough.
* ``do_merge_members`` is the manager's manual merge (often from a suggestion, see ``merge_queries``).
* ``do_unmerge`` undoes either, exactly: every row the merge moved goes back, and the kept member's fields
  and figures return to what they were.

Merging moves the merged member's identities, messages, started conversations, activities, notes, tasks
and tags to the kept member and sets ``merged_into_id`` on the merged one, which lists then hide. The
``MemberMerge`` row keeps a snapshot of exactly which rows moved and the kept member's previous values.
Merging changes identity data, so manual merges, undos and dismissals need the **manager** role.

Certain matches are found here (``auto_merge_plan``); scored suggestions are reads, in ``merge_queries``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError, Actor, NotFound, Tx, transaction
from kapwa.core.i18n_terms import N_
from kapwa.core.models import (
    Activity,
    Conversation,
    Identity,
    Member,
    MemberMerge,
    Message,
    Note,
    Role,
    Source,
    Task,
    Workspace,
    member_tags,
    utcnow,
)
from kapwa.core.runtime import Runtime
from kapwa.members.merge_queries import DISMISSED_KEY, better_name, blocked_pairs

# Platforms whose account names (or ids) mean the same person on every source of that platform, so the same
# account seen through two sources is merged automatically ("same-handle" / "same-account").
# "handle": the handle, compared case-insensitively; "id": the platform user id, which is global there.
#   mastodon  @user@instance is a fediverse-wide address; a bare local name is qualified with the source's
#             instance (config "instance"), so "maria" on two different servers never matches.
#   github    one github.com login space.            reddit   one site-wide username space.
#   email     the address itself, across mailboxes.  matrix   @user:server mxids are global.
#   bluesky   did:plc:… DIDs (handles can change).   discord, telegram   numeric user ids are global.
# Not shared: discourse (every forum has its own users), slack (ids per workspace), rss, generic imports.
SHARED_NAMESPACES: dict[str, str] = {
    "mastodon": "handle", "github": "handle", "reddit": "handle", "email": "handle",
    "matrix": "id", "bluesky": "id", "discord": "id", "telegram": "id",
}
AUTO_REASONS = ("verified-email", "same-handle", "same-account")

MOVABLE = (
    ("identities", Identity, "member_id"),
    ("messages", Message, "member_id"),
    ("conversations", Conversation, "started_by_member_id"),
    ("activities", Activity, "member_id"),
    ("notes", Note, "member_id"),
    ("tasks", Task, "member_id"),
)
PROFILE_FIELDS = ("display_name", "email", "avatar_url", "bio", "location", "language", "is_vip", "is_blocked")
STAT_FIELDS = ("message_count", "first_seen_at", "last_active_at")
CHUNK = 500

# ----------------------------------------------------------------------------------------- merging


def _plain(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _unplain(name: str, value):
    if value is not None and name in ("first_seen_at", "last_active_at"):
        return dt.datetime.fromisoformat(value)
    return value


def _values(m: Member, names: Iterable[str]) -> dict:
    return {n: _plain(getattr(m, n)) for n in names}


def _locked_member(tx: Tx, member_id: int, required: bool = True) -> Member | None:
    m = tx.session.scalar(select(Member).where(Member.id == member_id, Member.workspace_id == tx.actor.workspace_id)
                          .with_for_update())
    if m is None and required:
        raise NotFound(N_("no such member"))
    return m


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _move(s: Session, model, column: str, ids: list[int], to_member: int, from_member: int | None = None) -> None:
    col = getattr(model, column)
    for chunk in _chunks(ids):
        cond = [model.id.in_(chunk)] + ([col == from_member] if from_member is not None else [])
        s.execute(update(model).where(*cond).values({column: to_member}).execution_options(synchronize_session=False))


def _message_span(s: Session, member_id: int):
    n, first, last = s.execute(select(func.count(Message.id), func.min(Message.created_at),
                                      func.max(Message.created_at)).where(Message.member_id == member_id)).one()
    return n, _aware(first), _aware(last)


def _aware(value):
    if isinstance(value, str):  # SQLite aggregates return text
        value = dt.datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def _merge_into(tx: Tx, keep: Member, merged: Member, reason: str) -> MemberMerge:
    s = tx.session
    if keep.id == merged.id:
        raise ActionError(N_("a member cannot be merged into itself"))
    if keep.workspace_id != merged.workspace_id:
        raise NotFound(N_("no such member"))
    if keep.merged_into_id is not None:
        raise ActionError(N_("that member was itself merged into another; merge into the member it was merged into"))
    if merged.merged_into_id is not None:
        raise ActionError(N_("that member is already merged into another member"))
    kept_before = _values(keep, PROFILE_FIELDS + STAT_FIELDS)
    moved: dict[str, list[int]] = {}
    for key, model, column in MOVABLE:
        ids = list(s.scalars(select(model.id).where(getattr(model, column) == merged.id).order_by(model.id)))
        _move(s, model, column, ids, keep.id)
        moved[key] = ids
    merged_tags = set(s.scalars(select(member_tags.c.tag_id).where(member_tags.c.member_id == merged.id)))
    kept_tags = set(s.scalars(select(member_tags.c.tag_id).where(member_tags.c.member_id == keep.id)))
    added_tags = sorted(merged_tags - kept_tags)
    s.execute(member_tags.delete().where(member_tags.c.member_id == merged.id))
    if added_tags:
        s.execute(member_tags.insert(), [{"member_id": keep.id, "tag_id": t} for t in added_tags])

    keep.display_name = better_name(keep.display_name, merged.display_name)
    for name in ("email", "avatar_url", "bio", "location", "language"):
        if not getattr(keep, name) and getattr(merged, name):
            setattr(keep, name, getattr(merged, name))
    keep.is_vip = bool(keep.is_vip or merged.is_vip)
    keep.is_blocked = bool(keep.is_blocked or merged.is_blocked)
    s.flush()
    n, first, last = _message_span(s, keep.id)
    keep.message_count = n
    keep.first_seen_at = min(filter(None, [keep.first_seen_at, merged.first_seen_at, first]), default=None)
    keep.last_active_at = max(filter(None, [keep.last_active_at, merged.last_active_at, last]), default=None)
    merged.merged_into_id = keep.id
    snapshot = {
        "version": 1, **moved,
        "tags": {"merged": sorted(merged_tags), "added_to_kept": added_tags},
        "kept_before": kept_before, "kept_after": _values(keep, PROFILE_FIELDS + STAT_FIELDS),
        "merged_before": _values(merged, STAT_FIELDS),
    }
    row = MemberMerge(workspace_id=keep.workspace_id, kept_member_id=keep.id, merged_member_id=merged.id,
                      reason=reason[:40], snapshot=snapshot, actor_user_id=tx.actor.user_id)
    s.add(row)
    s.flush()
    counts = {k: len(v) for k, v in moved.items()}
    counts["tags"] = len(merged_tags)
    diff = {k: [kept_before[k], v] for k, v in snapshot["kept_after"].items() if kept_before[k] != v}
    tx.audit("member.merge", keep,
             f"Merged {merged.display_name} (#{merged.id}) into {keep.display_name} (#{keep.id}) [{reason}]: "
             f"{counts['identities']} identities, {counts['messages']} messages",
             {"merge_id": row.id, "merged_member_id": merged.id, "reason": reason, "moved": counts, **diff})
    tx.emit("member.merged", {"merge_id": row.id, "kept_id": keep.id, "merged_id": merged.id, "reason": reason})
    tx.emit("member.updated", {"id": keep.id})
    return row


def do_merge_members(rt: Runtime, actor: Actor, keep_id: int, merge_id: int, reason: str = "manual") -> MemberMerge:
    """Merge member ``merge_id`` into ``keep_id``; returns the MemberMerge (its id undoes it)."""
    actor.require(Role.manager)
    if keep_id == merge_id:
        raise ActionError(N_("a member cannot be merged into itself"))
    with transaction(rt, actor) as tx:
        first, second = sorted((keep_id, merge_id))  # lock in id order: no deadlock with a reverse merge
        locked = {first: _locked_member(tx, first), second: _locked_member(tx, second)}
        return _merge_into(tx, locked[keep_id], locked[merge_id], reason)


def _extra_rows(s: Session, keep_id: int, identity_ids: list[int], since: dt.datetime) -> dict[str, list[int]]:
    """Rows that reached the kept member after the merge through an identity the merge moved."""
    if not identity_ids:
        return {}
    out: dict[str, list[int]] = {"messages": [], "activities": [], "conversations": []}
    for chunk in _chunks(identity_ids):
        out["messages"] += s.scalars(select(Message.id).where(Message.member_id == keep_id,
                                                              Message.author_identity_id.in_(chunk)))
        out["activities"] += s.scalars(select(Activity.id).where(Activity.member_id == keep_id,
                                                                 Activity.identity_id.in_(chunk)))
        root_by_moved = exists().where(Message.conversation_id == Conversation.id, Message.parent_id.is_(None),
                                       Message.author_identity_id.in_(chunk))
        out["conversations"] += s.scalars(select(Conversation.id).where(
            Conversation.started_by_member_id == keep_id, Conversation.created_at >= since, root_by_moved))
    return out


def do_unmerge(rt: Runtime, actor: Actor, merge_id: int) -> MemberMerge:
    """Undo one merge exactly: moved rows back, the kept member's fields and figures as they were."""
    actor.require(Role.manager)
    with transaction(rt, actor) as tx:
        s = tx.session
        row = s.scalar(select(MemberMerge).where(MemberMerge.id == merge_id,
                                                 MemberMerge.workspace_id == actor.workspace_id).with_for_update())
        if row is None:
            raise NotFound(N_("no such merge"))
        if row.undone_at is not None:
            raise ActionError(N_("this merge was already undone"))
        first, second = sorted((row.kept_member_id, row.merged_member_id))
        locked = {first: _locked_member(tx, first), second: _locked_member(tx, second)}
        keep, merged = locked[row.kept_member_id], locked[row.merged_member_id]
        if keep.merged_into_id is not None:
            raise ActionError(N_("the kept member was merged again later; undo that merge first"))
        if merged.merged_into_id != keep.id:
            raise ActionError(N_("this merge no longer matches the members; it cannot be undone"))
        snap = row.snapshot or {}
        extra = _extra_rows(s, keep.id, snap.get("identities", []), row.created_at)
        extra_count = 0
        for key, model, column in MOVABLE:
            ids = sorted(set(snap.get(key, [])) | set(extra.get(key, [])))
            extra_count += len(set(extra.get(key, [])) - set(snap.get(key, [])))
            _move(s, model, column, ids, merged.id, from_member=keep.id)
        _restore_tags(s, row, keep.id, merged.id)
        s.flush()
        _restore_fields(s, keep, merged, snap, untouched=extra_count == 0)
        merged.merged_into_id = None
        row.undone_at = utcnow()
        tx.audit("member.unmerge", keep,
                 f"Undid merge #{row.id}: {merged.display_name} (#{merged.id}) is separate from "
                 f"{keep.display_name} (#{keep.id}) again",
                 {"merge_id": row.id, "merged_member_id": merged.id, "moved_back_after_merge": extra_count})
        tx.emit("member.unmerged", {"merge_id": row.id, "kept_id": keep.id, "merged_id": merged.id})
        tx.emit("member.updated", {"id": keep.id})
        tx.emit("member.updated", {"id": merged.id})
    return row


def _restore_tags(s: Session, row: MemberMerge, keep_id: int, merged_id: int) -> None:
    tags = (row.snapshot or {}).get("tags", {})
    # A tag another still-active merge also brought to the kept member stays on it.
    others = s.scalars(select(MemberMerge.snapshot).where(
        MemberMerge.kept_member_id == keep_id, MemberMerge.undone_at.is_(None), MemberMerge.id != row.id))
    still_needed = {t for snap in others for t in (snap or {}).get("tags", {}).get("merged", [])}
    remove = [t for t in tags.get("added_to_kept", []) if t not in still_needed]
    if remove:
        s.execute(member_tags.delete().where(member_tags.c.member_id == keep_id, member_tags.c.tag_id.in_(remove)))
    present = set(s.scalars(select(member_tags.c.tag_id).where(member_tags.c.member_id == merged_id)))
    back = [t for t in tags.get("merged", []) if t not in present]
    if back:
        s.execute(member_tags.insert(), [{"member_id": merged_id, "tag_id": t} for t in back])


def _restore_fields(s: Session, keep: Member, merged: Member, snap: dict, untouched: bool) -> None:
    before, after = snap.get("kept_before", {}), snap.get("kept_after", {})
    for name in PROFILE_FIELDS:  # only what nobody changed since the merge
        if name in before and _plain(getattr(keep, name)) == after.get(name):
            setattr(keep, name, _unplain(name, before[name]))
    stats_as_left = all(_plain(getattr(keep, n)) == after.get(n) for n in STAT_FIELDS)
    if untouched and stats_as_left and all(n in before for n in STAT_FIELDS):
        for name in STAT_FIELDS:
            setattr(keep, name, _unplain(name, before[name]))
    else:  # something happened since the merge: count again, bounded by the earlier figures
        _recount(s, keep, {n: _unplain(n, before.get(n)) for n in STAT_FIELDS})
    merged_before = snap.get("merged_before", {})
    if not untouched or any(_plain(getattr(merged, n)) != merged_before.get(n) for n in STAT_FIELDS):
        _recount(s, merged, {n: _unplain(n, merged_before.get(n)) for n in STAT_FIELDS})


def _recount(s: Session, m: Member, before: dict) -> None:
    n, first, last = _message_span(s, m.id)
    m.message_count = n
    m.first_seen_at = min(filter(None, [before.get("first_seen_at"), first]), default=None)
    m.last_active_at = max(filter(None, [before.get("last_active_at"), last]), default=None)


# ------------------------------------------------------------------------------------- automatic


def account_key(platform: str, source: Source | None, handle: str | None, puid: str) -> str | None:
    """The account's name in its shared namespace (see SHARED_NAMESPACES), or None if it has none."""
    how = SHARED_NAMESPACES.get(platform)
    if how == "id":
        return f"{platform}:{puid.strip().lower()}" if puid and puid.strip() else None
    h = (handle or "").strip().lower().lstrip("@")
    if how != "handle" or not h:
        return None
    if platform == "mastodon" and "@" not in h:
        instance = ((source.config or {}).get("instance") or "") if source else ""
        host = re.sub(r"^https?://", "", instance.strip().lower()).strip("/")
        if not host:
            return None
        h = f"{h}@{host}"
    return f"{platform}:{h}"


def auto_merge_plan(s: Session, workspace_id: int) -> list[tuple[int, int, str]]:
    """(keep id, merged id, reason) for members that are certainly one person; never a blocked pair."""
    sources = {src.id: src for src in s.scalars(select(Source).where(Source.workspace_id == workspace_id))}
    rows = s.execute(
        select(Identity.member_id, Identity.source_id, Identity.platform, Identity.platform_user_id,
               Identity.handle, Identity.email, Identity.email_verified, Member.message_count)
        .join(Member, Member.id == Identity.member_id)
        .where(Member.workspace_id == workspace_id, Member.merged_into_id.is_(None),
               or_(Identity.email_verified.is_(True), Identity.platform.in_(list(SHARED_NAMESPACES))))
    ).all()
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    weight: dict[int, int] = {}
    for r in rows:
        weight[r.member_id] = r.message_count or 0
        if r.email_verified and r.email and "@" in r.email:
            groups.setdefault(("verified-email", r.email.strip().lower()), []).append((r.member_id, r.source_id))
        key = account_key(r.platform, sources.get(r.source_id), r.handle, r.platform_user_id)
        if key:
            why = "same-account" if SHARED_NAMESPACES[r.platform] == "id" else "same-handle"
            groups.setdefault((why, key), []).append((r.member_id, r.source_id))
    edges = set()
    for (why, _key), entries in groups.items():
        for i, (m1, s1) in enumerate(entries):
            for m2, s2 in entries[i + 1 : i + 50]:
                # One account on two sources; the same handle twice on one source is two accounts.
                if m1 != m2 and (why == "verified-email" or s1 != s2):
                    edges.add((AUTO_REASONS.index(why), min(m1, m2), max(m1, m2), why))
    return _components(sorted(edges), weight, blocked_pairs(s, workspace_id))


def _components(edges, weight: dict[int, int], blocked: set) -> list[tuple[int, int, str]]:
    """Union the edges (strongest reason first) unless that would join a blocked pair; keep the busiest."""
    parent: dict[int, int] = {}
    group: dict[int, set[int]] = {}
    reason: dict[int, str] = {}

    def find(x: int) -> int:
        if x not in parent:
            parent[x], group[x] = x, {x}
        while parent[x] != x:
            x = parent[x]
        return x

    for _rank, a, b, why in edges:
        ra, rb = find(a), find(b)
        if ra == rb or any(tuple(sorted((x, y))) in blocked for x in group[ra] for y in group[rb]):
            continue
        parent[rb] = ra
        group[ra] |= group.pop(rb)
        reason.setdefault(a, why)
        reason.setdefault(b, why)
    plan = []
    for members in group.values():
        if len(members) > 1:
            keep = max(members, key=lambda m: (weight.get(m, 0), -m))
            plan += [(keep, m, reason[m]) for m in sorted(members) if m != keep]
    return plan


def do_auto_merge(rt: Runtime, actor: Actor) -> list[tuple[int, int, str]]:
    """Merge every certain match (idempotent: a second run finds nothing). Returns (kept, merged, reason)."""
    actor.require(Role.manager)
    with rt.db.sessions() as s:
        plan = auto_merge_plan(s, actor.workspace_id)
    done: list[tuple[int, int, str]] = []
    for chunk in _chunks(plan, 100):
        with transaction(rt, actor) as tx:
            for keep_id, merged_id, why in chunk:
                keep, merged = _locked_member(tx, keep_id, False), _locked_member(tx, merged_id, False)
                if keep and merged and keep.merged_into_id is None and merged.merged_into_id is None:  # still so?
                    _merge_into(tx, keep, merged, why)
                    done.append((keep_id, merged_id, why))
    return done


def do_dismiss_suggestion(rt: Runtime, actor: Actor, a_id: int, b_id: int) -> None:
    """Record that two members are not the same person: never suggested or auto-merged again."""
    actor.require(Role.manager)
    if a_id == b_id:
        raise ActionError(N_("pick two different members"))
    with transaction(rt, actor) as tx:
        a, b = _locked_member(tx, min(a_id, b_id)), _locked_member(tx, max(a_id, b_id))
        ws = tx.session.scalar(select(Workspace).where(Workspace.id == actor.workspace_id).with_for_update())
        pair = f"{a.id}:{b.id}"
        current = list((ws.settings or {}).get(DISMISSED_KEY, []))
        if pair not in current:
            ws.settings = {**(ws.settings or {}), DISMISSED_KEY: [*current, pair]}  # new dict: JSON change seen
            tx.audit("member.merge_dismiss", a, f"Not the same person: {a.display_name} (#{a.id}) and "
                     f"{b.display_name} (#{b.id})", {"pair": [a.id, b.id]})

