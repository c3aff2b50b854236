"""The Matrix connector against a real Synapse homeserver on loopback: what members write in Matrix shows
up in Kapwa (threads, replies, edits, redactions, reactions, joins, DMs), syncs resume without duplicates,
and what Kapwa sends arrives in Matrix where and how a member expects it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import threading
from contextlib import closing
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import nio
import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, NotSupported, RateLimited, Unreachable
from kapwa.connectors.matrix import MatrixConnector
from kapwa.connectors.registry import build_connector
from kapwa.core.models import Activity, Conversation, Identity, Member, Message, Source
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import create_source
from tests.support.services import free_port
from tests.support.synapse import Account, synapse_server

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("synapse")]

_n = itertools.count(1)


class Person:
    """A Matrix user driven through nio, the way a member's client would."""

    def __init__(self, hs, account: Account):
        self.hs, self.account, self.user_id = hs, account, account.user_id

    def _do(self, method: str, *args, **kwargs):
        async def run():
            client = nio.AsyncClient(self.hs.base_url, self.user_id)
            client.access_token = self.account.access_token
            try:
                return await getattr(client, method)(*args, **kwargs)
            finally:
                await client.close()

        # A thread of its own: another test in this worker (Playwright's sync API) may hold a running loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            resp = pool.submit(asyncio.run, run()).result()
        assert not isinstance(resp, nio.ErrorResponse), resp
        return resp

    def create_room(self, name: str | None = None, alias: str | None = None, invite=(), direct=False,
                    moderators=()) -> str:
        preset = nio.RoomPreset.trusted_private_chat if direct else nio.RoomPreset.private_chat
        powers = {"users": {m: 50 for m in moderators}} if moderators else None  # the creator has all power
        return self._do("room_create", name=name, alias=alias, invite=list(invite), is_direct=direct,
                        preset=preset, power_level_override=powers).room_id

    def join(self, room: str) -> None:
        self._do("join", room)

    def send(self, room: str, content: dict, kind: str = "m.room.message") -> str:
        return self._do("room_send", room, kind, content).event_id

    def say(self, room: str, body: str, reply_to: str | None = None, thread: str | None = None) -> str:
        content: dict = {"msgtype": "m.text", "body": body}
        if thread:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread, "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        elif reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return self.send(room, content)

    def edit(self, room: str, event_id: str, body: str) -> str:
        return self.send(room, {"msgtype": "m.text", "body": f"* {body}",
                                "m.new_content": {"msgtype": "m.text", "body": body},
                                "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    def react(self, room: str, event_id: str, key: str) -> str:
        return self.send(room, {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}},
                         "m.reaction")

    def redact(self, room: str, event_id: str) -> None:
        self._do("room_redact", room, event_id, "spam")

    def timeline(self, room: str) -> dict[str, dict]:
        """The room's recent events as this user's client sees them, by event id."""
        resp = self._do("room_messages", room, None, limit=100)
        return {ev.source["event_id"]: ev.source for ev in resp.chunk}


@pytest.fixture(scope="module")
def hs():
    with synapse_server() as server:
        yield server


@pytest.fixture(scope="module")
def maria(hs) -> Person:
    return Person(hs, hs.register("maria", "maria-password-1", displayname="Maria Santos"))


@pytest.fixture(scope="module")
def brand(hs) -> Person:
    return Person(hs, hs.register("bayanipay", "brand-password-1", displayname="BayaniPay Support"))


def matrix_source(rt, factory, hs, brand: Person, rooms=(), **credentials) -> Source:
    creds = credentials or {"user_id": brand.user_id, "access_token": brand.account.access_token}
    return create_source(rt, factory, kind="matrix", name="BayaniPay Matrix",
                         config={"homeserver": hs.base_url, "rooms": list(rooms)}, credentials=creds)


def help_room(maria: Person, brand: Person) -> tuple[str, str]:
    alias = f"help-{next(_n)}"
    room = maria.create_room("Help desk", alias=alias, invite=[brand.user_id], moderators=[brand.user_id])
    return room, f"#{alias}:localhost"


def messages(rt, source_id: int) -> dict[str, Message]:
    with rt.db.sessions() as s:
        return {m.platform_message_id: m for m in s.scalars(select(Message).where(Message.source_id == source_id))}


def conversations(rt, source_id: int) -> dict[int, Conversation]:
    with rt.db.sessions() as s:
        return {c.id: c for c in s.scalars(select(Conversation).where(Conversation.source_id == source_id))}


def test_room_history_threads_edits_and_reactions_arrive_and_the_next_sync_brings_only_news(
        rt, factory, hs, maria, brand):
    room, alias = help_room(maria, brand)  # the connector joins it itself: it is configured by alias
    question = maria.say(room, "Paano mag-cash in sa 7-Eleven?")
    answer = maria.say(room, "Nahanap ko na po yata", reply_to=question)
    in_thread = maria.say(room, "Follow-up po sa thread: may bayad ba?", thread=question)
    maria.edit(room, answer, "Nahanap ko na po: sa app, Cash In > Over the counter.")
    maria.react(room, question, "👍")
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])

    first = sync_source(rt, src.id)
    assert first.ok, first.error
    assert first.result.inserted == 3
    msgs, convs = messages(rt, src.id), conversations(rt, src.id)
    q, a, t = msgs[question], msgs[answer], msgs[in_thread]
    assert q.text == "Paano mag-cash in sa 7-Eleven?" and q.kind == "post" and q.direction == "inbound"
    assert a.text == "Nahanap ko na po: sa app, Cash In > Over the counter." and a.edited_at is not None
    assert a.parent_id == q.id and a.kind == "reply" and a.conversation_id == q.conversation_id
    day = convs[q.conversation_id]
    assert day.platform_thread_id == f"{room}:{q.created_at.date().isoformat()}"
    assert day.channel == "Help desk" and day.message_count == 2
    thread = convs[t.conversation_id]
    assert thread.platform_thread_id == f"{room}|{question}" and t.parent_id == q.id and t.kind == "reply"
    assert thread.title == "Paano mag-cash in sa 7-Eleven?"
    assert q.url == f"https://matrix.to/#/{room}/{question}"
    with rt.db.sessions() as s:
        ident = s.scalar(select(Identity).where(Identity.source_id == src.id))
        member = s.get(Member, ident.member_id)
        assert (ident.platform, ident.platform_user_id, ident.handle) == ("matrix", maria.user_id, maria.user_id)
        assert member.display_name == "Maria Santos" and member.message_count == 3
        assert s.scalar(select(Identity).where(Identity.platform_user_id == brand.user_id)) is None
        acts = {a.type: a for a in s.scalars(select(Activity).where(Activity.platform_activity_id.is_not(None)))}
        assert acts["reacted"].message_id == q.id and acts["reacted"].properties["key"] == "👍"
        assert acts["reacted"].member_id == member.id
        assert acts["joined"].member_id == member.id and acts["joined"].title == "Joined Help desk"

    again = sync_source(rt, src.id)
    assert again.ok and (again.result.inserted, again.result.updated, again.result.activities) == (0, 0, 0)

    thanks = maria.say(room, "Salamat po, gumana na!", reply_to=question)
    ours = brand.say(room, "Walang anuman po!")
    ping = maria.send(room, {"msgtype": "m.text", "body": f"{brand.user_id} may tanong pa po ako",
                             "m.mentions": {"user_ids": [brand.user_id]}})
    maria.redact(room, in_thread)
    maria.edit(room, question, "Paano mag-cash in sa 7-Eleven o sa Cebuana?")
    third = sync_source(rt, src.id)
    assert third.ok, third.error
    assert (third.result.inserted, third.result.updated) == (3, 2)
    msgs = messages(rt, src.id)
    assert len(msgs) == 6
    assert msgs[thanks].parent_id == q.id and msgs[thanks].conversation_id == q.conversation_id
    assert msgs[ours].direction == "outbound" and msgs[ours].member_id is None
    assert msgs[ping].kind == "mention"
    assert msgs[in_thread].deleted_at is not None and msgs[in_thread].text == ""
    assert msgs[question].text == "Paano mag-cash in sa 7-Eleven o sa Cebuana?" and msgs[question].edited_at
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).health == "ok"
        assert s.get(Conversation, q.conversation_id).message_count == 5


