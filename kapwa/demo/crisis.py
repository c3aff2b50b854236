"""The outage: one weekday morning about two weeks before ``now``, InstaPay cash-in and transfers fail
for about five hours. Hundreds of worried and angry messages arrive across every platform, the team
posts holding statements and updates, then the fix, and members report their money back."""

from __future__ import annotations

import datetime as dt

from kapwa.demo import content as C
from kapwa.demo.content_staff import CRISIS_ANNOUNCEMENT
from kapwa.demo.people import PIdentity
from kapwa.demo.threads import Planner
from kapwa.demo.timeline import MANILA, Clock

HOUR = 3600
BIG_THREADS = [  # (platform, channel, inbound messages, title; None = from the first message)
    ("discord", "#help", 85, None),
    ("discord", "#general", 45, None),
    ("telegram", "Help", 60, None),
    ("telegram", "General", 45, None),
    ("reddit", "Help", 55, "Is Bayani Pay down? Cash-in deducted from my bank but not in wallet"),
    ("reddit", "Rant", 30, "#BayaniPayDown nawala yung pera ko 😭"),
    ("discourse", "Help & Support", 30, "[Outage] Cash-in and transfers failing"),
]


def crisis_start(now: dt.datetime) -> dt.datetime:
    """09:40 Manila time, 14 days before ``now`` (moved to the Tuesday before if that is a weekend)."""
    day = (now - dt.timedelta(days=14)).astimezone(MANILA).date()
    if day.weekday() >= 5:
        day -= dt.timedelta(days=day.weekday() - 1)
    return Clock.manila_at(day, 9, 40)


def plan_crisis(planner: Planner, start: dt.datetime) -> None:
    rng = planner.rng
    ack = start + dt.timedelta(minutes=50)
    update = start + dt.timedelta(hours=2, minutes=40)
    fixed = start + dt.timedelta(hours=5, minutes=15)

    def burst() -> dt.datetime:
        return start + dt.timedelta(seconds=rng.betavariate(1.6, 3.2) * 6 * HOUR)

    def inbound_key(t: dt.datetime) -> str:
        r = rng.random()
        if t < ack:
            return "crisis.down" if r < 0.6 else ("crisis.lost" if r < 0.9 else "crisis.metoo")
        if t > start + dt.timedelta(hours=1, minutes=30) and r < 0.25:
            return "crisis.angry"
        return "crisis.down" if r < 0.55 else ("crisis.lost" if r < 0.85 else "crisis.metoo")

    def jitter(t: dt.datetime) -> dt.datetime:
        return t + dt.timedelta(seconds=rng.randrange(0, 600))

    def speak(conv, events: list[tuple[dt.datetime, str, str]], participants: list[PIdentity]) -> None:
        for t, role, key in sorted(events, key=lambda e: e[0]):
            if t > planner.limit:
                break
            if role == "staff":
                parent = 0 if conv.platform in ("reddit", "discourse", "mastodon") else None
                planner.say(conv, t, key, staff=conv.agent, parent=parent)
                continue
            ident = rng.choice(participants) if participants and rng.random() < 0.25 else planner.pick(conv.platform, t)
            participants.append(ident)
            planner.say(conv, t, key, ident=ident, parent=planner.parent_for(conv, "other", key))

    # The big threads where everybody piles in.
    for platform, channel, n, title in BIG_THREADS:
        times = sorted(burst() for _ in range(n))
        starter = planner.pick(platform, times[0])
        conv = planner.new_conv(platform, "complaint", starter, channel=channel, problem="cashin_failed",
                                feature="cashin", crisis=True)
        conv.outcome, conv.shared_slots = "resolved", False
        planner.say(conv, times[0], "crisis.down", ident=starter)
        events = [(t, "member", inbound_key(t)) for t in times[1:]]
        events += [(jitter(ack), "staff", "s.crisis.ack"), (jitter(update), "staff", "s.crisis.update"),
                   (jitter(fixed), "staff", "s.crisis.fixed")]
        events += [(fixed + dt.timedelta(seconds=rng.uniform(300, 4 * HOUR)), "member", "crisis.ok")
                   for _ in range(rng.randint(5, 12))]
        speak(conv, events, [starter])
        conv.title = title or C.title_from(conv.messages[0].text)
        planner.planned[conv.idx] = len(conv.messages)

    # The team's own statement on each platform, with replies under it.
    for platform, channel in (("discord", "#announcements"), ("telegram", "Announcements"),
                              ("discourse", "Announcements"), ("mastodon", "Mentions")):
        conv = planner.new_conv(platform, "announcement", None, channel=channel, lang="en", crisis=True)
        conv.title, conv.shared_slots = CRISIS_ANNOUNCEMENT["en"], False
        planner.say(conv, ack + dt.timedelta(minutes=5), "s.crisis.ack", staff=conv.agent)
        events = []
        for _ in range(rng.randint(8, 20)):
            t = ack + dt.timedelta(seconds=rng.uniform(360, (fixed - ack).total_seconds() + 2 * HOUR))
            key = rng.choice(["crisis.ok", "thanks"]) if t > fixed else rng.choice(
                ["crisis.angry", "crisis.lost", "crisis.down", "crisis.metoo"])
            events.append((t, "member", key))
        events += [(update + dt.timedelta(minutes=10), "staff", "s.crisis.update"),
                   (fixed + dt.timedelta(minutes=5), "staff", "s.crisis.fixed")]
        speak(conv, events, [])
        planner.planned[conv.idx] = len(conv.messages)

    # One-off complaints: mastodon mentions, support e-mails and DMs.
    singles = [("mastodon", False)] * 25 + [("email", False)] * 30 + [("discord", True)] * 4 + [("telegram", True)] * 4
    for platform, direct in singles:
        t = burst()
        ident = planner.pick(platform, t)
        problem = rng.choice(["cashin_failed", "cashin_failed", "transfer_failed", "double_charge"])
        conv = planner.new_conv(platform, "complaint", ident, problem=problem, feature=C.COMPLAINTS[problem][0],
                                is_direct=direct, crisis=True)
        key = rng.choice(["crisis.lost", "crisis.down", f"c.{problem}"] if platform == "email"
                         else ["crisis.down", "crisis.down", "crisis.lost", "crisis.angry"])
        planner.say(conv, t, key, ident=ident)
        conv.outcome = "unanswered"
        if rng.random() < (0.85 if platform == "email" or direct else 0.65):
            mean = 3 * HOUR if platform == "email" else 1800
            t2 = max(planner.clock.staff_after(rng, t, mean), t + dt.timedelta(minutes=4))
            planner.say(conv, t2, "s.crisis.reply", staff=conv.agent, parent=planner.parent_for(conv, "staff", ""))
            conv.outcome = "pending"
            if rng.random() < 0.6:
                t3 = planner.clock.staff_after(rng, max(t2, fixed) + dt.timedelta(hours=2), 4 * HOUR)
                if t3 < planner.limit:
                    planner.say(conv, t3, "s.resolved.money", staff=conv.agent,
                                parent=planner.parent_for(conv, "staff", ""))
                    conv.outcome = "resolved"
                    t4 = planner.clock.later(rng, t3, 2 * HOUR)
                    if rng.random() < 0.5 and t4 < planner.limit:
                        planner.say(conv, t4, "confirm", ident=ident, parent=planner.parent_for(conv, "starter", "confirm"))
        conv.title = C.title_from(conv.messages[0].text, 70 if platform == "email" else 90)
        planner.planned[conv.idx] = len(conv.messages)
