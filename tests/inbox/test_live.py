"""Live updates over server-sent events, and presence (collision detection), against a real uvicorn server."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient

from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.models import Role, utcnow
from kapwa.inbox import actions
from kapwa.inbox.live_hub import MAX_PER_USER, live_for
from kapwa.inbox.live_presence import TTL_SECONDS
from kapwa.ingest.pipeline import ingest_batch
from kapwa.web.app import create_app
from tests.browser import conftest as browser
from tests.support.factories import Factory
from tests.support.sse import EventStream, session_of
from tests.support.web import login

live_server = browser.live_server  # the real app on loopback (uvicorn in a thread)
SECRET_TEXT = "my account number is 0917-555-0101"


def _item(pid: str, text: str = "Hindi pa dumating yung cash-in ko", thread: str = "t-1", who: str = "maria"):
    return InboundItem(pid, utcnow() - dt.timedelta(seconds=5), text,
                       InboundAuthor(platform_user_id=who, handle=who, display_name=who.title()),
                       thread_id=thread, title="Cash-in did not arrive")


@pytest.fixture
def web(rt):
    return create_app(rt=rt)


@pytest.fixture
def streams():
    opened: list[EventStream] = []

    def open_(*args, **kwargs) -> EventStream:
        s = EventStream(*args, **kwargs)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()


def test_a_new_message_reaches_signed_in_teammates_of_its_workspace_only(rt, factory, web, live_server, streams):
    src = factory.source("discord", name="Bayani Discord")
    ana = factory.user(Role.analyst, name="Ana Cruz")
    other = Factory(rt)  # a second workspace on the same server
    outsider = other.user(Role.owner, name="Olga Outsider")
    mine = streams(live_server, session_of(web, ana)[0]).wait_open()
    theirs = streams(live_server, session_of(web, outsider)[0]).wait_open()
    assert mine.retry and mine.retry >= 1000, "the stream gives EventSource a reconnect delay"

    result = ingest_batch(rt, src.id, Batch([_item("m-1", SECRET_TEXT)]), analyze=False)

    event = mine.next("messages.ingested")
    assert event["id"], "every event has an id for Last-Event-ID"
    assert event["data"]["count"] == 1
    [conv] = event["data"]["conversations"]
    assert conv["messages"] == result.new_message_ids
    assert SECRET_TEXT not in str(event), "message text never travels in live events"
    assert [e for e in theirs.drain(1.5) if e["type"] == "messages.ingested"] == [], \
        "another workspace's stream must not see this workspace's messages"


def test_status_and_assignee_changes_carry_the_new_values_and_who_made_them(rt, factory, web, live_server, streams):
    src = factory.source("discord")
    conv = factory.conversation(src, title="Refund please")
    ben = factory.user(Role.moderator, name="Ben Santos")
    ana = factory.user(Role.analyst, name="Ana Cruz")
    stream = streams(live_server, session_of(web, ana)[0]).wait_open()

    actions.do_update_conversation(rt, _actor(ben), conv.id, status="pending", assignee_id=ben.id)

    data = stream.next("conversation.updated")["data"]
    assert data["id"] == conv.id
    assert data["status"] == "pending"
    assert (data["assignee_id"], data["assignee_name"]) == (ben.id, "Ben Santos")
    assert (data["actor_id"], data["actor_name"]) == (ben.id, "Ben Santos")
    assert set(data["changes"]) >= {"status", "assignee_id"}


def test_last_event_id_replays_what_a_reconnecting_client_missed(rt, factory, web, live_server, streams):
    src = factory.source("discord")
    ana = factory.user(Role.analyst)
    cookie = session_of(web, ana)[0]
    first = streams(live_server, cookie).wait_open()
    ingest_batch(rt, src.id, Batch([_item("r-1", thread="t-a")]), analyze=False)
    seen = first.next("messages.ingested")
    first.close()

    # While the client is away, two more batches arrive.
    missed = [ingest_batch(rt, src.id, Batch([_item(f"r-{n}", thread=f"t-{n}")]), analyze=False).new_message_ids
              for n in (2, 3)]
    again = streams(live_server, cookie, last_event_id=seen["id"]).wait_open()
    replayed = [again.next("messages.ingested")["data"]["conversations"][0]["messages"] for _ in missed]
    assert replayed == missed, "the missed events come back, in order, and not the one already seen"
    assert again.drain(0.5) == []

    # An id this server never gave (an older server run, a buffer long rotated) → the client must resync.
    stale = streams(live_server, cookie, last_event_id="0000dead-5").wait_open()
    assert stale.next()["type"] == "resync"


def test_closing_a_stream_frees_it_and_streams_per_user_are_capped(rt, factory, web, live_server, streams):
    ana = factory.user(Role.analyst)
    cookie = session_of(web, ana)[0]
    live = live_for(rt)
    opened = [streams(live_server, cookie).wait_open() for _ in range(MAX_PER_USER)]
    refused = streams(live_server, cookie)
    refused.ended.wait(10)
    assert refused.status == 429, "one account cannot hold more live connections than the cap"
    assert "close some Kapwa tabs" in refused.body

    for s in opened:
        s.close()
    deadline = time.monotonic() + 10
    while live.streams_of(ana.id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.streams_of(ana.id) == 0, "a closed connection must unsubscribe"
    streams(live_server, cookie).wait_open()


def test_the_stream_needs_a_signed_in_teammate_and_an_event_stream_client(factory, live_server, client, signed_in):
    anonymous = EventStream(live_server, None)
    anonymous.ended.wait(10)
    assert anonymous.status == 303, "a signed-out browser is sent to sign in"
    c, _user, _csrf = signed_in(Role.analyst)
    r = c.get("/events", headers={"Accept": "application/json"})
    assert r.status_code == 406 and "EventSource" in r.json()["detail"]


# ------------------------------------------------------------------------------------------- presence


def _actor(user):
    from kapwa.core.actions import Actor

    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=Role(user.role), name=user.name)


def _ping(app_client, csrf, conversation_id, state, tab="tab1"):
    return app_client.post(f"/conversations/{conversation_id}/presence", json={"state": state, "tab": tab},
                           headers={"X-CSRF-Token": csrf})


def test_teammates_see_each_other_viewing_and_replying_and_presence_expires(rt, factory, web, live_server, streams):
    src = factory.source("discord")
    conv = factory.conversation(src, title="Cash-in did not arrive")
    ana = factory.user(Role.analyst, name="Ana Cruz")
    ben = factory.user(Role.moderator, name="Ben Santos")
    ben_client = TestClient(web, base_url="https://testserver")
    assert login(ben_client, ben.email).status_code == 303
    ben_stream = streams(live_server, ben_client.cookies.get("kapwa_session")).wait_open()
    ana_cookie, ana_csrf = session_of(web, ana)
    ana_client = TestClient(web, base_url="https://testserver", cookies={"kapwa_session": ana_cookie})

    r = _ping(ana_client, ana_csrf, conv.id, "viewing")
    assert r.status_code == 200 and r.json()["present"] == [], "Ana is alone (she is not listed to herself)"
    changed = ben_stream.next("presence.changed")["data"]
    assert changed == {"conversation_id": conv.id,
                       "present": [{"user_id": ana.id, "name": "Ana Cruz", "state": "viewing"}]}
    assert "Ana Cruz is viewing" in ben_client.get(f"/conversations/{conv.id}").text

    _ping(ana_client, ana_csrf, conv.id, "replying")
    states = {p["user_id"]: p["state"] for p in ben_stream.next("presence.changed")["data"]["present"]}
    assert states[ana.id] == "replying"
    assert "Ana Cruz is replying" in ben_client.get(f"/conversations/{conv.id}").text

    # A ping that changes nothing refreshes the entry without another event.
    ben_stream.drain(0.3)
    _ping(ana_client, ana_csrf, conv.id, "replying")
    assert [e for e in ben_stream.drain(1.0) if e["type"] == "presence.changed"] == []

    # Ana's laptop sleeps: no more pings. After the time to live she is gone, and Ben is told.
    live_for(rt).presence.clock = lambda: time.monotonic() + TTL_SECONDS + 1  # time passes
    assert ben_stream.next("presence.changed", timeout=15)["data"] == {"conversation_id": conv.id, "present": []}
    assert "Ana Cruz is" not in ben_client.get(f"/conversations/{conv.id}").text


def test_leaving_removes_presence_at_once_and_a_ping_answers_who_else_is_there(rt, factory, web, signed_in):
    conv = factory.conversation(factory.source("discord"))
    ana = factory.user(Role.analyst, name="Ana Cruz")
    ana_cookie, ana_csrf = session_of(web, ana)
    ana_client = TestClient(web, base_url="https://testserver", cookies={"kapwa_session": ana_cookie})
    _ping(ana_client, ana_csrf, conv.id, "viewing")
    c, user, csrf = signed_in(Role.analyst)
    r = _ping(c, csrf, conv.id, "viewing")
    assert r.status_code == 200
    assert r.json()["present"] == [{"user_id": ana.id, "name": "Ana Cruz", "state": "viewing"}]
    assert _ping(ana_client, ana_csrf, conv.id, "left").status_code == 200
    assert [p["user_id"] for p in live_for(rt).presence.present(user.workspace_id, conv.id)] == [user.id]


def test_one_teammate_in_two_tabs_shows_once_replying_if_either_tab_is(rt, factory, signed_in):
    conv = factory.conversation(factory.source("discord"))
    c, user, csrf = signed_in(Role.analyst)
    _ping(c, csrf, conv.id, "viewing", tab="a")
    _ping(c, csrf, conv.id, "replying", tab="b")
    assert live_for(rt).presence.present(user.workspace_id, conv.id) == [
        {"user_id": user.id, "name": user.name, "state": "replying"}]
    _ping(c, csrf, conv.id, "left", tab="b")
    assert live_for(rt).presence.present(user.workspace_id, conv.id)[0]["state"] == "viewing"


def test_presence_is_checked_like_any_write(rt, factory, signed_in):
    conv = factory.conversation(factory.source("discord"))
    foreign = Factory(rt).conversation(Factory(rt).source("discord"))
    c, _user, csrf = signed_in(Role.analyst)
    assert _ping(c, csrf, foreign.id, "viewing").status_code == 404, "another workspace's conversation"
    assert _ping(c, csrf, 999999, "viewing").status_code == 404
    assert _ping(c, csrf, conv.id, "typing").status_code == 422
    r = c.post(f"/conversations/{conv.id}/presence", json={"state": "viewing"})
    assert r.status_code == 403, "no CSRF token, no presence"
    assert c.post(f"/conversations/{conv.id}/presence", json={"state": "viewing", "tab": "<x>"},
                  headers={"X-CSRF-Token": csrf}).status_code == 422


def test_config_gives_the_browser_its_strings_and_who_is_where(rt, factory, signed_in, web):
    conv = factory.conversation(factory.source("discord"))
    ana = factory.user(Role.analyst, name="Ana Cruz", locale="fil")
    cookie, csrf = session_of(web, ana)
    ana_client = TestClient(web, base_url="https://testserver", cookies={"kapwa_session": cookie})
    _ping(ana_client, csrf, conv.id, "viewing")
    c, me, _ = signed_in(Role.analyst)
    cfg = c.get("/live/config").json()
    assert cfg["user_id"] == me.id
    assert cfg["present"] == {str(conv.id): [{"user_id": ana.id, "name": "Ana Cruz", "state": "viewing"}]}
    assert cfg["strings"]["viewing"] == "{name} is viewing"
    assert cfg["statuses"]["resolved"]
    assert ana_client.get("/live/config").json()["present"] == {}, "nobody is shown their own presence"


def test_heartbeats_keep_the_stream_alive_and_signing_out_ends_it(rt, factory, web, live_server, streams,
                                                                   monkeypatch):
    from kapwa.inbox import live

    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.2)  # instead of 15 s
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.5)  # instead of 60 s
    ana = factory.user(Role.analyst)
    cookie, csrf = session_of(web, ana)
    stream = streams(live_server, cookie).wait_open()
    time.sleep(1)
    assert stream.comments.count("ping") >= 2, "idle streams get comment heartbeats"
    assert not stream.ended.is_set()

    TestClient(web, base_url="https://testserver", cookies={"kapwa_session": cookie}).post(
        "/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert stream.next("signed_out", timeout=5)
    assert stream.ended.wait(5), "the stream of a signed-out session ends"


def test_stopping_the_server_ends_open_streams_at_once(rt, factory, web, live_server, streams):
    from kapwa.inbox.live_hub import close_streams

    stream = streams(live_server, session_of(web, factory.user(Role.analyst))[0]).wait_open()
    close_streams()  # what `kapwa serve` does on Ctrl+C / SIGTERM
    assert stream.ended.wait(5)


def test_a_page_resumes_from_the_event_it_was_rendered_at(rt, factory, web, live_server, streams):
    import re

    src = factory.source("discord")
    ana = factory.user(Role.analyst)
    cookie, _ = session_of(web, ana)
    page = TestClient(web, base_url="https://testserver", cookies={"kapwa_session": cookie}).get("/me").text
    rendered_at = re.search(r'<body data-live-id="([^"]+)"', page).group(1)
    # A message arrives after the page was rendered and before its script opened the stream.
    ids = ingest_batch(rt, src.id, Batch([_item("g-1")]), analyze=False).new_message_ids
    stream = streams(live_server, cookie, last_event_id=rendered_at).wait_open()
    assert stream.next("messages.ingested")["data"]["conversations"][0]["messages"] == ids


def test_closing_the_runtime_stops_the_live_hub(settings):
    from kapwa.core.runtime import Runtime

    other = Runtime.from_settings(settings)
    live = live_for(other)
    live.current_id()  # a page was rendered: the hub runs
    assert live.thread.is_alive()
    other.close()
    live.thread.join(5)
    assert not live.thread.is_alive(), "a closed runtime leaves no live thread behind"
