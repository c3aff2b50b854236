"""The demo community: size, platforms, languages, rhythm, the outage, consistency, and loading rules.

One full load is shared by the module (loading takes seconds); two more loads check loading into an
existing workspace and that a failed load leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import statistics
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from kapwa.core.models import (
    Activity,
    AuditEntry,
    Conversation,
    Identity,
    Member,
    Message,
    Note,
    Role,
    Source,
    Tag,
    Task,
    User,
    Workspace,
    conversation_tags,
    member_tags,
)
from kapwa.core.runtime import Runtime
from kapwa.core.security import verify_password
from kapwa.core.settings import load_settings
from kapwa.demo import DEMO_OWNER_EMAIL, DEMO_PASSWORD, DemoAlreadyLoaded, build_plan, load_demo
from kapwa.demo.timeline import MANILA
from tests.conftest import PG_URL, TEST_SECRET, _truncate_all

NOW = dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)
START = NOW - dt.timedelta(days=90)
SIX_HOURS = dt.timedelta(hours=6)
TAGALOG = {"ang", "ng", "po", "hindi", "yung", "ko", "na", "sa", "ba", "mga", "naman", "ako", "lang", "pa", "kasi",
           "niyo", "namin", "ito", "rin", "din", "talaga", "wala"}
ENGLISH = {"the", "is", "my", "and", "to", "it", "you", "for", "can", "this", "with", "i", "was", "does", "how",
           "what", "of", "in", "it's", "i'm", "not", "are", "but", "please", "thanks", "same", "just", "already"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, template_db):
    """One demo load for the whole module (mirrors conftest's ``settings`` and ``rt`` fixtures)."""
    data_dir = tmp_path_factory.mktemp("demo")
    if PG_URL:
        settings = load_settings(secret_key=TEST_SECRET, data_dir=data_dir, database_url=PG_URL)
    else:
        shutil.copy(template_db, data_dir / "kapwa.db")
        settings = load_settings(secret_key=TEST_SECRET, data_dir=data_dir)
    rt = Runtime.from_settings(settings)
    if PG_URL:
        _truncate_all(rt.db)
    steps: list[tuple[str, int, int]] = []
    summary = load_demo(rt, seed=2026, now=NOW, progress=lambda *a: steps.append(a))
    yield rt, summary, steps
    rt.close()


@pytest.fixture(scope="module")
def messages(demo):
    rt = demo[0]
    with rt.db.sessions() as s:
        return s.execute(select(Message).order_by(Message.id)).scalars().all()


def _count(rt, what) -> int:
    with rt.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(what))


# ---- size and shape ---------------------------------------------------------------------------------
def test_summary_and_counts(demo):
    rt, summary, steps = demo
    assert summary.members >= 500
    assert summary.messages >= 20_000
    assert summary.identities > summary.members
    assert summary.conversations >= 2_000
    assert summary.activities > summary.messages
    assert summary.users == 4 and summary.sources == 7
    assert summary.seconds < 60
    assert _count(rt, Member) == summary.members
    assert _count(rt, Identity) == summary.identities
    assert _count(rt, Message) == summary.messages
    assert _count(rt, Conversation) == summary.conversations
    assert _count(rt, Activity) == summary.activities
    assert _count(rt, Workspace) == 1
    with rt.db.sessions() as s:
        audit = s.scalars(select(AuditEntry)).all()
    assert [a.action for a in audit] == ["demo.load"]
    assert f"{summary.messages} messages" in audit[0].summary
    step_names = {name for name, _done, _total in steps}
    assert {"Members", "Messages", "Activities"} <= step_names
    assert all(done <= total for _name, done, total in steps)


