"""Reads for identity merge: scored suggestions, pairs people said are different, a member's merge history.

Suggestions never compare every member with every other: members get blocking keys (see blocking_keys),
only members sharing a key are scored (rapidfuzz), and keys too many members share are skipped.
"""

from __future__ import annotations

import re
import time
import unicodedata
import weakref
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kapwa.core.models import Identity, Member, MemberMerge, User, Workspace
from kapwa.members import queries

DISMISSED_KEY = "merge_dismissed"  # Workspace.settings: ["12:40", …], low id first
MIN_SCORE = 0.7
NAME_WEIGHT = (1.0, 0.85, 0.8)  # by how many of the two compared names are one word
PER_MEMBER = 3  # a member appears in at most this many suggestions at once

# ------------------------------------------------------------------------------------------ names

_WORD = re.compile(r"[^\W_]+")
HONORIFICS = {"ate", "kuya", "tita", "tito", "mommy", "daddy", "lola", "lolo", "sir", "maam", "mam", "mr", "mrs",
              "ms", "dr", "engr", "atty"}


def fold(text: str | None) -> str:
    """Lower case, accents and punctuation gone, words separated by one space: "Ma. Niño_Cruz" → "ma nino cruz"."""
    text = (text or "").lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))


def name_key(text: str | None) -> str:
    """A folded name without honorifics ("Ate Maria" → "maria") for comparing names."""
    words = fold(text).split()
    return " ".join([w for w in words if w not in HONORIFICS] or words)


def handle_forms(handle: str | None) -> tuple[str, str]:
    """A handle without decoration, with and without digits: "@Maria_Santos92@mas.to" → ("mariasantos92",
    "mariasantos"); the server, case, accents and _ . - separators are gone."""
    h = re.split(r"[@:]", (handle or "").strip().lstrip("@"), maxsplit=1)[0]  # user@server, user:server
    plain = re.sub(r"[^a-z0-9]", "", fold(h))
    return plain, re.sub(r"[0-9]", "", plain)


def name_skeletons(name: str) -> dict[str, float]:
    """How a name is squeezed into a handle, with how much a match says: full and first+last 1, initial+last
    0.8 ("jmanalo" fits every J. Manalo in a family)."""
    words = [re.sub(r"[^a-z]", "", w) for w in name_key(name).split()]
    words = [w for w in words if w]
    if not words:
        return {}
    out = {words[0][0] + words[-1]: 0.8} if len(words) >= 2 else {}
    out.update({"".join(words): 1.0, words[0] + words[-1]: 1.0})
    return out


def _name_quality(name: str) -> tuple:
    n = (name or "").strip()
    handle_like = " " not in n and bool(re.search(r"[@_.]", n))
    return (len(fold(n).split()) >= 2 and not handle_like, n != n.lower(), not re.search(r"\d", n),
            len(fold(n).split()), len(n))


def better_name(kept: str, other: str) -> str:
    """The name that looks most like a person's name ("Maria Clara Santos" beats "maria.santos"); ties keep kept."""
    return other if other and _name_quality(other) > _name_quality(kept) else kept


# --------------------------------------------------------------------------------------- scoring


