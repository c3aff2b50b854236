"""Identity merge: manual merge and exact undo, chains, refusals, audit, automatic merge, suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound
from kapwa.core.models import (
    Activity,
    AuditEntry,
    Conversation,
    Identity,
    Member,
    MemberMerge,
    Message,
    Note,
    Role,
    Tag,
    Task,
    Workspace,
    member_tags,
)
from kapwa.ingest.pipeline import ingest_batch
from kapwa.members import queries
from kapwa.members.actions import do_add_member_note, do_add_member_task, do_tag_member
from kapwa.members.merge import do_auto_merge, do_dismiss_suggestion, do_merge_members, do_unmerge
from kapwa.members.merge_queries import Profile, merge_suggestions, score_pair

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def actor_for(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=user.role_enum, name=user.name)


def add(rt, obj):
    with rt.db.write_sessions() as s, s.begin():
        s.add(obj)
    return obj


def state(rt, member_id: int) -> dict:
    """Everything a merge may touch, as a person would compare it."""
    with rt.db.sessions() as s:
        m = s.get(Member, member_id)
        def ids(model, col):
            return sorted(s.scalars(select(model.id).where(col == member_id)))
        return {
            "fields": {k: getattr(m, k) for k in ("display_name", "email", "avatar_url", "bio", "location",
                                                  "language", "is_vip", "is_blocked", "message_count",
                                                  "first_seen_at", "last_active_at", "merged_into_id")},
            "identities": ids(Identity, Identity.member_id),
            "messages": ids(Message, Message.member_id),
            "conversations": ids(Conversation, Conversation.started_by_member_id),
            "activities": ids(Activity, Activity.member_id),
            "notes": ids(Note, Note.member_id),
            "tasks": ids(Task, Task.member_id),
            "tags": sorted(s.scalars(select(Tag.name).join(member_tags, member_tags.c.tag_id == Tag.id)
                                     .where(member_tags.c.member_id == member_id))),
        }


def person(rt, factory, name, source, *, days=(0,), handle=None, tags=(), mod=None, **fields):
    """A member with one identity, messages on the given days (the first starts a conversation), one
    activity, a note, a task and tags; figures consistent with the messages."""
    m = factory.member(name, message_count=len(days), first_seen_at=at(min(days)), last_active_at=at(max(days)),
                       **fields)
    ident = factory.identity(m, source, handle=handle)
    conv = factory.conversation(source, title=f"{name} asks", started_by_member_id=m.id)
    for d in days:
        factory.message(conv, text=f"{name} on day {d}", identity=ident, created_at=at(d))
    add(rt, Activity(workspace_id=m.workspace_id, member_id=m.id, identity_id=ident.id, source_id=source.id,
                     type="joined", occurred_at=at(min(days) - 1)))
    if mod is not None:
        do_add_member_note(rt, mod, m.id, f"Note about {name}")
        do_add_member_task(rt, mod, m.id, f"Call {name}")
        for t in tags:
            do_tag_member(rt, mod, m.id, t)
    return m


@pytest.fixture
def team(factory):
    return {"manager": actor_for(factory.user(Role.manager)), "moderator": actor_for(factory.user(Role.moderator)),
            "analyst": actor_for(factory.user(Role.analyst))}


@pytest.fixture
def pair(rt, factory, team):
    discord, reddit = factory.source("discord"), factory.source("reddit")
    keep = person(rt, factory, "maria.santos", discord, days=(3, 10), tags=("seller", "ofw"), mod=team["moderator"])
    other = person(rt, factory, "Maria Clara Santos", reddit, days=(1, 5, 12), tags=("ofw", "cebu"),
                   mod=team["moderator"], location="Cebu City", is_vip=True, email="maria@example.ph")
    return keep, other


def test_merge_moves_everything_and_undo_restores_exactly(rt, pair, team):
    keep, other = pair
    before_keep, before_other = state(rt, keep.id), state(rt, other.id)

    row = do_merge_members(rt, team["manager"], keep.id, other.id)

    merged_view, kept_view = state(rt, other.id), state(rt, keep.id)
    for key in ("identities", "messages", "conversations", "activities", "notes", "tasks"):
        assert merged_view[key] == [], key
        assert kept_view[key] == sorted(before_keep[key] + before_other[key]), key
    assert kept_view["tags"] == ["cebu", "ofw", "seller"] and merged_view["tags"] == []
    f = kept_view["fields"]
    assert f["display_name"] == "Maria Clara Santos"  # the name that looks like a person's
    assert (f["location"], f["email"], f["is_vip"]) == ("Cebu City", "maria@example.ph", True)
    assert (f["message_count"], f["first_seen_at"], f["last_active_at"]) == (5, at(1), at(12))
    assert merged_view["fields"]["merged_into_id"] == keep.id
    with rt.db.sessions() as s:
        listed, total = queries.list_members(s, keep.workspace_id, queries.MemberFilter())
        snap = s.get(MemberMerge, row.id).snapshot
    assert [m.id for m in listed] == [keep.id] and total == 1
    assert snap["messages"] == before_other["messages"] and snap["identities"] == before_other["identities"]
    assert snap["kept_before"]["display_name"] == "maria.santos"

    do_unmerge(rt, team["manager"], row.id)

    assert state(rt, keep.id) == before_keep
    assert state(rt, other.id) == before_other
    with rt.db.sessions() as s:
        assert s.get(MemberMerge, row.id).undone_at is not None
        assert queries.list_members(s, keep.workspace_id, queries.MemberFilter())[1] == 2


def test_chain_a_into_b_into_c_then_undo_b_from_c(rt, factory, team):
    src = factory.source("discord")
    a = person(rt, factory, "Ana Reyes", src, days=(1,), tags=("a-tag",), mod=team["moderator"])
    b = person(rt, factory, "ana.reyes", factory.source("telegram"), days=(4,), tags=("b-tag",), mod=team["moderator"])
    c = person(rt, factory, "Ana R.", factory.source("reddit"), days=(8, 9), mod=team["moderator"])
    original = {m.id: state(rt, m.id) for m in (a, b, c)}

    first = do_merge_members(rt, team["manager"], b.id, a.id)
    after_first = {m.id: state(rt, m.id) for m in (a, b, c)}
    second = do_merge_members(rt, team["manager"], c.id, b.id)
    assert len(state(rt, c.id)["messages"]) == 4 and state(rt, c.id)["tags"] == ["a-tag", "b-tag"]

    with pytest.raises(ActionError, match="undo that merge first"):
        do_unmerge(rt, team["manager"], first.id)  # B is merged into C: the later merge comes off first

    do_unmerge(rt, team["manager"], second.id)
    assert {m.id: state(rt, m.id) for m in (a, b, c)} == after_first
    do_unmerge(rt, team["manager"], first.id)
    assert {m.id: state(rt, m.id) for m in (a, b, c)} == original


def test_refusals_change_nothing(rt, factory, pair, team):
    keep, other = pair
    third = factory.member("Third Person")
    manager = team["manager"]
    with pytest.raises(ActionError, match="itself"):
        do_merge_members(rt, manager, keep.id, keep.id)
    for role in ("analyst", "moderator"):
        with pytest.raises(Forbidden):
            do_merge_members(rt, team[role], keep.id, other.id)
    elsewhere_ws = add(rt, Workspace(name="Other community", slug="other-community"))
    stranger = add(rt, Member(workspace_id=elsewhere_ws.id, display_name="Maria Clara Santos"))
    with pytest.raises(NotFound):
        do_merge_members(rt, manager, keep.id, stranger.id)
    with pytest.raises(NotFound):
        do_merge_members(rt, manager, stranger.id, keep.id)
    row = do_merge_members(rt, manager, keep.id, other.id)
    with pytest.raises(ActionError, match="itself merged"):
        do_merge_members(rt, manager, other.id, third.id)  # into a member that was merged away
    with pytest.raises(ActionError, match="already merged"):
        do_merge_members(rt, manager, third.id, other.id)
    with pytest.raises(Forbidden):
        do_unmerge(rt, team["moderator"], row.id)
    do_unmerge(rt, manager, row.id)
    with pytest.raises(ActionError, match="already undone"):
        do_unmerge(rt, manager, row.id)
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MemberMerge)) == 1
        assert s.get(Member, third.id).merged_into_id is None
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("member.%merge"))
                        ) == 2


def test_merge_and_undo_are_audited_and_announced(rt, pair, team):
    keep, other = pair
    seen = []
    rt.events.subscribe(seen.append)
    row = do_merge_members(rt, team["manager"], keep.id, other.id)
    do_unmerge(rt, team["manager"], row.id)
    with rt.db.sessions() as s:
        entries = {e.action: e for e in s.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ("member.merge", "member.unmerge"))))}
    merge_entry, undo_entry = entries["member.merge"], entries["member.unmerge"]
    assert merge_entry.actor_user_id == team["manager"].user_id and merge_entry.target_id == keep.id
    assert "Maria Clara Santos" in merge_entry.summary and "3 messages" in merge_entry.summary
    assert merge_entry.changes["merge_id"] == row.id and merge_entry.changes["moved"]["identities"] == 1
    assert undo_entry.changes["merge_id"] == row.id and f"#{row.id}" in undo_entry.summary
    assert [e.type for e in seen if e.type.startswith("member.") and e.type != "member.updated"] == [
        "member.merged", "member.unmerged"]


def author(uid: str, **kw) -> InboundAuthor:
    return InboundAuthor(platform_user_id=uid, handle=kw.pop("handle", uid), display_name=kw.pop("name", uid), **kw)


def test_messages_ingested_after_a_merge_belong_to_the_kept_member(rt, factory, team):
    forum, reddit = factory.source("discourse", name="Forum"), factory.source("reddit", name="r/bayanipay")
    ingest_batch(rt, forum.id, Batch([InboundItem("f1", at(0), "Hello po", author("41", name="Ben Cruz"))]),
                 analyze=False)
    ingest_batch(rt, reddit.id, Batch([InboundItem("r1", at(1), "Hi all", author("t2_ben", handle="ben_cruz"))]),
                 analyze=False)
    with rt.db.sessions() as s:
        ben_forum = s.scalar(select(Identity.member_id).where(Identity.platform_user_id == "41"))
        ben_reddit = s.scalar(select(Identity.member_id).where(Identity.platform_user_id == "t2_ben"))
    row = do_merge_members(rt, team["manager"], ben_forum, ben_reddit)

    ingest_batch(rt, reddit.id, Batch([InboundItem("r2", at(2), "New post", author("t2_ben", handle="ben_cruz"))]),
                 analyze=False)
    with rt.db.sessions() as s:
        new = s.scalar(select(Message).where(Message.platform_message_id == "r2"))
        kept = s.get(Member, ben_forum)
        assert new.member_id == ben_forum
        assert (kept.message_count, kept.last_active_at) == (3, at(2))

    # Undo follows the identity: the later message goes back with it, and both members are counted again.
    do_unmerge(rt, team["manager"], row.id)
    with rt.db.sessions() as s:
        assert s.scalar(select(Message.member_id).where(Message.platform_message_id == "r2")) == ben_reddit
        forum_m, reddit_m = s.get(Member, ben_forum), s.get(Member, ben_reddit)
        assert (forum_m.message_count, forum_m.last_active_at) == (1, at(0))
        assert (reddit_m.message_count, reddit_m.first_seen_at, reddit_m.last_active_at) == (2, at(1), at(2))
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.member_id == ben_reddit)) == 2


# ------------------------------------------------------------------------------------------- automatic


def _merged_into(rt, member_id):
    with rt.db.sessions() as s:
        return s.get(Member, member_id).merged_into_id


def test_auto_merge_certain_matches_only(rt, factory, team):
    forum, discord, telegram = factory.source("discourse"), factory.source("discord"), factory.source("telegram")
    masto1 = factory.source("mastodon", config={"instance": "https://mastodon.social"})
    masto2 = factory.source("mastodon", config={"instance": "https://mas.to"})
    masto3 = factory.source("mastodon", config={"instance": "https://mastodon.social/"})
    forum2 = factory.source("discourse")

    def one(name, src, **kw):
        m = factory.member(name, message_count=kw.pop("count", 0))
        factory.identity(m, src, **kw)
        return m

    verified_a = one("Liza Soberano", forum, email="liza@example.ph", email_verified=True, count=4)
    verified_b = one("liza_s", discord, email="LIZA@example.ph", email_verified=True)
    fedi_a = one("Pedro", masto1, handle="@pedro@fosstodon.org", count=2)
    fedi_b = one("pedro penduko", masto2, handle="@Pedro@fosstodon.org")
    local_a = one("Juan", masto1, handle="juan")  # local accounts: juan@mastodon.social …
    local_b = one("Juan", masto2, handle="juan")  # … and juan@mas.to are two people
    local_c = one("Juan dela Cruz", masto3, handle="juan")  # same instance as local_a
    same_name_a = one("Jose Rizal", discord)
    same_name_b = one("Jose Rizal", telegram)
    unverified_a = one("Rosa", discord, email="rosa@example.ph")
    unverified_b = one("Rosa", telegram, email="rosa@example.ph")
    forum_a = one("Tess", forum, handle="tess")  # two forums: two user tables
    forum_b = one("Tess", forum2, handle="tess")

    done = do_auto_merge(rt, team["manager"])

    assert sorted(done) == sorted([(verified_a.id, verified_b.id, "verified-email"),
                                   (fedi_a.id, fedi_b.id, "same-handle"),
                                   (min(local_a.id, local_c.id), max(local_a.id, local_c.id), "same-handle")])
    for m in (local_b, same_name_a, same_name_b, unverified_a, unverified_b, forum_a, forum_b):
        assert _merged_into(rt, m.id) is None, m.display_name
    assert do_auto_merge(rt, team["manager"]) == []  # idempotent
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MemberMerge)) == 3
        assert s.scalar(select(MemberMerge.reason).where(MemberMerge.merged_member_id == verified_b.id)
                        ) == "verified-email"


def test_auto_merge_respects_undo_and_dismissal(rt, factory, team):
    d1, d2 = factory.source("discord"), factory.source("discord")
    a, b, c = factory.member("Nena"), factory.member("nena"), factory.member("Nena B")
    factory.identity(a, d1, platform_user_id="80351110224678912")
    factory.identity(b, d2, platform_user_id="80351110224678912")  # the same Discord account on two servers
    gh1, gh2 = factory.source("github"), factory.source("github")
    factory.identity(c, gh1, handle="nena-b")
    d = factory.member("Nena Bautista")
    factory.identity(d, gh2, handle="Nena-B")

    first = do_auto_merge(rt, team["manager"])
    assert sorted(r for *_, r in first) == ["same-account", "same-handle"]
    undo = next(m for m in first if m[2] == "same-account")
    with rt.db.sessions() as s:
        merge_id = s.scalar(select(MemberMerge.id).where(MemberMerge.merged_member_id == undo[1]))
    do_unmerge(rt, team["manager"], merge_id)
    assert do_auto_merge(rt, team["manager"]) == []  # a person said no: not merged again

    e, f = factory.member("Lito"), factory.member("Lito L")
    factory.identity(e, factory.source("matrix"), platform_user_id="@lito:matrix.org")
    factory.identity(f, factory.source("matrix"), platform_user_id="@lito:matrix.org")
    do_dismiss_suggestion(rt, team["manager"], e.id, f.id)
    assert do_auto_merge(rt, team["manager"]) == []


# ------------------------------------------------------------------------------------------ suggestions


def profile(pid, name, *handles, **kw) -> Profile:
    from kapwa.members.merge_queries import _add

    p = Profile(pid, **kw)
    _add(p, name, None, None, None)
    for h in handles:
        _add(p, None, h, None, None)
    return p


def test_scores_rank_a_name_and_its_handle_above_different_names():
    maria = score_pair(profile(1, "Maria Clara Santos"), profile(2, "maria.santos", "maria.santos"))
    juan = score_pair(profile(3, "Juan"), profile(4, "Joanna"))
    assert maria[0] >= 0.9 and "name-like-handle" in maria[1]
    assert juan[0] < 0.6
    same_source = score_pair(profile(5, "Maria Clara Santos", sources={7}), profile(6, "maria.santos", sources={7}))
    assert same_source[0] < maria[0] and "same-source" in same_source[1]


def test_suggestions_best_first_without_merged_or_dismissed_pairs(rt, factory, team):
    discord, reddit, telegram = factory.source("discord"), factory.source("reddit"), factory.source("telegram")

    def one(name, src, handle=None, **kw):
        m = factory.member(name, **kw)
        factory.identity(m, src, handle=handle or "x" + str(m.id))
        return m

    maria_a, maria_b = one("Maria Clara Santos", discord), one("maria.santos", reddit, handle="maria.santos")
    pedro_a = one("Pedro Reyes", discord, avatar_url="https://cdn.example/p.png", location="Iloilo City")
    pedro_b = one("Pedro Reyes", telegram, avatar_url="https://cdn.example/p.png", location="Iloilo City")
    one("Juan", discord), one("Joanna", reddit)
    lito_a, lito_b = one("Lito Lapid", discord), one("Lito Lapid", reddit)
    gone_a, gone_b = one("Gloria Macaraeg", discord), one("Gloria Macaraeg", reddit)
    do_merge_members(rt, team["manager"], gone_a.id, gone_b.id)
    do_dismiss_suggestion(rt, team["manager"], lito_a.id, lito_b.id)

    with rt.db.sessions() as s:
        found = merge_suggestions(s, factory.workspace_id)
    pairs = [({x.a.id, x.b.id}, x.score) for x in found]
    assert [p for p, _ in pairs] == [{pedro_a.id, pedro_b.id}, {maria_a.id, maria_b.id}]
    assert pairs[0][1] == 1.0 and 0.85 <= pairs[1][1] < 1.0
    assert set(found[0].reasons) >= {"same-name", "same-avatar", "same-location"}
    assert found[1].a.identities and found[1].b.identities[0].source.name  # loaded for the page


def test_suggestions_compare_few_pairs_and_still_find_planted_duplicates():
    """Blocking: 5,000 members are not compared with each other (12.5 million pairs), only with look-alikes."""
    import random

    from kapwa.members.merge_queries import _blocks, candidate_pairs, scored_pairs

    rng = random.Random(2026)
    firsts = ["Maria", "Juan", "Jose", "Ana", "Mark", "Kristine", "Paolo", "Rhea", "Carlo", "Joy", "Miguel", "Bea"]
    syllables = ["ba", "ca", "da", "ga", "la", "ma", "na", "pa", "sa", "ta", "yo", "ri", "lo", "ne", "co", "ro"]
    profiles, planted = {}, []
    for i in range(5000):
        first, last = rng.choice(firsts), "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        handle = rng.choice([f"{first}{last}", f"{first}_{last}{rng.randrange(99)}", f"{first}{rng.randrange(9999)}"])
        profiles[i] = profile(i, f"{first} {last}", handle, sources={i % 4})
        if i % 100 == 0:  # the same person elsewhere: the handle as the name, or a decorated handle
            twin = 100_000 + i
            name = handle if i % 200 else f"{first} {last}"
            profiles[twin] = profile(twin, name, handle + "_ph", sources={4})
            planted.append((i, twin))
    compared = candidate_pairs(_blocks(profiles))
    assert len(compared) < 10 * len(profiles)
    found = {(x, y) for _, x, y, _ in scored_pairs(profiles)}
    assert sum(pair in found for pair in planted) >= 0.9 * len(planted)
