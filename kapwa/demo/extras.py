"""What the team adds by hand: VIPs, member tags, internal notes and tasks."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from kapwa.demo import content as C
from kapwa.demo.model import PConv, PNote, PTask
from kapwa.demo.people import Population
from kapwa.demo.timeline import MANILA

TAG_COLORS = {
    "cash-in": "#1f77b4", "cash-out": "#17becf", "verification": "#9467bd", "outage": "#d62728",
    "feature-request": "#2ca02c", "bug": "#ff7f0e", "vip": "#bcbd22", "refund": "#8c564b", "qr-ph": "#1a9e77",
    "remittance": "#e377c2", "ipon": "#7f7f7f", "bills": "#5b6b7f", "load": "#aec7e8", "card": "#98df8a",
    "bayani-points": "#ffbb78", "app-update": "#c5b0d5", "account": "#c49c94", "merchant": "#f7b6d2",
    "spam": "#525252", "toxic": "#a50f15", "praise": "#31a354", "event": "#3182bd", "ofw": "#6baed6",
    "ambassador": "#fd8d3c", "beta-tester": "#74c476", "outage-affected": "#e6550d",
}


def mark_vips(rng: random.Random, pop: Population, count: int = 18) -> None:
    ranked = sorted((m for m in pop.members if m.duplicate_of is None and m.weight > 0),
                    key=lambda m: (-m.weight, m.idx))
    for m in ranked[:count]:
        m.is_vip = True
        m.tags.append("vip")
    for m in rng.sample(ranked[count:], 4):  # a few VIPs are VIPs for who they are, not how much they post
        m.is_vip = True
        m.tags.append("vip")


def member_tags(rng: random.Random, pop: Population, convs: list[PConv]) -> list[tuple[int, str]]:
    answers: Counter[int] = Counter()
    for c in convs:
        for m in c.messages:
            if m.member is None:
                continue
            tags = pop.members[m.member].tags
            if m.key.startswith("a."):
                answers[m.member] += 1
            if m.key == "q.merchant" and "merchant" not in tags:
                tags.append("merchant")
            if m.key == "crisis.lost" and "outage-affected" not in tags:
                tags.append("outage-affected")
    for idx, _n in answers.most_common(8):
        pop.members[idx].tags.append("ambassador")
    for m in pop.members:
        if m.abroad and rng.random() < 0.7:
            m.tags.append("ofw")
    active = [m for m in pop.members if m.message_count >= 5 and "spam" not in m.tags]
    for m in rng.sample(active, min(15, len(active))):
        m.tags.append("beta-tester")
    for m in pop.members:
        if "spam" in m.tags and rng.random() < 0.6:
            m.is_blocked = True
    return [(m.idx, tag) for m in pop.members for tag in dict.fromkeys(m.tags)]


def notes_and_tasks(rng: random.Random, pop: Population, convs: list[PConv], now: dt.datetime,
                    crisis_start: dt.datetime, davao_meetup: dt.datetime) -> tuple[list[PNote], list[PTask]]:
    notes: list[PNote] = []
    tasks: list[PTask] = []
    day = dt.timedelta(days=1)
    crisis_day = crisis_start.astimezone(MANILA).strftime("%d %B")

    def after(t: dt.datetime, hours: float) -> dt.datetime:
        return min(now, t + dt.timedelta(hours=hours))

    members = pop.members
    vips = [m for m in members if m.is_vip][:5]
    for m in vips:
        city = (m.location or "Metro Manila").split(",")[0]
        notes.append(PNote("manager", f"VIP: runs a small business in {city} and uses QR Ph daily. Escalate anything they "
                                      "report straight to the payments team.", after(m.first_seen, 24), member=m.idx))
    for m in [m for m in members if "ambassador" in m.tags][:4]:
        notes.append(PNote("moderator", "Answers other members' questions before we do, and gets them right. "
                                        "Invite to the Ambassador program?", after(m.first_seen, 24 * 20), member=m.idx))
    for m in [m for m in members if "ofw" in m.tags][:3]:
        notes.append(PNote("owner", f"OFW in {m.location}; sends padala twice a month. Asked for lower remittance fees, "
                                    "shared with product.", after(m.first_seen, 24 * 10), member=m.idx))
    for m in [m for m in members if "outage-affected" in m.tags][:4]:
        notes.append(PNote("moderator", f"Affected by the {crisis_day} outage (amount held for a few hours). "
                                        "Refund confirmed by payments ops.", after(crisis_start, 30), member=m.idx))
    for m in [m for m in members if "spam" in m.tags][:2]:
        notes.append(PNote("moderator", "Spam account posting fake crypto giveaways. Blocked and reported to the platform.",
                           after(m.join_at, 1), member=m.idx))

    big = [c for c in convs if c.crisis and c.topic == "complaint" and len(c.messages) > 40]
    for c in big[:3]:
        notes.append(PNote("manager", "Pinned the holding statement. Incident INC-0412 (bank partner InstaPay link); "
                                      "post-mortem owner: Paolo.", after(crisis_start, 1.5), conv=c.idx))
    urgent = [c for c in convs if not c.crisis and c.priority == "urgent" and c.topic == "complaint"]
    for c in rng.sample(urgent, min(8, len(urgent))):
        ticket = C.FILLERS["ticket"](rng)
        notes.append(PNote(rng.choice(["moderator", "manager"]),
                           f"Escalated to payments ops, ticket {ticket}. Member is anxious; follow up by end of day.",
                           after(c.messages[0].created_at, 2), conv=c.idx))
        starter = members[c.starter_member] if c.starter_member is not None else None
        who = starter.display_name if starter else "member"
        done = after(c.messages[0].created_at, 30) if c.status == "resolved" else None
        tasks.append(PTask(f"Follow up with {who} about refund ({ticket})", rng.choice(["moderator", "manager"]),
                           "manager", after(c.messages[0].created_at, 2), c.messages[0].created_at + 2 * day,
                           done, member=c.starter_member, conv=c.idx))
    for c in [c for c in convs if c.topic == "rant" and any(m.staff for m in c.messages)][:3]:
        notes.append(PNote("moderator", "Warned for insults (first warning). Underlying issue is real, see the ticket.",
                           after(c.messages[0].created_at, 3), conv=c.idx))
    for c in [c for c in convs if c.topic == "bug" and c.status == "pending"][:4]:
        notes.append(PNote("manager", f"Engineering confirmed; fix planned for {rng.choice(C.VERSIONS[2:])}.",
                           after(c.messages[0].created_at, 26), conv=c.idx))

    kyc_reddit = next((c for c in convs if c.platform == "reddit" and c.feature == "kyc" and c.status != "resolved"), None)
    tasks += [
        PTask("Prepare the outage post-mortem for the community", "manager", "owner", after(crisis_start, 8),
              crisis_start + 3 * day, after(crisis_start, 60)),
        PTask("Publish FAQ: InstaPay vs PESONet cash-in", "moderator", "manager", now - 9 * day, now + 2 * day),
        PTask("Invite top helpers to the Ambassador program", "owner", "owner", now - 5 * day, now + 7 * day),
        PTask("Confirm venue and catering for Bayani Pay Meetup Davao", "manager", "owner", now - 12 * day,
              davao_meetup - 5 * day),
        PTask("Send the Ipon Challenge livestream recording to attendees", "moderator", "manager", now - 26 * day,
              now - 23 * day, now - 24 * day),
        PTask("Review the weekly sentiment report", "analyst", "manager", now - 2 * day, now + 2 * day),
        PTask("Reply to the reddit thread about verification delays", "moderator", "manager", now - 1 * day,
              now + 1 * day, conv=kyc_reddit.idx if kyc_reddit else None),
    ]
    return notes, tasks