@dataclass
class Profile:
    """What scoring knows about one member (all identities together)."""

    id: int
    message_count: int = 0
    names: set[str] = field(default_factory=set)  # name_key of the member's and identities' display names
    handles: set[tuple[str, str]] = field(default_factory=set)  # handle_forms, 4+ characters
    emails: set[str] = field(default_factory=set)
    avatars: set[str] = field(default_factory=set)
    location: str = ""
    sources: set[int] = field(default_factory=set)

    # Scoring asks for these once per compared pair: computed once per member (after loading).
    @cached_property
    def first_names(self) -> frozenset[str]:
        return frozenset(n.split()[0] for n in self.names if len(n.split()[0]) >= 2)

    @cached_property
    def surnames(self) -> frozenset[str]:
        return frozenset(n.split()[-1] for n in self.names if len(n.split()) >= 2 and len(n.split()[-1]) >= 3)

    @cached_property
    def name_skeletons(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for n in self.names:
            for sk, weight in name_skeletons(n).items():
                if len(sk) >= 4:
                    out[sk] = max(weight, out.get(sk, 0.0))
        return out

    @cached_property
    def name_list(self) -> tuple[tuple[str, bool], ...]:
        return tuple((n, " " not in n) for n in self.names)

    @cached_property
    def handle_list(self) -> tuple[tuple[str, str, float, float], ...]:
        """(handle, without digits, how much each says about its owner): a surname in it says all; a first
        name with little around it ("miguel", "tita_leah") says less; three or more digits help."""
        out = []
        for plain, skel in self.handles:
            rest = skel
            for w in self.first_names:
                rest = rest.replace(w, "")
            says = 1.0 if any(w in skel for w in self.surnames) else 0.9 if len(rest) >= 6 else 0.7
            out.append((plain, skel, max(says, 0.85 if len(plain) - len(skel) >= 3 else 0), says))
        return tuple(out)


def _alike(xs: set[str], ys: set[str]) -> bool:
    """Some word of one is close to, or part of, some word of the other ("jun"/"juan", "ana"/"analyn")."""
    return any(fuzz.ratio(x, y) >= 80 or x in y or y in x for x in xs for y in ys)


def score_pair(a: Profile, b: Profile, name_shared_by: int = 0, common_avatars: frozenset = frozenset()
               ) -> tuple[float, list[str]]:
    """0..1 and the reasons. Signals: names (token_sort_ratio), handles (ratio, with and without digits), a
    handle that spells the other's name; handles count as much as they say (Profile.handle_list). The best signal, corroborated by the second; small boosts
    for the same e-mail, avatar or location; penalties for sharing a source (two accounts on one platform
    are usually two people), for a name several members have, and for clearly different surnames or first
    names."""
    ratio = fuzz.ratio
    name = handle = cross = 0.0
    for x, x1 in a.name_list:  # one-word names ("Ate Jasmine" → "jasmine") say less than full names
        for y, y1 in b.name_list:
            name = max(name, fuzz.token_sort_ratio(x, y) * NAME_WEIGHT[x1 + y1])
    for xp, xs, xpw, xw in a.handle_list:
        for yp, ys, ypw, yw in b.handle_list:
            handle = max(handle, ratio(xp, yp) * min(xpw, ypw), 0.9 * ratio(xs, ys) * min(xw, yw))
        for y, w in b.name_skeletons.items():
            cross = max(cross, ratio(xs, y) * w * xw)
    for _, ys, _, yw in b.handle_list:
        for x, w in a.name_skeletons.items():
            cross = max(cross, ratio(ys, x) * w * yw)
    name, handle, cross = name / 100, handle / 100, 0.95 * cross / 100
    same_handle = bool({h for h, _ in a.handles} & {h for h, _ in b.handles})
    reasons = []
    if a.names & b.names:
        reasons.append("same-name")
    elif name >= 0.7:
        reasons.append("similar-name")
    if same_handle:
        reasons.append("same-handle")
    elif handle >= 0.7:
        reasons.append("similar-handle")
    if cross >= 0.7 and not same_handle:
        reasons.append("name-like-handle")
    first, second = sorted((name, handle, cross), reverse=True)[:2]
    score = 0.9 * first + 0.1 * second
    if a.emails & b.emails:
        score += 0.2
        reasons.append("same-email")
    if (a.avatars & b.avatars) - common_avatars:
        score += 0.1
        reasons.append("same-avatar")
    if a.location and a.location == b.location:
        score += 0.05
        reasons.append("same-location")
    if a.sources & b.sources:
        score -= 0.15
        reasons.append("same-source")
    if name_shared_by >= 3:  # the more members have this exact name, the less two of them are one person
        score -= 0.1 * min(3, name_shared_by - 2)
        reasons.append("common-name")
    if a.surnames and b.surnames and not _alike(a.surnames, b.surnames):
        score -= 0.15
        reasons.append("different-surnames")
    if a.first_names and b.first_names and not _alike(a.first_names, b.first_names):
        score -= 0.15
        reasons.append("different-first-names")
    return round(min(max(score, 0.0), 1.0), 3), reasons


# Blocking: key kind → largest block still compared in full (bigger blocks are too common to mean much).
BLOCK_MAX = {"n": 40, "w": 10, "t": 8, "s": 30, "p": 12, "x": 12, "d": 12, "e": 20, "a": 20}


def blocking_keys(p: Profile) -> set[str]:
    """n: the name's words sorted; w: each word with the last of longer names; t: single words (only rare ones are
    used); s: handle and name skeletons of 6+ letters, p:/x: their first and last 7 letters; d:; e:; a:."""
    keys = set()
    for n in p.names:
        words = n.split()
        if words:
            keys.add("n:" + " ".join(sorted(set(words))))
        if len(words) >= 3:  # "maria clara santos" → "maria santos", "clara santos"
            keys |= {"w:" + " ".join(sorted((w, words[-1]))) for w in words[:-1]}
        keys |= {"t:" + w for w in words if len(w) >= 4}
    # d: a handle up to its digits ("jose157_ph" → "jose157"): three or more digits make it specific.
    keys |= {"d:" + m.group() for h, s in p.handles if len(h) - len(s) >= 3 and (m := re.match(r"\D*\d+", h))}
    for sk in {s for _, s in p.handles} | {s for s, w in p.name_skeletons.items() if w == 1.0}:
        if len(sk) >= 6:
            keys.add("s:" + sk)
        if len(sk) >= 9:
            keys |= {"p:" + sk[:7], "x:" + sk[-7:]}
    keys |= {"e:" + e for e in p.emails} | {"a:" + a for a in p.avatars}
    return keys


def load_profiles(s: Session, workspace_id: int) -> dict[int, Profile]:
    profiles: dict[int, Profile] = {}
    for mid, name, email, avatar, location, count in s.execute(
        select(Member.id, Member.display_name, Member.email, Member.avatar_url, Member.location, Member.message_count)
        .where(Member.workspace_id == workspace_id, Member.merged_into_id.is_(None))
    ):
        p = profiles[mid] = Profile(mid, count or 0, location=fold(location))
        _add(p, name, None, email, avatar)
    for mid, source_id, handle, name, email, avatar in s.execute(
        select(Identity.member_id, Identity.source_id, Identity.handle, Identity.display_name, Identity.email,
               Identity.avatar_url)
        .join(Member, Member.id == Identity.member_id)
        .where(Member.workspace_id == workspace_id, Member.merged_into_id.is_(None))
    ):
        p = profiles[mid]
        p.sources.add(source_id)
        _add(p, name, handle, email, avatar)
    return profiles


def _add(p: Profile, name, handle, email, avatar) -> None:
    if key := name_key(name):
        p.names.add(key)
    for forms in (handle_forms(handle), handle_forms((email or "").split("@")[0])):
        if len(forms[0]) >= 4 and forms[1]:
            p.handles.add(forms)
    if email and "@" in email:
        p.emails.add(email.strip().lower())
    if avatar:
        p.avatars.add(avatar)


@dataclass
class Suggestion:
    a: Member  # the one to keep by default (more messages)
    b: Member
    score: float
    reasons: list[str]


def _blocks(profiles: dict[int, Profile]) -> dict[str, list[int]]:
    blocks: dict[str, list[int]] = {}
    for pid, key in ((p.id, k) for p in profiles.values() for k in blocking_keys(p)):
        blocks.setdefault(key, []).append(pid)
    return blocks


def candidate_pairs(blocks: dict[str, list[int]]) -> set[tuple[int, int]]:
    """The pairs worth scoring: members sharing a key whose block is small enough to mean something."""
    pairs: set[tuple[int, int]] = set()
    for key, ids in blocks.items():
        if 1 < len(ids) <= BLOCK_MAX[key[0]]:
            ids = sorted(set(ids))
            pairs.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1 :])
    return pairs


