"""Build the whole demo community in memory, reproducibly from (seed, now), before any database work."""

from __future__ import annotations

import datetime as dt
import random

from kapwa.demo.activities import derive_people, event_times, plan_activities
from kapwa.demo.crisis import crisis_start, plan_crisis
from kapwa.demo.extras import mark_vips, member_tags, notes_and_tasks
from kapwa.demo.model import Plan
from kapwa.demo.outcomes import finalize
from kapwa.demo.people import build_population
from kapwa.demo.platforms import SOURCES, assign_ids
from kapwa.demo.threads import CONV_SHARE, Planner, _choice
from kapwa.demo.timeline import Clock

TARGET_MESSAGES = 22_000
MEMBER_COUNT = 590  # plus spam accounts and the look-alike pairs: a little over 600 member rows


def anchor(now: dt.datetime | None) -> dt.datetime:
    """The end of the demo window: ``now`` in UTC, by default the current hour."""
    if now is None:
        return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(dt.UTC)


def build_plan(seed: int = 2026, now: dt.datetime | None = None, target_messages: int = TARGET_MESSAGES) -> Plan:
    now = anchor(now)
    rng = random.Random(seed)
    clock = Clock(now)
    pop = build_population(rng, clock.start, now, MEMBER_COUNT)
    mark_vips(rng, pop)
    events = event_times(now)
    planner = Planner(rng, clock, pop, [(title, at) for _slug, title, at in events])
    start = crisis_start(now)
    plan_crisis(planner, start)
    total = sum(len(c.messages) for c in planner.convs)
    while total < target_messages:
        conv = planner.regular(_choice(rng, CONV_SHARE), clock.sample(rng))
        total += len(conv.messages) if conv else 0

    # Conversation order (and so database ids) follows time, as if synced as they happened.
    convs = sorted(planner.convs, key=lambda c: (c.messages[0].created_at, c.idx))
    planned = {}
    for idx, conv in enumerate(convs):
        planned[idx] = planner.planned.get(conv.idx, len(conv.messages))
        conv.idx = idx
        for m in conv.messages:
            m.conv = idx
    for conv in convs:
        finalize(rng, conv, planned[conv.idx], now, pop.members)
    for platform in SOURCES:
        assign_ids(rng, platform, [c for c in convs if c.platform == platform], pop.identities)
    derive_people(rng, pop, convs, now)
    plan = Plan(seed, now, clock.start, start, pop.members, pop.identities, convs)
    plan.activities = plan_activities(rng, pop, convs, now)
    plan.member_tags = member_tags(rng, pop, convs)
    davao = next(at for slug, _t, at in events if slug == "meetup-davao")
    plan.notes, plan.tasks = notes_and_tasks(rng, pop, convs, now, start, davao)
    return plan
