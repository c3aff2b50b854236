"""Live updates in Chromium: a message ingested while the page is open appears without a reload, the inbox
updates in place, and two teammates on one conversation see each other viewing and replying."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import socket
import threading

import pytest
from playwright.sync_api import expect

from kapwa.connectors.base import Batch, InboundAuthor, InboundItem
from kapwa.core.actions import Actor
from kapwa.core.models import Conversation, Message, Role, utcnow
from kapwa.inbox import actions
from kapwa.ingest.pipeline import ingest_batch

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOSTILE = '<img src=x onerror="window.__pwned=1"> Bakit wala pa rin po?'


def _item(pid: str, text: str, thread: str, who: str = "maria", minutes_ago: int = 0, title: str | None = None):
    return InboundItem(pid, utcnow() - dt.timedelta(minutes=minutes_ago), text,
                       InboundAuthor(platform_user_id=who, handle=who, display_name=who.title()),
                       thread_id=thread, title=title)


def _conversation_of(rt, message_id: int) -> Conversation:
    with rt.db.sessions() as s:
        return s.get(Conversation, s.get(Message, message_id).conversation_id)


@pytest.fixture
def thread(rt, factory):
    """A Discord source with one conversation of one message, stored through the ingest pipeline."""
    src = factory.source("discord", name="Bayani Discord")
    first = ingest_batch(rt, src.id, Batch([_item("d-1", "Hello po, my cash-in did not arrive.", "th-1",
                                                  minutes_ago=30, title="Cash-in did not arrive")]), analyze=False)
    return src, _conversation_of(rt, first.new_message_ids[0])


def test_a_new_message_appears_on_the_open_conversation_without_a_reload(page, sign_in, factory, rt, thread):
    src, conv = thread
    sign_in(page, factory.user(Role.moderator, name="Ben Santos"))
    page.goto(f"/conversations/{conv.id}")
    expect(page.locator("article.message")).to_have_count(1)
    page.evaluate("window.__sameDocument = true")
    page.fill("#reply-body", "Hi Maria, checking now")  # a draft in progress must survive the update
    # No waiting for the event stream to open: the page carries the id of the last event at rendering, and
    # the stream resumes from there, so a message arriving meanwhile is not lost.
    result = ingest_batch(rt, src.id, Batch([_item("d-2", HOSTILE, "th-1")]), analyze=False)

    new = page.locator(f"#msg-{result.new_message_ids[0]}")
    expect(new).to_be_visible()
    expect(new.locator(".body")).to_have_text(HOSTILE)  # shown as text, escaped by the server
    expect(page.locator("article.message")).to_have_count(2)
    expect(page.locator("#live-announcer")).to_contain_text("A new message arrived in this conversation.")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert page.evaluate("typeof window.__pwned === 'undefined'"), "hostile markup ran"
    expect(page.locator("#reply-body")).to_have_value("Hi Maria, checking now")

    # Another teammate changes the status: the header follows.
    ana = factory.user(Role.manager, name="Ana Cruz")
    actions.do_update_conversation(rt, Actor(ana.workspace_id, ana.id, Role.manager, name=ana.name), conv.id,
                                   status="pending")
    expect(page.locator("main [data-field=status]")).to_have_text("pending")
    expect(page.locator("#live-announcer")).to_contain_text("Ana Cruz set the status to pending.")


def test_the_inbox_announces_new_messages_and_updates_rows_in_place(page, sign_in, factory, rt, thread):
    src, conv = thread
    ben = factory.user(Role.moderator, name="Ben Santos")
    ana = factory.user(Role.manager, name="Ana Cruz")
    sign_in(page, ben)
    page.goto("/inbox?status=all&sort=newest")
    row = page.locator(f"tr[data-conversation-id='{conv.id}']")
    expect(row).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    ingest_batch(rt, src.id, Batch([_item("d-2", "Pa-follow up po", "th-1"),
                                    _item("n-1", "New question po", "th-2", who="jose", title="GCash link")]),
                 analyze=False)
    banner = page.locator("#live-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("2 new messages")
    expect(row.locator(".live-new")).to_have_text("new")

    actions.do_update_conversation(rt, Actor(ana.workspace_id, ana.id, Role.manager, name=ana.name), conv.id,
                                   status="pending", assignee_id=ben.id)
    expect(row.locator("[data-field=status]")).to_have_text("pending")
    expect(row.locator("[data-field=assignee]")).to_have_text("Ben Santos")
    assert page.evaluate("window.__sameDocument === true"), "the inbox was reloaded"

    banner.get_by_role("button", name="Show").click()
    expect(page.locator("tr[data-conversation-id]", has_text="GCash link")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/inbox\?status=all&sort=newest$"))  # filters kept


def test_two_teammates_on_one_conversation_see_each_other_viewing_and_replying(new_page, sign_in, factory, thread):
    _src, conv = thread
    ana = factory.user(Role.moderator, name="Ana Cruz")
    ben = factory.user(Role.moderator, name="Ben Santos")
    ana_page, ben_page = new_page(), new_page()  # two browsers, in effect: separate contexts
    sign_in(ana_page, ana)
    sign_in(ben_page, ben)
    ana_page.goto(f"/conversations/{conv.id}")
    ben_page.goto(f"/conversations/{conv.id}")

    expect(ana_page.locator("#presence-list")).to_have_text("Ben Santos is viewing")
    expect(ben_page.locator("#presence-list")).to_have_text("Ana Cruz is viewing")
    expect(ben_page.locator("#collision-warning")).to_have_count(0)

    ana_page.locator("#reply-body").press_sequentially("Hi po, we are checking")
    expect(ben_page.locator("#presence-list")).to_have_text("Ana Cruz is replying…")
    warning = ben_page.locator("#collision-warning")
    expect(warning).to_contain_text("Ana Cruz is replying to this conversation right now")
    # The warning sits next to Ben's composer.
    assert ben_page.evaluate(
        "() => document.querySelector('#collision-warning').nextElementSibling.id === 'reply-form'")

    ana_page.fill("#reply-body", "")
    expect(ben_page.locator("#presence-list")).to_have_text("Ana Cruz is viewing")
    expect(warning).to_have_count(0)

    # Ana leaves a note for the team mentioning Ben: it shows up in Ben's notes (his own note draft is kept),
    # and his notification bell counts it.
    expect(ben_page.locator("#notification-bell")).to_have_attribute("data-unread-count", "0")
    ben_page.fill("#cnote", "Draft: ask for the reference number")
    ana_page.fill("#cnote", "@Ben called the bank, waiting for their reply")
    with ana_page.expect_navigation():
        ana_page.locator("#notes button[type=submit]").click()
    expect(ben_page.locator("#notes")).to_contain_text("@Ben called the bank, waiting for their reply")
    expect(ben_page.locator("#cnote")).to_have_value("Draft: ask for the reference number")
    announcer = ben_page.locator("#live-announcer")
    expect(announcer).to_contain_text("Ana Cruz mentioned you on Cash-in did not arrive")
    expect(announcer).to_contain_text("Ana Cruz added an internal note.")
    expect(ben_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(ben_page.locator("#notification-bell .bell-count")).to_have_text("1")

    # On the inbox, Ben sees who is on which conversation.
    ben_page.goto("/inbox?status=all")
    expect(ben_page.locator(f"tr[data-conversation-id='{conv.id}'] .row-presence")).to_have_text(
        "Ana Cruz is viewing")

    ana_page.goto("/")  # Ana leaves: Ben sees it at once, not after the time to live
    expect(ben_page.locator(f"tr[data-conversation-id='{conv.id}'] .row-presence")).to_have_count(0)


class FlakyNetwork:
    """A TCP proxy in front of the live server whose connections the test can cut, like a Wi-Fi drop."""

    def __init__(self, target: str) -> None:
        self.target = ("127.0.0.1", int(target.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.up = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def network(live_server):
    net = FlakyNetwork(live_server)
    yield net
    net.close()


def test_tabs_share_one_stream_and_a_dropped_connection_catches_up(new_page, sign_in, factory, rt, thread, network):
    src, conv = thread
    first = new_page(base_url=network.url)
    sign_in(first, factory.user(Role.moderator, name="Ben Santos"))
    second = first.context.new_page()  # a second tab of the same browser
    streams: list[str] = []
    first.context.on("request", lambda r: streams.append(r.url) if "/events" in r.url else None)
    errors: list[str] = []
    for p in (first, second):
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    first.goto("/inbox?status=all")
    second.goto(f"/conversations/{conv.id}")

    ingest_batch(rt, src.id, Batch([_item("d-2", "Hello? Anyone po?", "th-1")]), analyze=False)
    expect(first.locator("#live-banner")).to_contain_text("1 new message")
    expect(second.locator("article.message")).to_have_count(2)
    assert len(streams) == 1, f"each tab opened its own stream: {streams}"

    # The network drops; a message arrives meanwhile; when it is back, the stream resumes from the last
    # event it saw (Last-Event-ID) and both tabs catch up.
    network.cut()
    expect(first.locator("#live-status")).to_have_text("Live updates paused — reconnecting…", timeout=20_000)
    ingest_batch(rt, src.id, Batch([_item("d-3", "Hello ulit po", "th-1")]), analyze=False)
    network.restore()
    expect(second.locator("article.message")).to_have_count(3, timeout=20_000)
    expect(first.locator("#live-banner")).to_contain_text("2 new messages")
    expect(first.locator("#live-status")).to_be_hidden()

    # The tab holding the stream closes: the other one takes over.
    first.close()
    ingest_batch(rt, src.id, Batch([_item("d-4", "Salamat po!", "th-1")]), analyze=False)
    expect(second.locator("article.message")).to_have_count(4)
    assert not [e for e in errors if "Content Security Policy" in e], errors