def test_a_reply_from_kapwa_lands_in_the_room_as_a_rich_reply_and_in_the_thread(rt, factory, hs, maria, brand):
    room, alias = help_room(maria, brand)
    question = maria.say(room, "Bakit po pending pa rin ang padala ko?")
    follow_up = maria.say(room, "Reference number: BP-2291", thread=question)
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])
    assert sync_source(rt, src.id).ok
    msgs, convs = messages(rt, src.id), conversations(rt, src.id)
    day, thread = convs[msgs[question].conversation_id], convs[msgs[follow_up].conversation_id]
    assert day.needs_answer

    with closing(build_connector(rt, src)) as connector:
        sent = connector.reply(day.platform_thread_id, question, "Titingnan po namin, sandali lang.")
        in_thread = connector.reply(thread.platform_thread_id, follow_up, "Nakita na po, na-credit na.")

    seen = maria.timeline(room)
    ev = seen[sent.platform_message_id]
    assert ev["sender"] == brand.user_id and ev["content"]["body"] == "Titingnan po namin, sandali lang."
    assert ev["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
    assert ev["content"]["m.mentions"] == {"user_ids": [maria.user_id]}
    assert sent.url == f"https://matrix.to/#/{room}/{sent.platform_message_id}"
    rel = seen[in_thread.platform_message_id]["content"]["m.relates_to"]
    assert rel["rel_type"] == "m.thread" and rel["event_id"] == question
    assert rel["m.in_reply_to"] == {"event_id": follow_up} and rel["is_falling_back"] is False

    assert sync_source(rt, src.id).ok  # our own replies come back as outbound messages, in place
    msgs, convs = messages(rt, src.id), conversations(rt, src.id)
    mine = msgs[sent.platform_message_id]
    assert mine.direction == "outbound" and mine.parent_id == msgs[question].id
    assert mine.conversation_id == day.id and convs[day.id].needs_answer is False
    assert msgs[in_thread.platform_message_id].conversation_id == thread.id


def test_direct_messages_arrive_as_direct_and_kapwa_answers_in_the_same_room(rt, factory, hs, maria, brand):
    other_room, alias = help_room(maria, brand)
    dm = maria.create_room(invite=[brand.user_id], direct=True)
    hello = maria.say(dm, "Hello po, na-lock ang account ko.")
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])  # DMs are read besides the configured rooms

    assert sync_source(rt, src.id).ok  # accepts the DM invitation, then reads the room
    msg = messages(rt, src.id)[hello]
    conv = conversations(rt, src.id)[msg.conversation_id]
    assert msg.kind == "direct" and conv.is_direct and conv.platform_thread_id.startswith(f"{dm}:")

    juan = Person(hs, hs.register(f"juan{next(_n)}", "juan-password-1"))
    with closing(build_connector(rt, src)) as connector:
        again = connector.send_direct(maria.user_id, "Na-unlock na po, pakisubukan ulit.")
        new = connector.send_direct(juan.user_id, "Welcome sa BayaniPay community!")
    assert again.raw["room_id"] == dm
    assert maria.timeline(dm)[again.platform_message_id]["content"]["body"] == "Na-unlock na po, pakisubukan ulit."
    assert new.raw["room_id"] not in (dm, other_room)
    juan.join(new.raw["room_id"])
    assert juan.timeline(new.raw["room_id"])[new.platform_message_id]["sender"] == brand.user_id


