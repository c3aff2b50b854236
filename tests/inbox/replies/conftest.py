"""Fixtures for the replies tests: a team, a Discourse forum replayed on loopback with a topic to answer, a
demo source (replies recorded in Kapwa only), and the job queue running jobs as they are queued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from kapwa.core.actions import Actor
from kapwa.core.jobs import JobQueue
from kapwa.core.models import Conversation, Message, Role, Source, User, utcnow
from tests.connectors._helpers import create_source
from tests.support.replay import ReplayServer, load

MAY_1 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)  # the replayed forum's day
CREDS = {"api_key": "d2b8e7c1f0a94b53a1c6e8f7d9b0c2a4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5",
         "api_username": "bayanipay_support"}


def actor(user: User) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=Role(user.role), name=user.name)


@dataclass
class Team:
    owner: User
    manager: User
    moderator: User
    analyst: User

    def __getitem__(self, key: str) -> Actor:
        return actor(getattr(self, key))


@pytest.fixture
def team(factory) -> Team:
    return Team(owner=factory.user(Role.owner, name="Ligaya Santos"),
                manager=factory.user(Role.manager, name="Paolo Reyes"),
                moderator=factory.user(Role.moderator, name="Bea Mendoza"),
                analyst=factory.user(Role.analyst, name="Carlo Villanueva"))


@pytest.fixture
def jobs(rt) -> JobQueue:
    """The real job queue in Huey's immediate mode: a queued send runs at once, in the caller's thread."""
    return JobQueue(rt, immediate=True)


@pytest.fixture(scope="module")
def replay_server():
    with ReplayServer() as running:
        yield running


@pytest.fixture
def forum(replay_server):
    """The replayed Discourse forum, emptied: ``forum.add(*load("discourse/send.json"))`` to answer."""
    replay_server.exchanges[:] = []
    replay_server.received.clear()
    replay_server.unmatched.clear()
    return replay_server


@dataclass
class Topic:
    source: Source
    conversation: Conversation
    question: Message
    thanks: Message


@pytest.fixture
def topic(rt, factory, forum, team) -> Topic:
    """Topic 21 of the forum in Kapwa: Maria's question (post 210) and her latest message (post 212)."""
    src = create_source(rt, factory, kind="discourse", name="BayaniPay Forum",
                        config={"base_url": forum.base_url}, credentials=dict(CREDS))
    maria = factory.member("Maria Santos", language="tl")
    ident = factory.identity(maria, src, handle="maria", platform_user_id="12")
    conv = factory.conversation(src, title="Hindi maka-login sa app", platform_thread_id="21",
                                started_by_member_id=maria.id, status="new", needs_answer=True,
                                first_message_at=MAY_1 + dt.timedelta(hours=8),
                                last_message_at=MAY_1 + dt.timedelta(hours=9), message_count=2, language="tl")
    question = factory.message(conv, text="Hindi ako maka-login simula kaninang umaga. May outage po ba?",
                               identity=ident, platform_message_id="210", created_at=MAY_1 + dt.timedelta(hours=8))
    thanks = factory.message(conv, text="Lumalabas pa rin ang Error 503 po.", identity=ident,
                             platform_message_id="212", created_at=MAY_1 + dt.timedelta(hours=9))
    return Topic(src, conv, question, thanks)


def reply_ok(forum) -> None:
    """The forum takes the reply: post 212 is looked up, the reply is created as post 250."""
    forum.add(*load("discourse/send.json")[:2])


def forum_error(name: str, method: str = "POST", path: str = "/posts.json"):
    ex = next(e for e in load("discourse/errors.json") if e.name == name)
    ex.request["method"], ex.request["path"] = method, path
    return ex


def demo_conversation(factory, *, approval: bool = False, language: str = "en", kind: str = "discord"):
    """A conversation on a demo source: replies are recorded in Kapwa, nothing goes to a platform."""
    src = factory.source(kind, name=f"Demo {kind}", config={"demo": True}, reply_approval=approval)
    juan = factory.member("Juan dela Cruz")
    ident = factory.identity(juan, src, handle="juan")
    conv = factory.conversation(src, title="Paano mag-cash in?", started_by_member_id=juan.id, language=language,
                                first_message_at=utcnow(), status="new")
    factory.message(conv, text="Paano po mag-cash in sa 7-Eleven?", identity=ident)
    return conv


@pytest.fixture
def app(rt, jobs):
    """The app with the immediate job queue: a reply queued by a request is sent before the response."""
    from kapwa.web.app import create_app

    return create_app(rt=rt, jobs=jobs)