def scored_pairs(profiles: dict[int, Profile], min_score: float = MIN_SCORE
                 ) -> list[tuple[float, int, int, list[str]]]:
    """(score, low id, high id, reasons) for every likely pair among the profiles, best first."""
    blocks = _blocks(profiles)
    name_count = {k[2:]: len(v) for k, v in blocks.items() if k.startswith("n:")}
    common_avatars = frozenset(k[2:] for k, v in blocks.items() if k.startswith("a:") and len(v) > 3)
    out = []
    for x, y in candidate_pairs(blocks):
        a, b = profiles[x], profiles[y]
        shared = max((name_count.get(" ".join(sorted(set(n.split()))), 0) for n in a.names & b.names), default=0)
        score, reasons = score_pair(a, b, shared, common_avatars)
        if score >= min_score:
            out.append((score, x, y, reasons))
    out.sort(key=lambda t: (-t[0], t[1], t[2]))
    return out


# Scoring a big workspace takes seconds (about 3 s for 20,000 members), so the scored list is kept per
# database and workspace for a while; merges and dismissals are applied when reading, so they show at once.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
CACHE_SECONDS = 600


def _scored(s: Session, workspace_id: int, max_age: float) -> list[tuple[float, int, int, list[str]]]:
    per_db = _CACHE.setdefault(s.get_bind(), {})
    hit = per_db.get(workspace_id)
    if hit is None or time.monotonic() - hit[0] > max_age:
        hit = per_db[workspace_id] = (time.monotonic(), scored_pairs(load_profiles(s, workspace_id)))
    return hit[1]


