"""Member timelines: first/last seen and message counts that agree with the messages, and the
activities (joined, posted, replied, reacted, attended) that feed engagement scores."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from kapwa.demo.model import PActivity, PConv
from kapwa.demo.people import Population
from kapwa.demo.platforms import SOURCES
from kapwa.demo.timeline import MANILA, Clock

REACTIONS = {"discord": ["👍", "❤️", "😂", "🙏", "🔥", "😭", "💯"], "telegram": ["👍", "❤", "🔥", "😂", "🙏", "👏"],
             "discourse": ["heart"], "mastodon": ["favourite"], "matrix": ["👍", "🎉", "👀"]}
# (slug, title, days from now, Manila hour, format, location, attendees, people from here come more often)
EVENTS = [
    ("negosyo-webinar", "Negosyo Webinar: QR Ph for sari-sari stores", -62, 19, "online", None, 55, None),
    ("meetup-cebu", "Bayani Pay Meetup Cebu", -40, 14, "in person", "Ayala Center Cebu, Cebu City", 45, "Cebu"),
    ("ipon-live", "Ipon Challenge livestream", -25, 20, "online", None, 110, None),
    ("meetup-davao", "Bayani Pay Meetup Davao", 12, 14, "in person", "Abreeza Mall, Davao City", 0, "Davao"),
]


def event_times(now: dt.datetime) -> list[tuple[str, str, dt.datetime]]:
    out = []
    for slug, title, days, hour, fmt, _where, _n, _near in EVENTS:
        day = (now + dt.timedelta(days=days)).astimezone(MANILA).date()
        if fmt == "in person":  # meetups are on Saturdays
            day += dt.timedelta(days=(5 - day.weekday()) % 7) if days > 0 else -dt.timedelta(days=(day.weekday() - 5) % 7)
        out.append((slug, title, Clock.manila_at(day, hour)))
    return out


def derive_people(rng: random.Random, pop: Population, convs: list[PConv], now: dt.datetime) -> None:
    first: dict[int, dt.datetime] = {}
    last: dict[int, dt.datetime] = {}
    for c in convs:
        for m in c.messages:
            if m.identity is None:
                continue
            first[m.identity] = min(first.get(m.identity, m.created_at), m.created_at)
            last[m.identity] = max(last.get(m.identity, m.created_at), m.created_at)
            pop.members[m.member].message_count += 1
    ceiling = now - dt.timedelta(hours=1)
    for ident in pop.identities:
        member = pop.members[ident.member]
        seen = member.join_at
        if member.identities[0] != ident.idx:  # a second platform, joined later
            seen += dt.timedelta(days=rng.uniform(0, 120))
        fm = first.get(ident.idx)
        if fm is not None and seen > fm:
            seen = fm - dt.timedelta(seconds=rng.randrange(60, 2 * 86400))
        ident.first_seen = min(seen, ceiling, fm or ceiling)
        ident.last_seen = last.get(ident.idx, ident.first_seen)
    for member in pop.members:
        idents = [pop.identities[i] for i in member.identities]
        member.first_seen = min(i.first_seen for i in idents)
        member.last_active = max(i.last_seen for i in idents)


def plan_activities(rng: random.Random, pop: Population, convs: list[PConv], now: dt.datetime) -> list[PActivity]:
    acts: list[PActivity] = []
    for ident in pop.identities:
        acts.append(PActivity(ident.member, ident.idx, ident.platform, "joined", ident.first_seen,
                              f"Joined {SOURCES[ident.platform][0]}", {}, f"join:{ident.platform_user_id}", 0.5))
    for c in convs:
        for m in c.messages:
            if m.member is None:
                continue
            kind = "posted" if m.pos == 0 else "replied"
            acts.append(PActivity(m.member, m.identity, c.platform, kind, m.created_at, c.title[:300],
                                  {"channel": c.channel, "kind": m.kind}, f"msg:{m.platform_message_id}",
                                  1.0 if kind == "posted" else 0.7, (c.idx, m.pos)))
    acts += _reactions(rng, pop, convs, now)
    acts += _attendance(rng, pop, now)
    for a in acts:
        member = pop.members[a.member]
        member.last_active = max(member.last_active, a.occurred_at)
    return acts


def _reactions(rng: random.Random, pop: Population, convs: list[PConv], now: dt.datetime) -> list[PActivity]:
    pools = {}
    for platform in REACTIONS:
        idents = [i for i in pop.identities if i.platform == platform and "spam" not in pop.members[i.member].tags]
        pools[platform] = (idents, list(itertools.accumulate(i.weight + 0.6 for i in idents)))
    seen: set[str] = set()
    acts = []
    for c in convs:
        if c.platform not in REACTIONS or c.topic == "spam" or c.is_direct:
            continue
        idents, cum = pools[c.platform]
        for m in c.messages:
            p = 0.45 if (m.staff or c.topic in ("praise", "announcement") or m.is_answer) else 0.15
            if m.key == "toxic" or rng.random() >= p:
                continue
            for _ in range(1 + min(int(rng.expovariate(1 / 1.3)), 9)):
                ident = rng.choices(idents, cum_weights=cum)[0]
                at = m.created_at + dt.timedelta(seconds=rng.expovariate(1 / 2400) + 10)
                member = pop.members[ident.member]
                if ident.member == m.member or at > now or member.join_at > at:
                    continue
                emoji = rng.choice(REACTIONS[c.platform])
                if c.crisis and c.platform in ("discord", "telegram") and not m.staff:
                    emoji = rng.choice(["😡", "👍", "😭"])
                pid = f"react:{m.platform_message_id}:{ident.platform_user_id}:{emoji}"
                if pid in seen:
                    continue
                seen.add(pid)
                ident.last_seen = max(ident.last_seen, at)
                acts.append(PActivity(ident.member, ident.idx, c.platform, "reacted", at, c.title[:300],
                                      {"emoji": emoji, "on": "team" if m.staff else "member"}, pid, 0.3, (c.idx, m.pos)))
    return acts


def _attendance(rng: random.Random, pop: Population, now: dt.datetime) -> list[PActivity]:
    acts = []
    times = {slug: at for slug, _title, at in event_times(now)}
    for slug, title, _days, _hour, fmt, where, count, near in EVENTS:
        at = times[slug]
        if at > now or not count:
            continue
        people = [m for m in pop.members if m.first_seen <= at and "spam" not in m.tags]
        weights = [(m.weight + 0.4) * (8 if near and near in (m.location or "") else 1) *
                   (0.15 if fmt == "in person" and near and near not in (m.location or "") else 1) for m in people]
        chosen: dict[int, None] = {}
        while len(chosen) < min(count, len(people)):
            chosen[rng.choices(people, weights=weights)[0].idx] = None
        for idx in chosen:
            props = {"event": slug, "format": fmt}
            if where:
                props["location"] = where
            acts.append(PActivity(idx, None, None, "attended", at + dt.timedelta(minutes=rng.randrange(0, 40)), title,
                                  props, None, 3.0))
    return acts
