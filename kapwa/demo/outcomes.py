"""How each conversation ended up: status, answers, priority, assignee and tags, all consistent
with the messages it actually has (a thread cut short by ``now`` is judged by what it contains)."""

from __future__ import annotations

import datetime as dt
import random

from kapwa.demo import content as C
from kapwa.demo.model import PConv
from kapwa.demo.people import PMember

NEEDS_ANSWER = {"question", "complaint", "bug", "rant"}
PRIORITY = {"question": "normal", "complaint": "high", "rant": "high", "bug": "normal", "feature": "low",
            "praise": "low", "chatter": "low", "event": "low", "spam": "low", "announcement": "normal"}
LEVELS = ["low", "normal", "high", "urgent"]
DAY = dt.timedelta(days=1)


def finalize(rng: random.Random, conv: PConv, planned: int, now: dt.datetime, members: list[PMember]) -> None:
    msgs = conv.messages
    starter = conv.starter_member
    answers = [m for m in msgs[1:] if m.is_answer and (m.staff or m.member != starter)]
    conv.first_response_at = answers[0].created_at if answers else None
    last = msgs[-1]
    age = now - msgs[0].created_at
    topic, outcome = conv.topic, conv.outcome
    needs = False
    if topic == "spam":
        status = "spam"
    elif topic == "announcement":
        status = "resolved"
    elif topic in NEEDS_ANSWER:
        if not answers:
            needs = True
            status = "new" if age < 2 * DAY or rng.random() < 0.4 else "open"
        elif len(msgs) < planned:
            status = "pending" if last.staff else "open"
            needs = not last.staff and last.member == starter
        else:
            if topic == "bug":
                status = "resolved" if rng.random() < 0.4 else "pending"
            elif topic == "rant":
                status = "pending"
            else:
                status = {"member": "resolved" if rng.random() < 0.7 else "open", "staff": "resolved",
                          "pending": "pending", "resolved": "resolved"}.get(outcome, "open")
            needs = status == "open" and not last.staff and last.member == starter and last.key in ("followup", "bump")
    elif any(m.staff for m in msgs) or (age > 7 * DAY and rng.random() < 0.75):
        status = "open" if topic == "feature" and rng.random() < 0.5 else "resolved"
    else:
        status = "new" if age < 3 * DAY else "open"
    conv.status, conv.needs_answer = status, needs
    if status == "resolved":
        conv.resolved_at = min(now, last.created_at + dt.timedelta(minutes=rng.randrange(2, 120)))

    # Priority
    level = PRIORITY[topic]
    money = conv.problem is not None and C.COMPLAINTS[conv.problem][3] == "money"
    if conv.crisis:
        level = "urgent" if money or rng.random() < 0.5 else "high"
    elif topic == "complaint" and money and rng.random() < 0.35:
        level = "urgent"
    elif topic == "question" and rng.random() < 0.2:
        level = "low"
    elif topic == "bug" and rng.random() < 0.3:
        level = "high"
    vip = starter is not None and members[starter].is_vip
    if vip and level != "urgent":
        level = LEVELS[LEVELS.index(level) + 1]
    conv.priority = level

    # Assignee
    staff_in = [m.staff for m in msgs if m.staff]
    if staff_in and rng.random() < (0.85 if status in ("pending", "open") else 0.5):
        conv.assignee = staff_in[-1]
    elif needs and level in ("high", "urgent") and rng.random() < 0.45:
        conv.assignee = "moderator"
    elif status in ("new", "open") and topic in ("feature", "bug") and rng.random() < 0.15:
        conv.assignee = "manager"

    # Tags
    tags: list[str] = []
    if conv.crisis:
        tags += ["outage", "cash-in"]
    if topic in ("question", "complaint", "bug") and conv.feature and rng.random() < 0.75:
        tags.append(C.COMPLAINTS[conv.problem][1] if conv.problem else C.FEATURE_TAGS[conv.feature])
    tags += {"bug": ["bug"], "feature": ["feature-request"], "spam": ["spam"], "event": ["event"],
             "rant": ["toxic"]}.get(topic, [])
    if topic == "praise" and rng.random() < 0.6:
        tags.append("praise")
    if any(m.key == "toxic" for m in msgs):
        tags.append("toxic")
    if conv.problem == "double_charge" or (money and status == "resolved" and rng.random() < 0.3):
        tags.append("refund")
    if vip and rng.random() < 0.6:
        tags.append("vip")
    conv.tags = list(dict.fromkeys(tags))
