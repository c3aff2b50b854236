"""The inbox in Chromium: filter and search, assign with the keyboard and with the picker, the shortcuts help,
resolve and reply from the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kapwa.core.models import Conversation
from tests.inbox.inbox_world import build

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(factory, rt):
    return build(factory, rt)


def rows(page):
    return page.locator("table.inbox tbody tr[data-conversation-id]")


def row(page, title):
    return page.locator("table.inbox tbody tr", has=page.get_by_role("link", name=title, exact=True))


def assignee_of(rt, conv):
    with rt.db.sessions() as s:
        return s.get(Conversation, conv.id).assignee_id


def test_filter_and_search_the_inbox(page, world, sign_in):
    sign_in(page, world.users["analyst"])
    page.locator(".topbar nav a[href='/inbox']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    expect(rows(page)).to_have_count(4)
    # Highest priority first, with its reasons spelled out.
    first = rows(page).first
    expect(first.locator("a.conv-link")).to_have_text("Nawala ang pera ko")
    expect(first.locator("ul.reasons li")).to_contain_text(["negative", "VIP member", "toxic", "waiting 5 h"])

    # More filters → negative sentiment, VIP members.
    page.get_by_text("More filters").click()
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_label("Source").select_option(label="Bayani Forum")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("a.conv-link")).to_have_text("Refund please")
    assert "sentiment=negative" in page.url
    page.get_by_role("link", name="Clear").click()
    expect(rows(page)).to_have_count(4)

    # "/" jumps to the search box; the search runs over every message.
    page.keyboard.press("/")
    expect(page.locator("#cq")).to_be_focused()
    page.keyboard.type("cash in")
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("a.conv-link")).to_have_text("Paano mag cash in")
    expect(page.locator("#cq")).to_have_value("cash in")


def test_assign_with_the_keyboard_and_the_picker(page, world, rt, sign_in):
    sign_in(page, world.users["mod"])
    page.goto("/inbox")
    expect(rows(page)).to_have_count(4)
    # j selects the first row, a opens the assignee picker with focus in it.
    page.keyboard.press("j")
    expect(rows(page).first).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Assign to…")
    expect(dialog).to_be_visible()
    expect(page.locator("#assign-filter")).to_be_focused()
    page.keyboard.type("marco")
    expect(dialog.locator("li:visible button")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    angry = row(page, "Nawala ang pera ko")
    expect(angry.locator("[data-field=assignee]")).to_have_text("Marco Manager")
    expect(page.locator("#inbox-status")).to_have_text("Assigned 1 to Marco Manager")
    assert assignee_of(rt, world.convs["angry"]) == world.users["manager"].id
    # j moves on; x selects two rows; the bulk picker assigns both.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.locator("#bulk-assignee").select_option(label="Olivia Owner")
    with page.expect_navigation():
        page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Updated 2 conversations")
    second, third = (rows(page).nth(i).get_attribute("data-conversation-id") for i in (1, 2))
    with rt.db.sessions() as s:
        assert {s.get(Conversation, int(i)).assignee_id for i in (second, third)} == {world.users["owner"].id}
    expect(rows(page).nth(1).locator("[data-field=assignee]")).to_have_text("Olivia Owner")


def test_shortcut_help_resolve_and_reply(page, world, rt, sign_in):
    sign_in(page, world.users["mod"])
    page.goto("/inbox")
    expect(rows(page)).to_have_count(4)
    # ? opens the help overlay listing every shortcut; Esc closes it and focus comes back.
    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_).to_be_visible()
    for text in ("Next / previous conversation", "Open the conversation", "Reply", "Resolve", "Assign",
                 "Select for bulk actions", "Show this help"):
        expect(help_).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
    # e resolves the selected conversation in place.
    page.keyboard.press("j")
    page.keyboard.press("j")
    cashin = row(page, "Paano mag cash in")
    expect(cashin).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("e")
    expect(cashin.locator("[data-field=status]")).to_have_text("resolved")
    with rt.db.sessions() as s:
        assert s.get(Conversation, world.convs["cashin"].id).status == "resolved"
    # r opens the selected conversation with the cursor in the reply box.
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("r")
    page.wait_for_url(re.compile(rf"/conversations/{world.convs['angry'].id}#reply-body$"), timeout=30_000)
    expect(page.locator("#reply-body")).to_be_focused()
    # On the conversation page: a focuses the assignee picker, e resolves, ? shows the help.
    page.locator("h1").click()
    page.keyboard.press("a")
    expect(page.locator("#cas")).to_be_focused()
    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.keyboard.press("e")
    with rt.db.sessions() as s:
        assert s.get(Conversation, world.convs["angry"].id).status == "resolved"


def test_inbox_has_no_serious_accessibility_violations(page, world, sign_in):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    sign_in(page, world.users["manager"])
    found = []

    def audit(what):
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append(f"{what}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}")

    page.goto("/inbox")
    page.get_by_text("More filters").click()
    page.get_by_text("Save these filters as a view").click()
    audit("the inbox")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.get_by_role("dialog", name="Assign to…")).to_be_visible()
    audit("the assign picker")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    audit("the shortcuts help")
    assert not found, "\n".join(found)
