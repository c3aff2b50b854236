"""Replies in Chromium, through the Matrix connector to a real Synapse room: compose with a saved reply and send;
the reply arrives in the room and shows in the conversation with its link. The approval flow: a moderator
submits on a source that needs approval, a manager edits and approves it from /approvals and it is sent; a
rejection shows its reason to the author.

The live server queues sends on the SQLite job queue in the data directory; a worker runs in this process, as
``kapwa serve`` runs one."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from sqlalchemy import select

from kapwa.core.actions import Actor
from kapwa.core.jobs import InProcessWorker, JobQueue
from kapwa.core.models import Conversation, Message, Reply, Role, Source
from kapwa.inbox.replies.saved import do_create_saved_reply
from kapwa.ingest.sync import sync_source
from tests.connectors import test_matrix
from tests.connectors.test_matrix import Person, help_room, matrix_source

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.xdist_group("browser")]

# the Synapse server and its two accounts, one of each per module: the connector tests' own fixtures
hs, maria, brand = test_matrix.hs, test_matrix.maria, test_matrix.brand


@pytest.fixture
def worker(rt, live_server):
    running = InProcessWorker(JobQueue(rt))
    running.start()
    yield running
    running.stop()


def _matrix_conversation(rt, factory, hs, maria, brand, question: str, *, approval: bool = False):
    room, alias = help_room(maria, brand)
    event_id = maria.say(room, question)
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])
    assert sync_source(rt, src.id, analyze=False).ok
    with rt.db.write_sessions() as s, s.begin():
        s.get(Source, src.id).reply_approval = approval
        conv = s.get(Conversation, s.scalar(select(Message.conversation_id).where(
            Message.platform_message_id == event_id)))
        conv.language = "tl"  # what the analysis says of these Filipino questions
    return room, conv


def _send(page) -> None:
    """Click the send button; if the empathy check asks "Send anyway?", say yes (these tests are about the
    way a reply goes, not its wording)."""
    with page.expect_navigation(timeout=20_000):
        page.locator("#reply-send").click()
        with contextlib.suppress(PlaywrightTimeoutError):  # no warnings: it went at once
            page.locator("#empathy-send-anyway").click(timeout=2500)


def _in_room(maria: Person, room: str, body: str) -> dict | None:
    return next((ev for ev in maria.timeline(room).values() if (ev.get("content") or {}).get("body") == body), None)


def test_compose_with_a_saved_reply_and_it_arrives_in_the_matrix_room(page, factory, rt, sign_in, hs, maria, brand,
                                                                   worker):
    room, conv = _matrix_conversation(rt, factory, hs, maria, brand, "Paano po mag-verify ng account? Na-reject ID ko.")
    mod = factory.user(Role.moderator, name="Bea Mendoza")
    owner = factory.user(Role.owner, name="Ligaya Santos")
    do_create_saved_reply(rt, Actor(owner.workspace_id, owner.id, Role.owner, name=owner.name), name="KYC help",
                          language="en", shortcut="kyc", body="Hi {member_first_name}! Open Profile > Verify.")
    do_create_saved_reply(rt, Actor(owner.workspace_id, owner.id, Role.owner, name=owner.name), name="KYC help",
                          language="tl", shortcut="kyc",
                          body="Hi {member_first_name}! Buksan ang Profile > Verify at mag-selfie sa maliwanag.")

    sign_in(page, mod)
    page.goto(f"/conversations/{conv.id}")
    expect(page.locator("#reply-send")).to_have_text("Send")
    # The member wrote in Filipino: the Filipino version is offered first, already filled in.
    page.locator("#saved-picker summary").click()
    first = page.locator(".saved-choices li").first
    expect(first).to_contain_text("Filipino")
    first.locator("button.insert-saved").click()
    expected = "Hi Maria! Buksan ang Profile > Verify at mag-selfie sa maliwanag."
    expect(page.locator("#reply-body")).to_have_value(expected)
    page.locator("#reply-body").press("End")
    page.locator("#reply-body").press_sequentially(" Salamat po!")
    text = expected + " Salamat po!"
    _send(page)

    sent = page.locator("#reply-list [data-reply-status='sent']")
    expect(sent).to_have_count(1, timeout=30_000)  # the page follows the send without a reload
    link = sent.locator("a.reply-link")
    expect(link).to_have_text("View on Matrix")
    with rt.db.sessions() as s:
        reply = s.scalars(select(Reply).where(Reply.conversation_id == conv.id)).one()
    assert link.get_attribute("href") == f"https://matrix.to/#/{room}/{reply.platform_message_id}"
    expect(page.locator("article.message.outbound")).to_contain_text(text)  # in the thread, as the team

    event = _in_room(maria, room, text)  # read back through the client API, as Maria's app sees it
    assert event is not None and event["sender"] == brand.user_id and event["event_id"] == reply.platform_message_id
    with rt.db.sessions() as s:
        assert s.get(Reply, reply.id).saved_reply_id is not None


def test_approval_after_an_edit_sends_it_and_a_rejection_shows_the_reason(new_page, factory, rt, sign_in, hs, maria,
                                                                         brand, worker):
    room, conv = _matrix_conversation(rt, factory, hs, maria, brand, "Bakit po may bawas ang padala ko?",
                                      approval=True)
    mod = factory.user(Role.moderator, name="Bea Mendoza")
    manager = factory.user(Role.manager, name="Paolo Reyes")
    author, reviewer = new_page(), new_page()
    sign_in(author, mod)
    sign_in(reviewer, manager)

    author.goto(f"/conversations/{conv.id}")
    expect(author.locator("#reply-send")).to_have_text("Submit for approval")
    author.locator("#reply-body").fill("may fee po yan")
    _send(author)
    expect(author.locator(".flash")).to_have_text("Submitted for approval")
    expect(author.locator("#reply-list [data-reply-status='pending_approval']")).to_contain_text("may fee po yan")
    assert _in_room(maria, room, "may fee po yan") is None

    reviewer.goto("/approvals")
    with rt.db.sessions() as s:
        first = s.scalars(select(Reply).where(Reply.conversation_id == conv.id)).one()
    card = reviewer.locator(f"#approval-{first.id}")
    expect(card).to_contain_text("Bakit po may bawas ang padala ko?")  # what it answers
    edited = "Pasensya na po sa abala, Maria. May ₱15 na fee ang padala sa ibang bangko; makikita ito sa resibo."
    card.locator("textarea[name=body]").fill(edited)
    card.get_by_role("button", name="Approve and send").click()
    expect(reviewer.locator(".flash")).to_have_text("Approved: sending it now")
    expect(reviewer.get_by_text("Nothing is waiting for approval.")).to_be_visible()

    # The author's page follows along: approved, sent, and the reply in the thread.
    sent = author.locator(f"#reply-{first.id}")
    expect(sent).to_have_attribute("data-reply-status", "sent", timeout=30_000)
    expect(author.locator("article.message.outbound")).to_contain_text(edited)
    expect(sent.locator(".reply-body")).to_have_text(edited)
    sent.locator(".reply-history summary").click()
    expect(sent.locator(".reply-history")).to_contain_text("Paolo Reyes edited it")
    expect(sent.locator(".reply-history del")).to_have_text("may fee po yan")
    assert _in_room(maria, room, edited) is not None and _in_room(maria, room, "may fee po yan") is None

    author.locator("#reply-body").fill("basta may fee")
    _send(author)
    expect(author.locator(".flash")).to_have_text("Submitted for approval")
    reviewer.goto("/approvals")
    with rt.db.sessions() as s:
        second = s.scalars(select(Reply).where(Reply.conversation_id == conv.id, Reply.id != first.id)).one()
    card = reviewer.locator(f"#approval-{second.id}")
    card.locator("textarea[name=reason]").fill("Kulang sa paliwanag at walang paumanhin.")
    card.get_by_role("button", name="Reject").click()
    expect(reviewer.locator(".flash")).to_have_text("Rejected: the author has been told why")

    author.goto(f"/conversations/{conv.id}")
    rejected = author.locator(f"#reply-{second.id}")
    expect(rejected).to_have_attribute("data-reply-status", "rejected")
    expect(rejected.locator(".reject-reason")).to_have_text("Kulang sa paliwanag at walang paumanhin.")
    expect(rejected).to_contain_text("Rejected by Paolo Reyes:")
    assert _in_room(maria, room, "basta may fee") is None


def test_reply_pages_have_no_serious_accessibility_violations(page, factory, rt, sign_in):
    from axe_playwright_python.sync_playwright import Axe

    from kapwa.core.jobs import JobQueue as Queue
    from kapwa.inbox.replies.actions import do_create_reply, do_reject_reply

    manager = factory.user(Role.manager, name="Paolo Reyes")
    mod = factory.user(Role.moderator, name="Bea Mendoza")
    src = factory.source("discord", name="Demo Discord", config={"demo": True}, reply_approval=True)
    member = factory.member("Juan dela Cruz")
    conv = factory.conversation(src, title="Paano mag-cash in?", started_by_member_id=member.id)
    factory.message(conv, text="Paano po mag-cash in?", identity=factory.identity(member, src))
    as_mod = Actor(mod.workspace_id, mod.id, Role.moderator, name=mod.name)
    as_manager = Actor(manager.workspace_id, manager.id, Role.manager, name=manager.name)
    queue = Queue(rt, immediate=True)
    do_create_reply(rt, as_mod, conv.id, "Sa app po: Cash In.", jobs=queue)
    rejected = do_create_reply(rt, as_mod, conv.id, "basa ka FAQ", jobs=queue)
    do_reject_reply(rt, as_manager, rejected.id, "Walang paumanhin.")
    do_create_saved_reply(rt, as_manager, name="Salamat", language="tl", body="Salamat po, {member_first_name}!")

    axe, found = Axe(), []
    sign_in(page, manager)
    for url in (f"/conversations/{conv.id}", "/approvals", "/saved-replies", "/saved-replies/new"):
        page.goto(url)
        page.wait_for_load_state("load")
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append(f"{url}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}")
    assert not found, "\n".join(found)
