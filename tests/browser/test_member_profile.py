"""The member profile in Chromium: a community manager opens a member from the members list, reads their
identities and timeline (loading older activity in place, filtering by platform), leaves a note that
@mentions a teammate and gives them a task; the teammate, in another browser, sees the bell count and follows
the notification to the note."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import insert

from kapwa.core.models import Activity, Role, utcnow


def _community(factory, rt):
    """Demo-like: one member on three platforms with 60 messages over two months, reactions and joins."""
    now = utcnow()
    sources = {k: factory.source(k, name=n) for k, n in (("discord", "Bayani Discord"),
                                                         ("discourse", "Bayani Forum"),
                                                         ("telegram", "Bayani Telegram"))}
    maria = factory.member("Maria Santos", location="Cebu City", is_vip=True, message_count=60,
                           first_seen_at=now - dt.timedelta(days=70), last_active_at=now - dt.timedelta(hours=1))
    idents = {
        "discord": factory.identity(maria, sources["discord"], handle="maria_s", email="maria@example.org",
                                    email_verified=True, profile_url="https://discord.com/users/42"),
        "discourse": factory.identity(maria, sources["discourse"], handle="msantos"),
        "telegram": factory.identity(maria, sources["telegram"], handle="mariatg"),
    }
    factory.member("Juan dela Cruz", last_active_at=now - dt.timedelta(days=3))
    convs = {k: factory.conversation(src, title=f"Cash-in help on {src.name}", status="open",
                                     started_by_member_id=maria.id, last_message_at=now,
                                     priority_reasons=[["negative", 30], ["waiting 3 h", 20]])
             for k, src in sources.items()}
    platforms = ["discord", "discourse", "telegram"]
    for i in range(60):
        p = platforms[i % 3]
        factory.message(convs[p], f"Message number {i} on {p}", identity=idents[p],
                        created_at=now - dt.timedelta(hours=1 + i * 24), language="tl" if i % 2 else "en",
                        sentiment_label="negative" if i % 4 == 0 else "neutral",
                        sentiment_score=-0.6 if i % 4 == 0 else 0.0, intent="question" if i % 5 == 0 else None)
    with rt.db.write_sessions() as s, s.begin():
        s.execute(insert(Activity), [
            {"workspace_id": maria.workspace_id, "member_id": maria.id, "source_id": sources["discord"].id,
             "type": "reacted", "occurred_at": now - dt.timedelta(hours=13 + i * 48), "title": f"Reaction {i}",
             "properties": {}, "weight": 1.0, "created_at": now} for i in range(10)])
        s.execute(insert(Activity), [
            {"workspace_id": maria.workspace_id, "member_id": maria.id, "source_id": src.id, "type": "joined",
             "occurred_at": now - dt.timedelta(days=69), "title": f"Joined {src.name}", "properties": {},
             "weight": 1.0, "created_at": now} for src in sources.values()])
    return maria


def test_member_profile_note_mention_reaches_the_teammates_bell(new_page, factory, rt, sign_in):
    maria = _community(factory, rt)
    jun = factory.user(Role.moderator, name="Jun Reyes", email="jun@bayanipay.ph")
    bea = factory.user(Role.manager, name="Bea Mendoza", email="bea.mendoza@bayanipay.ph")

    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, jun)

    # Members list → Maria.
    page.goto("/members")
    page.get_by_role("link", name="Maria Santos").click()
    expect(page).to_have_url(re.compile(rf"/members/{maria.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Santos")
    facts = page.locator("dl.member-facts")
    expect(facts).to_contain_text("Level")
    expect(facts).to_contain_text("not computed yet")
    expect(facts).to_contain_text("60")  # messages

    # Identities on three platforms; only the https profile is a link.
    identities = page.locator("section#identities tbody tr")
    expect(identities).to_have_count(3)
    expect(identities.nth(0)).to_contain_text("discord")
    expect(identities.nth(0)).to_contain_text("verified")
    expect(identities.nth(0).get_by_role("link", name="maria_s")).to_have_attribute(
        "href", "https://discord.com/users/42")
    expect(page.locator("section#identities")).to_contain_text("mariatg")

    # Timeline: newest first, messages and reactions interleaved; older activity loads in place.
    items = page.locator("#timeline-items li.tl-item")
    expect(items).to_have_count(25)
    expect(items.nth(0)).to_contain_text("Message number 0 on discord")
    expect(items.nth(0).locator(".labels")).to_contain_text("negative")
    expect(page.locator("#timeline-items li.tl-activity").first).to_contain_text("Reaction 0")
    url = page.url
    page.get_by_role("link", name="Show older activity").click()
    expect(items).to_have_count(50)
    assert page.url == url, "older activity should load without leaving the page"
    expect(items.nth(49)).to_be_visible()
    page.get_by_role("link", name="Show older activity").click()
    expect(items).to_have_count(73)  # 60 messages + 10 reactions + 3 joins, each once
    expect(page.get_by_role("link", name="Show older activity")).to_have_count(0)
    expect(items.last).to_contain_text("Joined")

    # Filter by platform (the select submits itself).
    with page.expect_navigation():
        page.get_by_label("Platform", exact=True).select_option("discourse")
    expect(items).to_have_count(21)  # 20 forum messages + the forum join
    expect(page.locator("#timeline-items")).not_to_contain_text("on discord")
    first = page.locator("#timeline-items li.tl-message").first
    first.get_by_role("link", name="Cash-in help on Bayani Forum").click()
    expect(page).to_have_url(re.compile(r"/conversations/\d+#msg-\d+$"))
    page.go_back()

    # A note that @mentions Bea (hostile markup stays text), and a task for her.
    page.goto(f"/members/{maria.id}")
    box = page.get_by_label("Add a note for the team")
    box.press_sequentially("@be")  # the autocomplete offers teammates; Enter picks one
    expect(page.get_by_role("option", name="Bea Mendoza (@bea)")).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("@bea ")
    box.press_sequentially("she was charged twice <b>call her</b>")
    with page.expect_navigation():
        page.get_by_role("button", name="Save note").click()
    expect(page.locator(".flash")).to_contain_text("Note added")
    note = page.locator("#notes .note").first
    expect(note).to_contain_text("@bea she was charged twice <b>call her</b>")
    expect(note.locator("b")).to_have_count(0)
    page.get_by_label("New task").fill("Call Maria about the double charge")
    page.get_by_label("Assignee").select_option(label="Bea Mendoza")
    page.get_by_label("Due").fill((utcnow() + dt.timedelta(days=2)).date().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Add task").click()
    expect(page.locator("#tasks li.task").first).to_contain_text("Bea Mendoza")
    # Jun did both: his own bell stays at zero.
    expect(page.locator("#notification-bell")).to_have_attribute("data-unread-count", "0")
    assert not problems, problems

    # Bea, in another browser context, sees the bell and follows the mention to the note.
    other = new_page()
    sign_in(other, bea)
    bell = other.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(bell.locator(".bell-count")).to_have_text("2")
    bell.click()
    expect(other).to_have_url(re.compile(r"/notifications$"))
    unread = other.locator("li.notification.unread")
    expect(unread).to_have_count(2)
    expect(unread.nth(0)).to_contain_text("Jun Reyes gave you a task about Maria Santos")
    other.get_by_role("link", name=re.compile("Jun Reyes mentioned you in a note on Maria Santos")).click()
    expect(other).to_have_url(re.compile(rf"/members/{maria.id}#note-\d+$"))
    expect(other.locator("#notes .note").first).to_contain_text("she was charged twice")
    expect(bell.locator(".bell-count")).to_have_text("1")
    other.goto("/notifications")
    with other.expect_navigation():
        other.get_by_role("button", name="Mark all as read").click()
    expect(other.locator("li.notification.unread")).to_have_count(0)
    expect(bell.locator(".bell-count")).to_be_hidden()
    expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