def test_platforms_identities_and_lookalikes(demo):
    rt = demo[0]
    with rt.db.sessions() as s:
        sources = {src.kind: src.name for src in s.scalars(select(Source))}
        idents = s.scalars(select(Identity)).all()
        members = {m.id: m for m in s.scalars(select(Member))}
    assert {"discord", "discourse", "reddit", "telegram", "mastodon", "matrix", "email"} <= set(sources)
    assert sources["discord"] == "Bayani Pay Discord" and sources["reddit"] == "r/BayaniPay"
    by_platform = Counter(i.platform for i in idents)
    assert sum(1 for n in by_platform.values() if n >= 20) >= 4
    platforms_of = defaultdict(set)
    for i in idents:
        platforms_of[i.member_id].add(i.platform)
    assert sum(1 for p in platforms_of.values() if len(p) >= 2) >= 50
    assert all(i.member_id in members for i in idents)
    # Profile links look like the platforms' own.
    shapes = {"discord": r"^https://discord\.com/users/\d{17,20}$", "reddit": r"^https://www\.reddit\.com/user/[\w-]+/$",
              "discourse": r"^https://community\.bayanipay\.ph/u/\w+$", "matrix": r"^https://matrix\.to/#/@"}
    for i in idents:
        if i.platform in shapes:
            assert re.match(shapes[i.platform], i.profile_url), i.profile_url
    assert any(i.email and i.email_verified for i in idents)
    # Look-alike members left unmerged: the same handle on two platforms, or the same name.
    handle_owners = defaultdict(set)
    for i in idents:
        if i.handle and i.platform not in ("email", "matrix", "mastodon"):
            handle_owners[i.handle.lower()].add((i.member_id, i.platform))
    same_handle = [h for h, owners in handle_owners.items() if len({m for m, _ in owners}) >= 2]
    names = Counter(m.display_name for m in members.values() if " " in m.display_name)
    same_name = [n for n, k in names.items() if k >= 2]
    assert len(same_handle) + len(same_name) >= 10


def test_three_languages(messages):
    kinds = Counter()
    for m in messages:
        words = set(re.findall(r"[a-z']+(?:-[a-z']+)*", m.text.lower()))
        tl, en = bool(words & TAGALOG), bool(words & ENGLISH)
        kinds["taglish" if tl and en else "tagalog" if tl else "english" if en else "other"] += 1
    total = len(messages)
    assert kinds["english"] / total > 0.2
    assert kinds["tagalog"] / total > 0.15
    assert kinds["taglish"] / total > 0.08
    texts = " ".join(m.text for m in messages[:5000])
    assert "₱" in texts and " po" in texts


def test_same_seed_same_texts_different_seed_different(messages):
    def texts(plan):
        ordered = sorted(plan.messages(), key=lambda m: (m.created_at, m.conv, m.pos))
        return [m.text for m in ordered]

    again = texts(build_plan(2026, NOW))
    assert again == [m.text for m in messages]
    other = texts(build_plan(7, NOW))
    assert other[:200] != again[:200]
    assert len(set(other) ^ set(again)) > 1000


def test_outage_burst(messages):
    times = sorted(m.created_at for m in messages)
    assert times[0] >= START and times[-1] <= NOW
    best, best_start, j = 0, None, 0
    for i, t in enumerate(times):
        while times[j] < t - SIX_HOURS:
            j += 1
        if i - j + 1 > best:
            best, best_start = i - j + 1, times[j]
    bins = Counter(int((t - START) / SIX_HOURS) for t in times)
    median = statistics.median(bins.get(k, 0) for k in range(int((NOW - START) / SIX_HOURS)))
    assert best >= 5 * median, (best, median)
    assert dt.timedelta(days=12) <= NOW - best_start <= dt.timedelta(days=16)
    burst = [m for m in messages if best_start <= m.created_at <= best_start + SIX_HOURS]
    assert len({m.source_id for m in burst}) >= 5  # across platforms
    assert sum("#BayaniPayDown" in m.text for m in burst) >= 10
    assert any(m.direction == "outbound" and "investigating" in m.text for m in burst)  # holding statement
    assert any("Resolved" in m.text for m in messages if m.direction == "outbound" and m.created_at > best_start)


def test_weekly_and_daily_rhythm(messages):
    hours = Counter(m.created_at.astimezone(MANILA).hour for m in messages)
    night = sum(hours[h] for h in (2, 3, 4, 5))
    evening = sum(hours[h] for h in (19, 20, 21, 22))
    assert night * 4 < evening
    days = defaultdict(int)
    for m in messages:
        days[m.created_at.astimezone(MANILA).date()] += 1
    full = [d for d in days if START.astimezone(MANILA).date() < d < NOW.astimezone(MANILA).date()]
    weekday = statistics.median(days[d] for d in full if d.weekday() < 5)
    weekend = statistics.median(days[d] for d in full if d.weekday() >= 5)
    assert weekend < weekday