def merge_suggestions(s: Session, workspace_id: int, limit: int = 50, max_age: float = CACHE_SECONDS
                      ) -> list[Suggestion]:
    """The most likely duplicates, best first; never merged members, nor pairs a person dismissed or undid,
    and no member in more than PER_MEMBER suggestions at once. New members show within ``max_age`` s."""
    found, blocked = _scored(s, workspace_id, max_age), blocked_pairs(s, workspace_id)
    top: list = []
    seen: dict[int, int] = {}
    members: dict[int, Member] = {}
    asked: set[int] = set()
    pos = 0
    while len(top) < limit and pos < len(found):
        batch, pos = found[pos : pos + 4 * limit], pos + 4 * limit
        ids = {i for _, x, y, _ in batch for i in (x, y)} - asked
        asked |= ids
        members.update((m.id, m) for m in s.scalars(
            select(Member).where(Member.id.in_(ids), Member.workspace_id == workspace_id,
                                 Member.merged_into_id.is_(None))
            .options(selectinload(Member.identities).selectinload(Identity.source))))
        for score, x, y, reasons in batch:
            if (x, y) in blocked or x not in members or y not in members:
                continue
            if seen.get(x, 0) < PER_MEMBER and seen.get(y, 0) < PER_MEMBER and len(top) < limit:
                seen[x], seen[y] = seen.get(x, 0) + 1, seen.get(y, 0) + 1
                a, b = members[x], members[y]
                if (b.message_count or 0) > (a.message_count or 0):
                    a, b = b, a
                top.append(Suggestion(a, b, score, reasons))
    return top


# ------------------------------------------------------------------------------- said different


def blocked_pairs(s: Session, workspace_id: int) -> set[tuple[int, int]]:
    """Pairs (low id, high id) a person said are different: dismissed suggestions and undone merges."""
    pairs = set()
    ws = s.get(Workspace, workspace_id)
    for item in ((ws.settings or {}).get(DISMISSED_KEY, []) if ws else []):
        a, _, b = str(item).partition(":")
        if a.isdigit() and b.isdigit():
            pairs.add(tuple(sorted((int(a), int(b)))))
    for a, b in s.execute(select(MemberMerge.kept_member_id, MemberMerge.merged_member_id).where(
            MemberMerge.workspace_id == workspace_id, MemberMerge.undone_at.is_not(None))):
        pairs.add(tuple(sorted((a, b))))
    return pairs


# ---------------------------------------------------------------------------------- member page


@dataclass
class MergeEntry:
    merge: MemberMerge
    kept: Member
    merged: Member
    actor: User | None
    can_undo: bool


def merge_history(s: Session, workspace_id: int, member_id: int, limit: int = 50) -> list[MergeEntry]:
    rows = list(s.scalars(
        select(MemberMerge)
        .where(MemberMerge.workspace_id == workspace_id,
               or_(MemberMerge.kept_member_id == member_id, MemberMerge.merged_member_id == member_id))
        .order_by(MemberMerge.created_at.desc(), MemberMerge.id.desc()).limit(limit)))
    ids = {i for r in rows for i in (r.kept_member_id, r.merged_member_id)}
    members = {m.id: m for m in s.scalars(select(Member).where(Member.id.in_(ids)))} if ids else {}
    actor_ids = {r.actor_user_id for r in rows if r.actor_user_id}
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    out = []
    for r in rows:
        kept, merged = members[r.kept_member_id], members[r.merged_member_id]
        can_undo = r.undone_at is None and kept.merged_into_id is None and merged.merged_into_id == kept.id
        out.append(MergeEntry(r, kept, merged, users.get(r.actor_user_id), can_undo))
    return out


def merge_targets(s: Session, workspace_id: int, member_id: int, q: str, limit: int = 10) -> list[Member]:
    """Members matching a name, handle or e-mail search, for the "Merge with…" form."""
    if not q.strip():
        return []
    rows, _total = queries.list_members(s, workspace_id, queries.MemberFilter(q=q[:200], sort="messages",
                                                                              per_page=limit + 1))
    return [m for m in rows if m.id != member_id][:limit]


def merge_panel(s: Session, workspace_id: int, member_id: int, q: str = "") -> dict:
    """Context for templates/members/_merge_panel.html."""
    return {"merge_history": merge_history(s, workspace_id, member_id), "merge_q": q[:200],
            "merge_targets": merge_targets(s, workspace_id, member_id, q)}
