"""The in-memory plan of the demo community, built before anything touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kapwa.demo.people import PIdentity, PMember

STAFF_KEYS = ("owner", "manager", "moderator", "analyst")


@dataclass
class PMessage:
    conv: int
    pos: int  # position in its conversation
    identity: int | None  # author identity (members); None for the team
    member: int | None
    staff: str | None  # demo team user key for outbound messages
    kind: str
    parent: int | None  # position of the message it answers, in the same conversation
    text: str
    created_at: dt.datetime
    key: str = ""
    lang: str = ""
    is_answer: bool = False
    edited_at: dt.datetime | None = None
    platform_message_id: str = ""
    url: str | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class PConv:
    idx: int
    platform: str
    topic: str
    channel: str
    lang: str
    feature: str | None = None
    problem: str | None = None
    outcome: str = ""
    title: str = ""
    is_direct: bool = False
    crisis: bool = False
    starter_member: int | None = None
    starter_identity: int | None = None
    agent: str | None = None
    slots: dict = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # templates already used in this thread
    qtag: str | None = None  # what the opening question asks about (fee, limit…)
    shared_slots: bool = True  # False: every member brings their own amount, bank…
    messages: list[PMessage] = field(default_factory=list)
    status: str = "new"
    priority: str = "normal"
    assignee: str | None = None
    needs_answer: bool = False
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    tags: list[str] = field(default_factory=list)
    platform_thread_id: str | None = None
    url: str | None = None


@dataclass
class PActivity:
    member: int
    identity: int | None
    platform: str | None
    type: str
    occurred_at: dt.datetime
    title: str | None
    properties: dict
    platform_activity_id: str | None
    weight: float = 1.0
    message: tuple[int, int] | None = None  # (conversation idx, message position)


@dataclass
class PNote:
    author: str
    body: str
    created_at: dt.datetime
    member: int | None = None
    conv: int | None = None


@dataclass
class PTask:
    title: str
    assignee: str
    created_by: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    done_at: dt.datetime | None = None
    member: int | None = None
    conv: int | None = None


@dataclass
class Plan:
    seed: int
    now: dt.datetime
    start: dt.datetime
    crisis_start: dt.datetime
    members: list[PMember]
    identities: list[PIdentity]
    convs: list[PConv]
    activities: list[PActivity] = field(default_factory=list)
    notes: list[PNote] = field(default_factory=list)
    tasks: list[PTask] = field(default_factory=list)
    member_tags: list[tuple[int, str]] = field(default_factory=list)

    def messages(self):
        for c in self.convs:
            yield from c.messages