# ---- consistency ------------------------------------------------------------------------------------
def test_conversations_agree_with_their_messages(demo, messages):
    rt = demo[0]
    with rt.db.sessions() as s:
        convs = s.scalars(select(Conversation)).all()
    by_conv = defaultdict(list)
    for m in messages:
        by_conv[m.conversation_id].append(m)
    statuses = Counter(c.status for c in convs)
    assert set(statuses) == {"new", "open", "pending", "resolved", "spam"}
    assert Counter(c.priority for c in convs).keys() == {"low", "normal", "high", "urgent"}
    for c in convs:
        msgs = sorted(by_conv[c.id], key=lambda m: (m.created_at, m.id))
        assert c.message_count == len(msgs)
        assert c.first_message_at == msgs[0].created_at and c.last_message_at == msgs[-1].created_at
        inbound = [m.created_at for m in msgs if m.direction == "inbound"]
        assert c.last_inbound_at == (max(inbound) if inbound else None)
        assert c.title and c.channel
        if c.first_response_at:
            assert any(m.created_at == c.first_response_at and
                       (m.direction == "outbound" or m.member_id != c.started_by_member_id) for m in msgs)
        if c.needs_answer:
            assert c.status in ("new", "open")
        assert (c.resolved_at is not None) == (c.status == "resolved")
        if c.is_direct:
            assert all(m.kind == "direct" for m in msgs)
    unanswered = [c for c in convs if c.needs_answer and c.first_response_at is None]
    assert len(unanswered) >= 50
    assert sum(c.is_direct for c in convs) >= 10
    assert sum(c.assignee_id is not None for c in convs) >= 200
    assert statuses["spam"] >= 5


def test_messages_shape(demo, messages):
    rt = demo[0]
    by_id = {m.id: m for m in messages}
    kinds = Counter(m.kind for m in messages)
    assert set(kinds) == {"post", "comment", "reply", "direct", "mention"}
    with rt.db.sessions() as s:
        team = set(s.scalars(select(User.id)))
        platform_of = dict(s.execute(select(Source.id, Source.kind)).all())
    for m in messages:
        if m.direction == "outbound":
            assert m.sent_by_user_id in team and m.member_id is None and m.author_identity_id is None
        else:
            assert m.direction == "inbound" and m.member_id and m.author_identity_id and m.sent_by_user_id is None
        if m.parent_id:
            parent = by_id[m.parent_id]
            assert parent.conversation_id == m.conversation_id and parent.created_at <= m.created_at
        assert m.language is None and m.sentiment_label is None and m.toxicity_score is None and m.intent is None
        assert m.raw and m.text
        platform = platform_of[m.source_id]
        if platform == "discord":
            assert m.url.startswith("https://discord.com/channels/") and m.platform_message_id.isdigit()
        elif platform == "reddit":
            assert m.url.startswith("https://www.reddit.com/r/BayaniPay/comments/")
            assert m.platform_message_id.startswith(("t1_", "t3_"))
        elif platform == "discourse":
            assert m.url.startswith("https://community.bayanipay.ph/t/")
    assert sum(m.parent_id is not None for m in messages) > 5_000
    assert ids_follow_time(messages)


def ids_follow_time(messages) -> bool:
    times = [m.created_at for m in messages]  # ordered by id
    return times == sorted(times)


def test_members_agree_with_their_messages(demo, messages):
    rt = demo[0]
    with rt.db.sessions() as s:
        members = s.scalars(select(Member)).all()
    stats = defaultdict(list)
    for m in messages:
        if m.member_id:
            stats[m.member_id].append(m.created_at)
    assert sum(1 for m in members if m.is_vip) >= 5
    assert sum(1 for m in members if m.location) > len(members) / 2
    assert {m.language for m in members} == {"en", "tl"}
    for member in members:
        times = stats.get(member.id, [])
        assert member.message_count == len(times)
        assert member.first_seen_at is not None and member.last_active_at >= member.first_seen_at
        if times:
            assert member.first_seen_at <= min(times) and member.last_active_at >= max(times)


