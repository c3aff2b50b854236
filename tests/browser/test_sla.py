"""Service levels in Chromium: a manager fixes a mistake on the settings page and saves a policy with the
Philippine holidays preset; the question that is now overdue shows a red badge in the unanswered queue and
on its conversation page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kapwa.core.models import Role, SlaPolicy, utcnow
from kapwa.inbox.sla import refresh_sla
from kapwa.inbox.sla_holidays import ph_regular_holidays, preset_year

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_manager_sets_targets_and_sees_a_breach(rt, factory, page, sign_in):
    src = factory.source("email", name="Support inbox")
    member = factory.member("Maria Clara")
    ident = factory.identity(member, src)
    asked = utcnow() - dt.timedelta(hours=3)
    conv = factory.conversation(src, title="Bakit pending pa rin ang cash-in ko?", status="open", needs_answer=True,
                                first_message_at=asked, last_inbound_at=asked, started_by_member_id=member.id)
    factory.message(conv, text="Bakit pending pa rin ang cash-in ko?", identity=ident, created_at=asked,
                    needs_answer=True)
    sign_in(page, factory.user(Role.manager))

    page.goto("/settings/service-levels")
    form = page.locator("#policy-default form")
    form.get_by_label("First response within").fill("an hour")
    form.locator("input[name=schedule][value=always]").check()
    form.get_by_role("button", name="Save", exact=True).click()
    error = page.locator("#err-default-first_response")
    expect(error).to_contain_text("Enter a number")
    expect(page.locator("#policy-default form").get_by_label("First response within")).to_have_attribute(
        "aria-invalid", "true")

    form = page.locator("#policy-default form")
    form.get_by_label("First response within").fill("1")
    form.get_by_role("button", name="Add the Philippine regular holidays").click()
    expect(page.locator(".flash")).to_contain_text("Philippine regular holidays added")
    with rt.db.sessions() as s:
        policy = s.scalar(select(SlaPolicy))
    assert policy.first_response_minutes == 60 and policy.business_hours == {}
    assert set(ph_regular_holidays(preset_year(utcnow().date()))) <= set(policy.holidays)
    expect(page.locator('tr[data-policy="default"]')).to_contain_text("1 h")

    # A source that follows the default gets its own targets as soon as one is typed in (sla.js).
    source_form = page.locator(f"#policy-{src.id}")
    source_form.locator("summary").click()
    expect(source_form.locator("input[name=mode][value=default]")).to_be_checked()
    source_form.get_by_label("First response within").fill("30")
    source_form.get_by_label("Unit").first.select_option("minutes")
    expect(source_form.locator("input[name=mode][value=own]")).to_be_checked()
    source_form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f'tr[data-policy="{src.id}"]')).to_contain_text("30 min")
    page.locator(f"#policy-{src.id}").locator("input[name=mode][value=default]").check()
    page.locator(f"#policy-{src.id}").get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f'tr[data-policy="{src.id}"]')).to_contain_text("follows the default")

    refresh_sla(rt, [conv.id])  # what the desk does after the next sync
    page.goto("/inbox/unanswered")
    badge = page.locator(f'tr[data-conversation-id="{conv.id}"] [data-sla="breached"]')
    expect(badge).to_contain_text("breached 2 h")
    expect(badge.locator(".visually-hidden")).to_have_text("First response target breached 2 h ago")
    page.locator(f'tr[data-conversation-id="{conv.id}"] a', has_text="Bakit pending").click()
    card = page.locator("#sla")
    expect(card.locator('[data-sla-target="first_response"]')).to_contain_text("Breached")
    expect(card).to_contain_text("Workspace default policy")


def test_service_level_pages_have_no_serious_accessibility_violations(rt, factory, page, sign_in):
    from axe_playwright_python.sync_playwright import Axe

    src = factory.source("email", name="Support inbox")
    member = factory.member("Maria Clara")
    ident = factory.identity(member, src)
    asked = utcnow() - dt.timedelta(hours=3)
    conv = factory.conversation(src, title="Refund po?", status="open", needs_answer=True, first_message_at=asked,
                                last_inbound_at=asked, started_by_member_id=member.id)
    factory.message(conv, text="Refund po?", identity=ident, created_at=asked, needs_answer=True)
    with rt.db.write_sessions() as s, s.begin():
        s.add(SlaPolicy(workspace_id=factory.workspace_id, first_response_minutes=60, resolution_minutes=600,
                        business_hours={}, holidays=["2026-12-25"]))
    refresh_sla(rt, [conv.id])
    sign_in(page, factory.user(Role.owner))
    axe, found = Axe(), []

    def audit():
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append(f"{page.url}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:5]]}")

    for url in ("/", "/inbox/unanswered", f"/conversations/{conv.id}", "/settings/service-levels"):
        page.goto(url)
        audit()
    form = page.locator("#policy-default form")
    form.get_by_label("First response within").fill("soon")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#err-default-first_response")).to_be_visible()
    audit()  # with field errors shown
    assert not found, "\n".join(found)