def test_publish_and_delete_from_kapwa(rt, factory, hs, maria, brand):
    room, alias = help_room(maria, brand)
    spam = maria.say(room, "Libreng load! Click bit.ly/xyz")
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])
    assert sync_source(rt, src.id).ok
    with closing(build_connector(rt, src)) as connector:
        post = connector.publish("Maintenance tonight 11 PM to 1 AM.", channel="Help desk", title="Abiso")
        connector.moderate(spam, "delete", reason="spam")
    seen = maria.timeline(room)
    assert seen[post.platform_message_id]["content"]["body"] == "Abiso\n\nMaintenance tonight 11 PM to 1 AM."
    assert seen[spam]["content"] == {}  # redacted for everyone
    assert sync_source(rt, src.id).ok
    msgs = messages(rt, src.id)
    assert msgs[spam].deleted_at is not None and msgs[post.platform_message_id].direction == "outbound"


def test_bad_credentials_and_an_unreachable_server_are_said_in_plain_words(rt, factory, hs, maria, brand,
                                                                           tmp_path):
    bad = {"user_id": brand.user_id, "access_token": "syt_not_a_real_token"}
    with closing(MatrixConnector({"homeserver": hs.base_url}, bad)) as connector, pytest.raises(AuthError) as no:
        connector.test_connection()
    assert no.value.message == "the access token was refused (M_UNKNOWN_TOKEN)"

    src = matrix_source(rt, factory, hs, brand, **bad)
    assert not sync_source(rt, src.id).ok
    with rt.db.sessions() as s:
        row = s.get(Source, src.id)
        assert row.health == "failing" and row.last_error == "the access token was refused (M_UNKNOWN_TOKEN)"

    private = f"private-{next(_n)}"
    maria.create_room("Staff only", alias=private)  # the brand account is not invited
    src = matrix_source(rt, factory, hs, brand, rooms=[f"#{private}:localhost"])
    assert not sync_source(rt, src.id).ok
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).last_error.startswith(
            f"cannot read #{private}:localhost: Kapwa's Matrix account is not in that room and could not join it")

    port = free_port()
    with closing(MatrixConnector({"homeserver": f"http://127.0.0.1:{port}"}, bad)) as connector, \
            pytest.raises(Unreachable) as down:
        connector.test_connection()
    assert down.value.message == f"cannot reach http://127.0.0.1:{port}: connection refused"

    files = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    web = ThreadingHTTPServer(("127.0.0.1", 0), files)  # a web server, not a homeserver
    threading.Thread(target=web.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{web.server_port}"
    try:
        with closing(MatrixConnector({"homeserver": url}, bad)) as connector, pytest.raises(NotSupported) as wrong:
            connector.test_connection()
    finally:
        web.shutdown()
        web.server_close()
    assert wrong.value.message == f"{url} does not look like a Matrix homeserver (HTTP 404 for the client API)"

    login = {"user_id": brand.user_id, "password": "brand-password-1"}
    with closing(MatrixConnector({"homeserver": hs.base_url}, login)) as connector:
        assert connector.test_connection().startswith(f"connected to {hs.base_url} as {brand.user_id}")
    with closing(MatrixConnector({"homeserver": hs.base_url}, login | {"password": "nope"})) as connector, \
            pytest.raises(AuthError) as wrong:
        connector.test_connection()
    assert wrong.value.message == "the homeserver refused the user id or password (M_FORBIDDEN)"


def test_the_homeservers_rate_limit_becomes_retry_after(hs, maria):
    admin = hs.register("admin", "admin-password-1", admin=True)
    chatty = hs.register("chatty", "chatty-password-1")
    hs.admin_post(admin, f"/_synapse/admin/v1/users/{chatty.user_id}/override_ratelimit",
                  {"messages_per_second": 1, "burst_count": 1})
    room = maria.create_room("Announcements", invite=[chatty.user_id])
    Person(hs, chatty).join(room)
    creds = {"user_id": chatty.user_id, "access_token": chatty.access_token}
    with closing(MatrixConnector({"homeserver": hs.base_url}, creds)) as connector, \
            pytest.raises(RateLimited) as limited:
        for i in range(5):
            connector.publish(f"update {i}", channel=room)
    assert 0 < limited.value.retry_after <= 2
    assert limited.value.message.startswith("the homeserver asked Kapwa to slow down (M_LIMIT_EXCEEDED)")