def test_activities(demo, messages):
    rt = demo[0]
    with rt.db.sessions() as s:
        acts = s.execute(select(Activity.type, Activity.message_id, Activity.title, Activity.member_id)).all()
        identities = s.scalar(select(func.count()).select_from(Identity))
    types = Counter(a.type for a in acts)
    assert types["joined"] == identities
    assert types["posted"] + types["replied"] == sum(m.direction == "inbound" for m in messages)
    assert types["reacted"] > 1_000
    assert all(a.message_id for a in acts if a.type in ("posted", "replied", "reacted"))
    events = {a.title for a in acts if a.type == "attended"}
    assert {"Bayani Pay Meetup Cebu", "Ipon Challenge livestream"} <= events


def test_tags_notes_tasks_and_content(demo, messages):
    rt = demo[0]
    with rt.db.sessions() as s:
        tags = set(s.scalars(select(Tag.name)))
        assert s.scalar(select(func.count()).select_from(conversation_tags)) > 500
        assert s.scalar(select(func.count()).select_from(member_tags)) > 20
        assert s.scalar(select(func.count()).select_from(Note)) >= 5
        assert s.scalar(select(func.count()).select_from(Task)) >= 5
    assert {"cash-in", "verification", "outage", "feature-request", "bug", "vip"} <= tags
    text = [m.text.lower() for m in messages]
    toxic = sum(bool(re.search(r"\b(bobo|tanga|idiots?|tatanga)\b", t)) for t in text)
    assert 5 <= toxic <= len(text) * 0.01  # a few
    assert sum("http" in t and ("usdt" in t or "airdrop" in t or "claim" in t) for t in text) >= 5
    assert len(set(text)) > len(text) / 3  # varied


# ---- logging in and loading rules ---------------------------------------------------------------------
def test_demo_team_can_log_in(demo):
    rt = demo[0]
    with rt.db.sessions() as s:
        users = {u.email: u for u in s.scalars(select(User))}
    owner = users[DEMO_OWNER_EMAIL]
    assert owner.role == Role.owner.value and owner.is_active
    assert verify_password(owner.password_hash, DEMO_PASSWORD)
    assert {u.role for u in users.values()} == {"owner", "manager", "moderator", "analyst"}
    assert all(u.email.endswith("@kapwa.local") for u in users.values())


def test_loading_twice_is_refused(demo):
    rt, summary, _steps = demo
    with pytest.raises(DemoAlreadyLoaded) as err:
        load_demo(rt, seed=2026, now=NOW)
    assert "already has messages" in err.value.message
    assert _count(rt, Message) == summary.messages


def test_ids_keep_counting_after_the_load(demo):
    """Ids came from the database, so sequences (PostgreSQL) are where they should be."""
    rt, summary, _steps = demo
    with rt.db.write_sessions() as s, s.begin():
        top = s.scalar(select(func.max(Member.id)))
        member = Member(workspace_id=summary.workspace_id, display_name="New Member")
        s.add(member)
        s.flush()
        assert member.id > top
        s.rollback()


# These use the function-scoped ``rt`` (which empties a PostgreSQL test database), so they come last.
def test_loads_into_an_initialised_workspace(rt, factory):
    owner = factory.user(email="owner@example.org")
    manager = factory.user(Role.moderator, email="paolo.reyes@kapwa.local", name="Paolo R.")
    summary = load_demo(rt, seed=3, now=NOW)
    assert summary.workspace_id == factory.workspace_id
    with rt.db.sessions() as s:
        users = {u.email: u for u in s.scalars(select(User))}
        assert s.scalar(select(func.count()).select_from(Workspace)) == 1
    assert users["owner@example.org"].id == owner.id
    assert users["paolo.reyes@kapwa.local"].password_hash == manager.password_hash  # kept as it was
    assert users["paolo.reyes@kapwa.local"].role == "moderator"
    assert DEMO_OWNER_EMAIL in users and len(users) == 5
    assert summary.users == 4


def test_a_failed_load_leaves_nothing(rt):
    def explode(step, done, total):
        if step == "Messages" and done > 0:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        load_demo(rt, seed=2026, now=NOW, progress=explode)
    for model in (Workspace, User, Member, Conversation, Message, AuditEntry):
        assert _count(rt, model) == 0


def test_naive_now_is_refused(rt):
    with pytest.raises(ValueError):
        load_demo(rt, now=dt.datetime(2026, 1, 1))

