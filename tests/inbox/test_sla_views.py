"""Service levels in the product: the settings page (validation, saving, presets, roles), the unanswered
questions queue, the conversation card and badges, home-page warnings, and breach notifications."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kapwa.core.models import AuditEntry, Conversation, Notification, Role, SlaPolicy, utcnow
from kapwa.inbox import sla_actions
from kapwa.inbox.sla import WEEKDAYS, refresh_sla
from kapwa.inbox.sla_holidays import ph_regular_holidays, preset_year
from kapwa.inbox.sla_jobs import notify_workspace, recompute

URL = "/settings/service-levels"


def form(csrf, **kw) -> dict:
    data = {"csrf_token": csrf, "source_id": "", "mode": "own", "first_response_value": "2",
            "first_response_unit": "hours", "resolution_value": "1", "resolution_unit": "days",
            "timezone": "Asia/Manila", "schedule": "hours", "holidays": "", "warn_at_percent": "75"}
    for day in WEEKDAYS[:6]:
        data[f"hours_{day}_0_start"], data[f"hours_{day}_0_end"] = "08:00", "20:00"
    data.update(kw)
    return data


def policies(rt) -> dict:
    with rt.db.sessions() as s:
        return {p.source_id: p for p in s.scalars(select(SlaPolicy))}


def around_the_clock(rt, factory, source=None, **kw):
    values = {"first_response_minutes": 60, "resolution_minutes": 600, "business_hours": {}, "holidays": [], **kw}
    with rt.db.write_sessions() as s, s.begin():
        s.add(SlaPolicy(workspace_id=factory.workspace_id, source_id=source.id if source else None, **values))


def question(factory, source, asked_at, title="Paano mag cash-in?", **kw):
    member = factory.member(kw.pop("member_name", None))
    ident = factory.identity(member, source)
    conv = factory.conversation(source, title=title, status=kw.pop("status", "open"), needs_answer=True,
                                first_message_at=asked_at, last_inbound_at=asked_at, started_by_member_id=member.id,
                                **kw)
    factory.message(conv, text=title, identity=ident, created_at=asked_at, needs_answer=True)
    return conv


# ---------------------------------------------------------------------------------------- settings page

def test_manager_saves_the_default_policy(rt, factory, signed_in):
    client, user, csrf = signed_in(Role.manager)
    r = client.post(URL, data=form(csrf, holidays="2026-12-25 Pasko\n2026-12-30"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == URL + "?open=default#policy-default"
    p = policies(rt)[None]
    assert (p.first_response_minutes, p.resolution_minutes, p.timezone) == (120, 1440, "Asia/Manila")
    assert p.business_hours["mon"] == [["08:00", "20:00"]] and "sun" not in p.business_hours
    assert p.holidays == ["2026-12-25", "2026-12-30"] and p.enabled
    page = client.get(URL).text
    assert "Service levels saved" in page
    summary = page.split("sla-summary")[1].split("</table>")[0]
    assert "2 h" in summary and "24 h" in summary and "Mon–Sat 08:00–20:00" in summary
    with rt.db.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "sla_policy.create"))
    assert entry.actor_user_id == user.id and "default" in entry.summary


@pytest.mark.parametrize("changes, field, message", [
    ({"first_response_value": "soon"}, "first_response", "Enter a number"),
    ({"first_response_value": ""}, "first_response", "Enter a target"),
    ({"first_response_value": "0"}, "first_response", "at least one minute"),
    ({"first_response_value": "inf"}, "first_response", "Enter a number"),
    ({"first_response_value": "400", "first_response_unit": "days"}, "first_response", "at most 365 days"),
    ({"first_response_unit": "weeks"}, "first_response", "minutes, hours or days"),
    ({"resolution_value": "30", "resolution_unit": "minutes"}, "resolution", "cannot be shorter"),
    ({"timezone": "Mars/Olympus"}, "timezone", "time zone from the list"),
    ({"hours_mon_0_start": "21:00"}, "hours_mon", "ends before it starts"),
    ({"hours_tue_1_start": "12:00", "hours_tue_1_end": "13:00"}, "hours_tue", "overlap"),
    ({"hours_wed_0_end": ""}, "hours_wed", "both a start and an end"),
    ({"holidays": "2026-12-25\nPasko 50%"}, "holidays", "Line 2"),
    ({"holidays": "2026-02-30"}, "holidays", "is not a date"),
    ({"warn_at_percent": "100"}, "warn_at_percent", "from 1 to 99"),
])
def test_invalid_input_is_shown_next_to_its_field(rt, signed_in, changes, field, message):
    client, _, csrf = signed_in(Role.manager)
    r = client.post(URL, data=form(csrf, **changes))
    assert r.status_code == 400
    error = re.search(rf'<p class="field-error" id="err-default-{field}">([^<]*)</p>', r.text)
    assert error and message in error.group(1), r.text[:200]
    assert f'aria-describedby="err-default-{field}"' in r.text
    typed = next(iter(changes.values()))
    if typed and "\n" not in typed and typed != "weeks":
        assert f'value="{typed}"' in r.text or f">{typed}</textarea>" in r.text  # what was typed is kept
    assert policies(rt) == {}


def test_around_the_clock_needs_no_hours_and_hours_need_a_day(rt, signed_in):
    client, _, csrf = signed_in(Role.manager)
    empty = {f"hours_{d}_0_{k}": "" for d in WEEKDAYS for k in ("start", "end")}
    r = client.post(URL, data=form(csrf, **empty))
    assert r.status_code == 400 and "at least one day" in r.text
    r = client.post(URL, data=form(csrf, schedule="always", **empty), follow_redirects=False)
    assert r.status_code == 303 and policies(rt)[None].business_hours == {}
    # An end of 00:00 means midnight.
    r = client.post(URL, data=form(csrf, hours_sun_0_start="18:00", hours_sun_0_end="00:00"), follow_redirects=False)
    assert r.status_code == 303 and policies(rt)[None].business_hours["sun"] == [["18:00", "24:00"]]


def test_philippine_holidays_preset(rt, signed_in):
    client, _, csrf = signed_in(Role.manager)
    year = preset_year(utcnow().date())
    page = client.get(URL).text
    assert f"Add the Philippine regular holidays for {year}" in page
    r = client.post(URL, data=form(csrf, holidays="2026-02-17", preset="ph"), follow_redirects=True)
    assert "Philippine regular holidays added" in r.text
    assert policies(rt)[None].holidays == sorted(["2026-02-17", *ph_regular_holidays(year)])
    assert "Rizal Day" in r.text  # the holidays list names them


def test_source_policy_off_default_and_delete(rt, factory, signed_in):
    email, chat = factory.source("email", name="Support inbox"), factory.source("discord", name="Discord")
    client, _, csrf = signed_in(Role.owner)
    client.post(URL, data=form(csrf))
    r = client.post(URL, data=form(csrf, source_id=str(email.id), first_response_value="30",
                                   first_response_unit="minutes"), follow_redirects=False)
    assert r.headers["location"] == f"{URL}?open={email.id}#policy-{email.id}"
    assert re.search(rf'id="policy-{email.id}" open', client.get(r.headers["location"]).text)
    client.post(URL, data=form(csrf, source_id=str(chat.id), mode="off"))
    got = policies(rt)
    assert got[email.id].first_response_minutes == 30 and got[chat.id].enabled is False
    page = client.get(URL).text
    row = page.split(f'data-policy="{chat.id}"')[1].split("</tr>")[0]
    assert "No targets" in row
    # Back to the default, then delete the default.
    client.post(URL, data=form(csrf, source_id=str(chat.id), mode="default"))
    assert chat.id not in policies(rt)
    r = client.post(f"{URL}/{got[email.id].id}/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Policy deleted" in r.text and set(policies(rt)) == {None}
    r = client.post(f"{URL}/999999/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "no such service-level policy" in r.text


def test_analysts_read_and_moderators_cannot_save(rt, signed_in):
    client, _, csrf = signed_in(Role.analyst)
    page = client.get(URL)
    assert page.status_code == 200 and "Managers and owners can change these targets" in page.text
    assert 'name="first_response_value"' not in page.text
    assert client.post(URL, data=form(csrf)).status_code == 403


def test_moderator_cannot_save(rt, signed_in):
    client, _, csrf = signed_in(Role.moderator)
    assert client.post(URL, data=form(csrf)).status_code == 403
    assert policies(rt) == {}


def test_saving_recomputes_open_conversations(rt, factory, signed_in):
    src = factory.source("email")
    asked = utcnow() - dt.timedelta(minutes=30)
    conv = question(factory, src, asked)
    closed = question(factory, src, asked, status="resolved")
    refresh_sla(rt, [conv.id, closed.id])
    client, _, csrf = signed_in(Role.manager)
    client.post(URL, data=form(csrf, source_id=str(src.id), schedule="always", first_response_value="45",
                               first_response_unit="minutes"))
    with rt.db.sessions() as s:
        assert s.get(Conversation, conv.id).first_response_due_at == asked + dt.timedelta(minutes=45)
        assert s.get(Conversation, closed.id).first_response_due_at is None


def test_many_conversations_are_recomputed_by_a_job(rt, factory, signed_in, monkeypatch):
    src = factory.source("email")
    asked = utcnow() - dt.timedelta(minutes=30)
    convs = [question(factory, src, asked) for _ in range(3)]
    monkeypatch.setattr(sla_actions, "INLINE_LIMIT", 2)
    client, _, csrf = signed_in(Role.manager)
    r = client.post(URL, data=form(csrf, schedule="always", first_response_value="45",
                                   first_response_unit="minutes"), follow_redirects=True)
    assert "recomputed in the background" in r.text
    with rt.db.sessions() as s:
        assert s.get(Conversation, convs[0].id).first_response_due_at is None  # not yet
    assert recompute(rt, factory.workspace_id, None) == 3  # what the queued job runs
    with rt.db.sessions() as s:
        assert s.get(Conversation, convs[0].id).first_response_due_at == asked + dt.timedelta(minutes=45)


# ---------------------------------------------------------------------------------------- unanswered

def test_unanswered_questions_longest_waiting_first(rt, factory, signed_in):
    email, forum = factory.source("email", name="Support inbox"), factory.source("discourse", name="Forum")
    around_the_clock(rt, factory)
    now = utcnow()
    newest = question(factory, email, now - dt.timedelta(minutes=30), title="Bakit pending ang cash-in ko?")
    oldest = question(factory, forum, now - dt.timedelta(hours=9), title="How do I change my MPIN?",
                      member_name="Juan dela Cruz", language="en")
    middle = question(factory, email, now - dt.timedelta(hours=4), title="Refund po?", language="tl")
    answered = question(factory, email, now - dt.timedelta(hours=20), title="Answered already",
                        first_response_at=now - dt.timedelta(hours=19))
    resolved = question(factory, forum, now - dt.timedelta(hours=30), title="Resolved one", status="resolved")
    refresh_sla(rt, [c.id for c in (newest, oldest, middle, answered, resolved)])
    client, _, _ = signed_in(Role.analyst)
    page = client.get("/inbox/unanswered").text
    ids = [int(i) for i in re.findall(r'<tr data-conversation-id="(\d+)"', page)]
    assert ids == [oldest.id, middle.id, newest.id]
    row = page.split(f'data-conversation-id="{oldest.id}"')[1].split("</tr>")[0]
    assert "Juan dela Cruz" in row and "Forum" in row and f'href="/conversations/{oldest.id}"' in row
    assert re.search(r'data-field="waiting">.*9\.0 h', row) and re.search(r'data-field="business">9\.0 h', row)
    assert 'data-sla="breached"' in row and "breached 8 h" in row  # a 1 h target, around the clock
    assert 'data-sla="breached"' not in page.split(f'data-conversation-id="{newest.id}"')[1].split("</tr>")[0]
    only_email = client.get(f"/inbox/unanswered?source={email.id}").text
    assert [int(i) for i in re.findall(r'data-conversation-id="(\d+)"', only_email)] == [middle.id, newest.id]
    tagalog = client.get("/inbox/unanswered?language=tl").text
    assert [int(i) for i in re.findall(r'data-conversation-id="(\d+)"', tagalog)] == [middle.id]
    assert client.get("/inbox/unanswered?language=klingon").status_code == 422


def test_business_waiting_time_skips_closed_hours(rt, factory, signed_in):
    src = factory.source("email")
    now = utcnow()
    # Business hours only in the hour that ended 30 minutes ago (in UTC), every day.
    local_start = (now - dt.timedelta(minutes=90)).strftime("%H:%M")
    local_end = (now - dt.timedelta(minutes=30)).strftime("%H:%M")
    if local_end <= local_start:
        pytest.skip("the window crosses midnight UTC")
    around_the_clock(rt, factory, timezone="UTC", business_hours={d: [[local_start, local_end]] for d in WEEKDAYS})
    conv = question(factory, src, now - dt.timedelta(hours=2))
    refresh_sla(rt, [conv.id])
    client, _, _ = signed_in(Role.analyst)
    row = client.get("/inbox/unanswered").text.split(f'data-conversation-id="{conv.id}"')[1]
    assert re.search(r'data-field="waiting">.*2\.0 h', row) and re.search(r'data-field="business">1\.0 h', row)


# ---------------------------------------------------------------------------------------- conversation page

def test_conversation_card_says_due_breached_or_met(rt, factory, signed_in):
    src = factory.source("email", name="Support inbox")
    around_the_clock(rt, factory, src)
    now = utcnow()
    late = question(factory, src, now - dt.timedelta(hours=3))
    met = question(factory, src, now - dt.timedelta(hours=3), first_response_at=now - dt.timedelta(hours=2, minutes=30))
    fresh = question(factory, src, now - dt.timedelta(minutes=10))
    refresh_sla(rt, [late.id, met.id, fresh.id])
    client, _, _ = signed_in(Role.analyst)

    def card(conv):
        page = client.get(f"/conversations/{conv.id}").text
        return page.split('id="sla"')[1].split("</section>")[0]

    c = card(late)
    assert 'data-sla-target="first_response" data-sla-state="breached"' in c and "2 h ago" in c
    assert "Policy for Support inbox" in c
    c = card(met)
    assert "Answered in 30 min of business time" in c and "within target" in c
    c = card(fresh)
    assert 'data-sla-state="ok"' in c and re.search(r"Due in (49|50) min of business time", c)


def test_conversation_card_without_policy(rt, factory, signed_in):
    conv = question(factory, factory.source("email"), utcnow())
    client, _, _ = signed_in(Role.manager)
    page = client.get(f"/conversations/{conv.id}").text
    assert "No service-level policy applies" in page and 'href="/settings/service-levels"' in page


# ---------------------------------------------------------------------------------------- home page

def test_home_page_warns_about_breaches_and_shows_first_response_times(rt, factory, signed_in):
    email, forum = factory.source("email", name="Support inbox"), factory.source("discourse", name="Forum")
    around_the_clock(rt, factory, first_response_minutes=120, resolution_minutes=24 * 60)
    now = utcnow()
    breached = [question(factory, email, now - dt.timedelta(hours=h)) for h in (3, 5, 7)]
    soon = [question(factory, forum, now - dt.timedelta(minutes=100))]  # 20 of 120 minutes left (warn at 75%)
    calm = question(factory, forum, now - dt.timedelta(minutes=10))
    answered = [question(factory, email, now - dt.timedelta(hours=6), first_response_at=now - dt.timedelta(hours=h),
                         status="resolved") for h in (5, 4, 3)]  # 1, 2 and 3 hours to answer
    refresh_sla(rt, [c.id for c in breached + soon + answered + [calm]])
    client, _, _ = signed_in(Role.analyst)
    page = client.get("/").text
    alert = page.split('aria-labelledby="sla-alert-h"')[1].split("</section>")[0]
    assert "3 conversations breached the first-response target" in alert
    assert '<a href="/inbox?sla=breached"' in alert
    assert re.search(r'href="/inbox\?sla=due_soon" data-sla-count="due_soon">1 conversation due soon', alert)
    row = page.split(f'data-source-id="{email.id}"')[1].split("</tr>")[0]
    assert re.search(r'data-field="median">2\.0 h', row) and "67%" in row  # 2 of 3 within 2 h
    assert "median first response 2.0 h (business time, 7 days)" in page


def test_home_page_is_quiet_when_all_is_well(rt, factory, signed_in):
    around_the_clock(rt, factory)
    conv = question(factory, factory.source("email"), utcnow() - dt.timedelta(minutes=5))
    refresh_sla(rt, [conv.id])
    client, _, _ = signed_in(Role.analyst)
    assert 'class="sla-alert' not in client.get("/").text


# ---------------------------------------------------------------------------------------- notifications

def test_breach_and_due_soon_notify_once(rt, factory):
    src = factory.source("email", name="Support inbox")
    around_the_clock(rt, factory, first_response_minutes=60)
    manager, owner = factory.user(Role.manager), factory.user(Role.owner)
    agent, analyst = factory.user(Role.moderator), factory.user(Role.analyst)
    now = utcnow()
    late = question(factory, src, now - dt.timedelta(minutes=90), title="Nawala ang pera ko", assignee_id=agent.id)
    unassigned = question(factory, src, now - dt.timedelta(minutes=50), title="Refund?")
    ancient = question(factory, src, now - dt.timedelta(days=5), title="Old")
    refresh_sla(rt, [late.id, unassigned.id, ancient.id])
    assert notify_workspace(rt, factory.workspace_id, now) == 3  # agent (breach); manager + owner (due soon)
    with rt.db.sessions() as s:
        got = {(n.user_id, n.kind, n.url) for n in s.scalars(select(Notification))}
        texts = [n.text for n in s.scalars(select(Notification).where(Notification.user_id == agent.id))]
    assert got == {(agent.id, "sla_breached", f"/conversations/{late.id}#sla-first-response"),
                   (manager.id, "sla_due_soon", f"/conversations/{unassigned.id}#sla-first-response"),
                   (owner.id, "sla_due_soon", f"/conversations/{unassigned.id}#sla-first-response")}
    assert analyst.id not in {u for u, _, _ in got}
    assert texts == ["First response target breached on “Nawala ang pera ko” (Support inbox)"]
    assert notify_workspace(rt, factory.workspace_id, now + dt.timedelta(minutes=5)) == 0  # once per state
    # Ten minutes later the unassigned one breaches: that is a new state, so one more round.
    assert notify_workspace(rt, factory.workspace_id, now + dt.timedelta(minutes=15)) == 2


# ---------------------------------------------------------------------------------------- demo

def test_demo_policies(rt, factory):
    from kapwa.demo.sla import write_sla_policies

    email = factory.source("email", name="support@bayanipay.ph inbox")
    factory.source("discord")
    with rt.db.write_sessions() as s, s.begin():
        assert write_sla_policies(s, factory.workspace_id) == 2
        assert write_sla_policies(s, factory.workspace_id) == 0  # once
    got = policies(rt)
    default, support = got[None], got[email.id]
    assert (default.first_response_minutes, default.resolution_minutes, default.timezone) == (120, 1440, "Asia/Manila")
    assert default.business_hours["sat"] == [["08:00", "20:00"]] and "sun" not in default.business_hours
    assert "2026-12-25" in default.holidays and "2027-12-30" in default.holidays
    assert support.first_response_minutes < default.first_response_minutes
