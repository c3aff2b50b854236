"""Live events across processes through a real redis-server (KAPWA_REDIS_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from kapwa.core.events import Event
from kapwa.core.models import Role
from kapwa.core.runtime import Runtime
from kapwa.web.app import create_app
from tests.browser import conftest as browser
from tests.support.services import redis_server
from tests.support.sse import EventStream, session_of

pytestmark = pytest.mark.services
live_server = browser.live_server  # the web process: the real app on loopback


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def rt(settings, redis_url):
    """This test's runtime (the web process), relaying its events through Redis."""
    from tests.conftest import PG_URL, _truncate_all

    runtime = Runtime.from_settings(settings.model_copy(update={"redis_url": redis_url}))
    if PG_URL:
        _truncate_all(runtime.db)
    assert runtime._bridge.subscribed.wait(10), "the bridge did not subscribe"
    yield runtime
    runtime.close()


def _collect(rt: Runtime) -> list[Event]:
    seen: list[Event] = []
    rt.events.subscribe(seen.append)
    return seen


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_two_runtimes_see_each_others_events_exactly_once(rt, settings, redis_url):
    other = Runtime.from_settings(settings.model_copy(update={"redis_url": redis_url}))
    try:
        assert other._bridge.subscribed.wait(10)
        here, there = _collect(rt), _collect(other)

        rt.events.publish(Event("conversation.updated", 7, {"id": 42, "changes": ["status"]}, actor_id=3))
        assert _wait(lambda: there), "the other process did not receive the event"
        assert there == [Event("conversation.updated", 7, {"id": 42, "changes": ["status"]}, actor_id=3)]

        other.events.publish(Event("messages.ingested", 7, {"source_id": 1, "ids": [1, 2], "count": 2}))
        assert _wait(lambda: len(here) == 2)
        time.sleep(0.3)  # anything echoed back would have arrived by now
        assert [e.type for e in here] == ["conversation.updated", "messages.ingested"], "no echoes, no loss"
        assert [e.type for e in there] == ["conversation.updated", "messages.ingested"]
    finally:
        other.close()


def test_an_event_that_is_not_plain_json_stays_local(rt, settings, redis_url):
    other = Runtime.from_settings(settings.model_copy(update={"redis_url": redis_url}))
    try:
        assert other._bridge.subscribed.wait(10)
        there = _collect(other)
        here = _collect(rt)
        rt.events.publish(Event("odd.event", 1, {"when": threading.Lock()}))
        rt.events.publish(Event("plain.event", 1, {"n": 1}))
        assert _wait(lambda: there)
        time.sleep(0.2)
        assert [e.type for e in there] == ["plain.event"]
        assert [e.type for e in here] == ["odd.event", "plain.event"], "local listeners still get both"
    finally:
        other.close()


WORKER = textwrap.dedent("""
    import datetime as dt, sys
    from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
    from kapwa.core.runtime import Runtime
    from kapwa.core.settings import load_settings
    from kapwa.ingest.pipeline import ingest_batch

    rt = Runtime.from_settings(load_settings())
    item = InboundItem("w-1", dt.datetime.now(dt.UTC), "Wala pa rin po yung refund ko",
                       InboundAuthor(platform_user_id="juan", handle="juan"), thread_id="w-thread",
                       title="Refund")
    result = ingest_batch(rt, int(sys.argv[1]), Batch([item]), analyze=False)
    rt.close()  # flushes the events still queued for Redis
    print(result.new_message_ids[0])
""")


def test_a_message_ingested_by_a_worker_process_reaches_the_web_process_live_clients(
        rt, factory, settings, redis_url, live_server):
    src = factory.source("telegram")
    ana = factory.user(Role.analyst)
    stream = EventStream(live_server, session_of(create_app(rt=rt), ana)[0]).wait_open()
    try:
        env = {**os.environ, "KAPWA_REDIS_URL": redis_url, "KAPWA_SECRET_KEY": settings.secret_key,
               "KAPWA_DATA_DIR": str(settings.data_dir), "KAPWA_DATABASE_URL": settings.sqlalchemy_url}
        done = subprocess.run([sys.executable, "-c", WORKER, str(src.id)], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        message_id = int(done.stdout.strip().splitlines()[-1])

        event = stream.next("messages.ingested", timeout=15)
        assert event["data"]["count"] == 1
        assert event["data"]["conversations"][0]["messages"] == [message_id]
    finally:
        stream.close()


def test_presence_is_shared_by_web_processes_through_redis(rt, settings, redis_url, factory):
    from kapwa.inbox.live import ping_presence
    from kapwa.inbox.live_hub import live_for
    from kapwa.web.auth import Viewer

    conv = factory.conversation(factory.source("discord"))
    ana = factory.user(Role.analyst, name="Ana Cruz")
    other = Runtime.from_settings(settings.model_copy(update={"redis_url": redis_url}))
    try:
        assert other._bridge.subscribed.wait(10)
        elsewhere = live_for(other).presence  # the second web process
        ping_presence(rt, Viewer(ana, None, None, False), conv.id, "replying", "tab-1")
        assert _wait(lambda: elsewhere.present(ana.workspace_id, conv.id))
        assert elsewhere.present(ana.workspace_id, conv.id) == [
            {"user_id": ana.id, "name": "Ana Cruz", "state": "replying"}]
        ping_presence(rt, Viewer(ana, None, None, False), conv.id, "left", "tab-1")
        assert _wait(lambda: not elsewhere.present(ana.workspace_id, conv.id))
    finally:
        other.close()


def _redis_on(port: int, workdir) -> subprocess.Popen:
    from tests.support.services import REDIS_SERVER, port_open

    proc = subprocess.Popen([str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
    assert _wait(lambda: port_open(port)), "redis-server did not start"
    return proc


def test_after_a_redis_outage_the_bridge_reconnects_and_reports_the_gap(tmp_path):
    from kapwa.core.events import EventBus
    from kapwa.core.events_redis import GAP, RedisBridge
    from tests.support.services import free_port

    port = free_port()
    server = _redis_on(port, tmp_path)
    web, worker = EventBus(), EventBus()
    bridges = [RedisBridge(bus, f"redis://127.0.0.1:{port}/0") for bus in (web, worker)]
    seen = _collect_bus(web)
    try:
        assert all(b.subscribed.wait(10) for b in bridges)
        worker.publish(Event("messages.ingested", 1, {"ids": [1]}))
        assert _wait(lambda: [e.type for e in seen] == ["messages.ingested"])

        server.terminate()
        server.wait(10)
        started = time.monotonic()
        worker.publish(Event("messages.ingested", 1, {"ids": [2]}))  # retried briefly, then dropped
        assert time.monotonic() - started < 0.5, "an action must not wait for an unreachable Redis"

        server = _redis_on(port, tmp_path)
        assert _wait(lambda: GAP in [e.type for e in seen], timeout=40), "the web side must learn of the gap"
        assert all(b.subscribed.wait(10) for b in bridges)
        worker.publish(Event("messages.ingested", 1, {"ids": [3]}))
        assert _wait(lambda: [3] in [e.data.get("ids") for e in seen if e.type == "messages.ingested"])
    finally:
        for b in bridges:
            b.stop()
        server.terminate()
        server.wait(10)


def _collect_bus(bus) -> list[Event]:
    seen: list[Event] = []
    bus.subscribe(seen.append)
    return seen
