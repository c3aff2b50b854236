"""The empathy check and suggested answers in Chromium: a harsh draft to an upset member is flagged while it is
typed, "Use this" rewrites it, a good draft shows no warning, sending with warnings asks once; a suggested
answer goes into the reply with one click."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kapwa.core.models import Reply, Role, utcnow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ANGRY = "I paid my Meralco bill 3 days ago and the ₱1,500 was deducted but it still says unpaid. Unacceptable!"
GOOD = ("I'm sorry about the trouble with your payment, Maria. Could you send us the reference number by DM so we "
        "can check it right away?")


def _no_serious_axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    found = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}"
             for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not found, found


def _upset_member(factory):
    src = factory.source("discord", name="Bayani Discord", config={"demo": True})
    maria = factory.member("Maria Santos")
    conv = factory.conversation(src, title="Bill still unpaid", started_by_member_id=maria.id, message_count=1,
                                last_message_at=utcnow())
    factory.message(conv, text=ANGRY, identity=factory.identity(maria, src), language="en", sentiment_score=-0.8,
                    sentiment_label="negative", intent="complaint", needs_answer=True)
    return src, conv


def test_empathy_warning_on_a_harsh_draft(page, factory, rt, sign_in):
    _, conv = _upset_member(factory)
    sign_in(page, factory.user(Role.moderator, name="Bea Mendoza"))
    page.goto(f"/conversations/{conv.id}")
    body = page.locator("#reply-body")
    findings = page.locator("#empathy-findings")

    # A harsh, dismissive draft (with markup in it, which stays text): warnings with suggestions appear.
    body.fill("As I said, just read the FAQ <img src=x id=pwned>")
    dismissive = findings.locator(".empathy-finding.severity-warn[data-code=dismissive]")
    expect(dismissive.first).to_be_visible()
    expect(dismissive.first.locator("mark")).to_have_text("As I said,")
    expect(dismissive.first).to_contain_text("To recap,")
    expect(findings.locator(".empathy-finding[data-code=no_apology]")).to_contain_text(
        "I'm sorry about the trouble with your payment, Maria.")
    expect(findings.locator(".empathy-status")).to_contain_text("Before you send")
    assert findings.locator("img").count() == 0 and page.locator("#pwned").count() == 0

    _no_serious_axe_violations(page)

    # "Use this" rewrites the phrase in the draft, and the list follows.
    dismissive.first.get_by_role("button", name="Use this").click()
    expect(body).to_have_value("To recap, just read the FAQ <img src=x id=pwned>")
    expect(findings.locator(".empathy-finding mark", has_text="As I said")).to_have_count(0)
    findings.locator(".empathy-finding[data-code=no_apology]").get_by_role("button", name="Use this").click()
    expect(body).to_have_value(re.compile(r"^I'm sorry about the trouble with your payment, Maria\. .*To recap, just"))

    # A good draft: no warning at all.
    body.fill(GOOD)
    expect(findings.locator(".empathy-status")).to_have_text("Reads kindly: no suggestions.")
    expect(findings.locator(".empathy-finding")).to_have_count(0)


def test_sending_with_warnings_asks_once(page, factory, rt, sign_in):
    _, conv = _upset_member(factory)
    sign_in(page, factory.user(Role.moderator, name="Bea Mendoza"))
    page.goto(f"/conversations/{conv.id}")
    page.locator("#reply-body").fill("Calm down, it's not our problem.")
    page.locator("#reply-send").click()
    ask = page.locator(".empathy-confirm")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("Send anyway?")
    _no_serious_axe_violations(page)
    ask.get_by_role("button", name="Keep editing").click()
    expect(ask).to_be_hidden()
    with rt.db.sessions() as s:
        assert s.scalars(select(Reply).where(Reply.conversation_id == conv.id)).first() is None

    page.locator("#reply-send").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Send anyway").click()
    expect(page.locator("#reply-list")).to_contain_text("Calm down, it's not our problem.")
    with rt.db.sessions() as s:
        reply = s.scalars(select(Reply).where(Reply.conversation_id == conv.id)).one()
    assert reply.empathy["warnings"] >= 1  # the findings are kept with the reply

    # A good reply goes straight out, without a question.
    page.locator("#reply-body").fill(GOOD)
    with page.expect_navigation():
        page.locator("#reply-send").click()
    expect(page.locator(".empathy-confirm")).to_be_hidden()
    with rt.db.sessions() as s:
        assert len(s.scalars(select(Reply).where(Reply.conversation_id == conv.id)).all()) == 2


def test_insert_a_suggested_answer(page, factory, rt, sign_in):
    src = factory.source("discord", name="Bayani Discord", config={"demo": True})
    team = factory.user(Role.moderator, name="Ana Cruz")
    then = utcnow() - dt.timedelta(days=20)
    liza = factory.member("Liza Ramos")
    old = factory.conversation(src, title="Cash-in from BPI", status="resolved", message_count=2, last_message_at=then)
    factory.message(old, text="How long does an InstaPay cash-in from BPI take to arrive in my wallet?",
                    identity=factory.identity(liza, src), intent="question", needs_answer=True, created_at=then)
    factory.message(old, text="Hi Liza! InstaPay cash-ins from BPI usually arrive in your wallet within minutes.",
                    direction="outbound", sent_by_user_id=team.id, created_at=then + dt.timedelta(hours=1))
    maria = factory.member("Maria Santos")
    new = factory.conversation(src, title="Cash-in?", started_by_member_id=maria.id, message_count=1,
                               last_message_at=utcnow())
    factory.message(new, text="How long does a cash-in from BPI via InstaPay take to reach my wallet?",
                    identity=factory.identity(maria, src), language="en", intent="question", needs_answer=True)

    sign_in(page, team)
    page.goto(f"/conversations/{new.id}")
    panel = page.locator("#suggested-answers")
    expect(panel).to_contain_text("answered by Ana Cruz in “Cash-in from BPI”")
    _no_serious_axe_violations(page)
    panel.locator("button.insert-answer").first.click()
    expect(page.locator("#reply-body")).to_have_value(
        "Hi Maria! InstaPay cash-ins from BPI usually arrive in your wallet within minutes.")
    expect(page.locator("#reply-body")).to_be_focused()
