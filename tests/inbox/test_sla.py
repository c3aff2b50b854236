"""Service levels: business-time maths (hours, several intervals, weekends, holidays, DST zones, around the
clock), which policy applies, where a conversation stands, and the due times the desk keeps."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kapwa.core.models import Conversation, SlaPolicy, utcnow
from kapwa.inbox.desk import update_conversations
from kapwa.inbox.sla import (
    WEEKDAYS,
    PolicyMap,
    add_business_time,
    business_seconds_between,
    format_duration,
    parse_business_hours,
    policy_for,
    refresh_sla,
    rules_of,
    sla_state,
)
from kapwa.inbox.sla_holidays import ph_regular_holidays, preset_year

MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MON_SAT = {d: [["08:00", "20:00"]] for d in WEEKDAYS[:6]}


def manila(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MANILA)


def policy(hours=None, holidays=(), tz="Asia/Manila", fr=120, res=1440, warn=75) -> dict:
    return {"timezone": tz, "business_hours": MON_SAT if hours is None else hours, "holidays": list(holidays),
            "first_response_minutes": fr, "resolution_minutes": res, "warn_at_percent": warn}


# ------------------------------------------------------------------------------------- add_business_time

def test_inside_business_hours_is_plain_addition():
    # Monday 2026-11-23 10:00 in Manila
    assert add_business_time(manila(2026, 11, 23, 10), 120, policy()) == manila(2026, 11, 23, 12)


def test_overnight_carries_over_to_the_next_opening():
    assert add_business_time(manila(2026, 11, 23, 19, 30), 60, policy()) == manila(2026, 11, 24, 8, 30)


def test_before_opening_starts_at_opening():
    assert add_business_time(manila(2026, 11, 24, 6), 30, policy()) == manila(2026, 11, 24, 8, 30)


def test_weekend_is_skipped():
    # Saturday 19:00: one hour left on Saturday, Sunday closed, one more hour on Monday.
    assert add_business_time(manila(2026, 11, 28, 19), 120, policy()) == manila(2026, 11, 30, 9)


def test_holiday_is_skipped():
    # Christmas Eve (Thursday) 19:50 with 30 minutes to go: 10 left that evening, Christmas Day is a holiday,
    # so the target falls due 20 minutes after opening on Saturday the 26th.
    p = policy(holidays=["2026-12-25"])
    assert add_business_time(manila(2026, 12, 24, 19, 50), 30, p) == manila(2026, 12, 26, 8, 20)
    assert add_business_time(manila(2026, 12, 24, 19, 50), 30, policy()) == manila(2026, 12, 25, 8, 20)


def test_a_question_on_a_holiday_waits_for_the_next_business_day():
    p = policy(holidays=ph_regular_holidays(2026))  # 2026-11-30 (Monday) is Bonifacio Day
    assert add_business_time(manila(2026, 11, 30, 9), 60, p) == manila(2026, 12, 1, 9)


def test_interval_boundaries():
    p = policy()
    # Exactly reaching the close is due at the close, not the next morning.
    assert add_business_time(manila(2026, 11, 23, 18), 120, p) == manila(2026, 11, 23, 20)
    # Starting at the close (or a second before it) counts from the next opening.
    assert add_business_time(manila(2026, 11, 23, 20), 1, p) == manila(2026, 11, 24, 8, 1)
    assert add_business_time(manila(2026, 11, 23, 8), 1, p) == manila(2026, 11, 23, 8, 1)
    assert add_business_time(manila(2026, 11, 23, 10), 0, p) == manila(2026, 11, 23, 10)


def test_several_intervals_a_day():
    lunch = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in WEEKDAYS[:5]}
    p = policy(hours=lunch)
    assert add_business_time(manila(2026, 11, 23, 11, 30), 60, p) == manila(2026, 11, 23, 13, 30)
    assert business_seconds_between(manila(2026, 11, 23, 0), manila(2026, 11, 24, 0), p) == 8 * 3600
    # Friday 17:00 + 2 h: one hour on Friday, the weekend is closed, one hour on Monday.
    assert add_business_time(manila(2026, 11, 27, 17), 120, p) == manila(2026, 11, 30, 10)


def test_until_midnight_and_an_overnight_shift():
    night = {d: [["00:00", "06:00"], ["22:00", "24:00"]] for d in WEEKDAYS}
    p = policy(hours=night)
    # 23:00 + 2 h: one hour until midnight, one more after it.
    assert add_business_time(manila(2026, 11, 23, 23), 120, p) == manila(2026, 11, 24, 1)
    assert business_seconds_between(manila(2026, 11, 23, 12), manila(2026, 11, 24, 12), p) == 8 * 3600


def test_around_the_clock():
    p = policy(hours={})
    start = manila(2026, 11, 28, 23, 10)  # Saturday night
    assert add_business_time(start, 90, p) == start + dt.timedelta(minutes=90)
    assert business_seconds_between(start, start + dt.timedelta(days=3), p) == 3 * 86400
    assert add_business_time(start, 90, None) == start + dt.timedelta(minutes=90)


def test_around_the_clock_with_a_holiday_skips_the_whole_local_day():
    p = policy(hours={}, holidays=["2026-12-25"])
    assert add_business_time(manila(2026, 12, 24, 23), 120, p) == manila(2026, 12, 26, 1)
    assert business_seconds_between(manila(2026, 12, 24), manila(2026, 12, 27), p) == 2 * 86400


def test_result_is_utc_and_naive_datetimes_are_refused():
    due = add_business_time(manila(2026, 11, 23, 10), 30, policy())
    assert due.tzinfo == dt.UTC and due == dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        add_business_time(dt.datetime(2026, 11, 23, 10), 30, policy())


# ----------------------------------------------------------------------------------------- DST zones

def test_new_york_spring_forward_day_is_an_hour_shorter():
    every_day = policy(hours={d: [["00:00", "24:00"]] for d in WEEKDAYS}, tz="America/New_York")
    sunday = dt.datetime(2026, 3, 8, tzinfo=NEW_YORK)  # clocks go 02:00 → 03:00
    assert business_seconds_between(sunday, sunday + dt.timedelta(days=1), every_day) == 23 * 3600
    early = policy(hours={"sun": [["01:00", "04:00"]]}, tz="America/New_York")
    assert business_seconds_between(sunday, dt.datetime(2026, 3, 9, tzinfo=NEW_YORK), early) == 2 * 3600


def test_new_york_fall_back_day_is_an_hour_longer():
    every_day = policy(hours={d: [["00:00", "24:00"]] for d in WEEKDAYS}, tz="America/New_York")
    sunday = dt.datetime(2026, 11, 1, tzinfo=NEW_YORK)  # clocks go 02:00 → 01:00
    assert business_seconds_between(sunday, dt.datetime(2026, 11, 2, tzinfo=NEW_YORK), every_day) == 25 * 3600
    early = policy(hours={"sun": [["01:00", "04:00"]]}, tz="America/New_York")
    assert business_seconds_between(sunday, dt.datetime(2026, 11, 2, tzinfo=NEW_YORK), early) == 4 * 3600


def test_local_hours_hold_across_a_dst_change():
    office = policy(hours={d: [["09:00", "17:00"]] for d in WEEKDAYS[:5]}, tz="Europe/Berlin")
    friday = dt.datetime(2026, 3, 27, 16, tzinfo=BERLIN)  # CET (UTC+1); Sunday the 29th switches to CEST
    due = add_business_time(friday, 120, office)
    assert due == dt.datetime(2026, 3, 30, 10, tzinfo=BERLIN)
    assert due == dt.datetime(2026, 3, 30, 8, tzinfo=dt.UTC)  # 10:00 local is now UTC+2
    assert business_seconds_between(friday, due, office) == 7200


def test_between_is_the_inverse_of_add():
    rng = random.Random(5)
    cases = [policy(), policy(holidays=ph_regular_holidays(2026) + ph_regular_holidays(2027)),
             policy(hours={d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in WEEKDAYS[:5]}, tz="America/New_York"),
             policy(hours={d: [["00:30", "02:30"], ["07:00", "24:00"]] for d in WEEKDAYS}, tz="Europe/Berlin"),
             policy(hours={})]
    for p in cases:
        for _ in range(150):
            start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
            minutes = rng.choice([1, 15, 60, 120, 480, 1440, 4321])
            due = add_business_time(start, minutes, p)
            assert due > start
            assert business_seconds_between(start, due, p) == minutes * 60, (p["timezone"], start, minutes)
    assert business_seconds_between(manila(2026, 11, 24), manila(2026, 11, 23), policy()) == 0


# ----------------------------------------------------------------------------------------- validation

@pytest.mark.parametrize("hours, message", [
    ({"mon": [["09:00", "08:00"]]}, "ends before it starts"),
    ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap"),
    ({"mon": [["9am", "12:00"]]}, "not a time of day"),
    ({"mon": [["09:00", "24:30"]]}, "not a time of day"),
    ({"someday": [["09:00", "12:00"]]}, "unknown weekday"),
])
def test_bad_business_hours_are_refused(hours, message):
    with pytest.raises(ValueError, match=message):
        parse_business_hours(hours)


def test_empty_business_hours_mean_around_the_clock():
    assert parse_business_hours({}) == ()
    assert parse_business_hours({"mon": []}) == ()
    assert rules_of(policy(hours={})).around_the_clock


def test_ph_holiday_preset():
    days = ph_regular_holidays(2026)
    assert len(days) == 10 and "2026-06-12" in days and "2026-08-31" in days and "2026-04-02" in days
    assert "2027-03-26" in ph_regular_holidays(2027)  # Good Friday 2027
    assert preset_year(dt.date(2026, 11, 25)) == 2027
    assert preset_year(dt.date(2027, 6, 1)) == 2027
    assert preset_year(dt.date(2040, 1, 1)) is None


# ----------------------------------------------------------------------------------------- state

class Conv:
    def __init__(self, **kw):
        self.status = kw.get("status", "open")
        self.first_response_at = kw.get("first_response_at")
        self.first_response_due_at = kw.get("first_response_due_at")
        self.resolution_due_at = kw.get("resolution_due_at")


def test_state_ok_due_soon_and_breached():
    p = policy(fr=120, warn=75)  # due soon in the last 30 minutes of business time
    due = manila(2026, 11, 23, 12)
    c = Conv(first_response_due_at=due)
    st = sla_state(c, manila(2026, 11, 23, 10), p)
    assert (st.state, st.target, st.seconds) == ("ok", "first_response", 7200)
    assert sla_state(c, manila(2026, 11, 23, 11, 31), p).state == "due_soon"
    assert sla_state(c, manila(2026, 11, 23, 11, 30), p).state == "due_soon"
    st = sla_state(c, manila(2026, 11, 23, 14), p)
    assert (st.state, st.seconds) == ("breached", 7200)
    assert format_duration(st.seconds) == "2 h"


def test_due_soon_counts_business_time_not_the_clock():
    p = policy(fr=120, warn=75)
    c = Conv(first_response_due_at=manila(2026, 11, 24, 8, 20))  # Tuesday 08:20
    # Monday 19:50: 14 hours on the clock, but only 30 business minutes left (10 tonight, 20 tomorrow).
    st = sla_state(c, manila(2026, 11, 23, 19, 50), p)
    assert st.state == "due_soon" and st.seconds == 30 * 60


def test_state_prefers_breaches_and_ignores_answered_or_closed():
    p = policy(fr=120, res=1440)
    now = manila(2026, 11, 23, 15)
    both = Conv(first_response_due_at=manila(2026, 11, 23, 16), resolution_due_at=manila(2026, 11, 23, 14))
    assert (sla_state(both, now, p).state, sla_state(both, now, p).target) == ("breached", "resolution")
    answered = Conv(first_response_at=now, first_response_due_at=manila(2026, 11, 23, 12))
    assert sla_state(answered, now, p) is None
    closed = Conv(status="resolved", first_response_due_at=manila(2026, 11, 23, 12))
    assert sla_state(closed, now, p) is None
    assert sla_state(Conv(first_response_due_at=manila(2026, 11, 23, 12)), now, None) is None


def test_format_duration():
    assert [format_duration(s) for s in (20, 60, 25 * 60, 3600, 4500, 11 * 3600 + 60, 50 * 3600, 72 * 3600)] == [
        "<1 min", "1 min", "25 min", "1 h", "1 h 15 min", "11 h", "2 d 2 h", "3 d"]


# ----------------------------------------------------------------------------------------- policies + desk

def _policy(rt, factory, source=None, **kw):
    values = {"first_response_minutes": 120, "resolution_minutes": 1440, "timezone": "Asia/Manila",
              "business_hours": MON_SAT, "holidays": [], **kw}
    with rt.db.write_sessions() as s, s.begin():
        row = SlaPolicy(workspace_id=factory.workspace_id, source_id=source.id if source else None, **values)
        s.add(row)
    return row


def test_policy_for_prefers_the_source_then_the_default(rt, factory):
    forum, chat, feed = factory.source("discourse"), factory.source("discord"), factory.source("rss")
    with rt.db.sessions() as s:
        assert policy_for(s, forum.id) is None
    default = _policy(rt, factory, first_response_minutes=240)
    own = _policy(rt, factory, forum, first_response_minutes=30)
    _policy(rt, factory, feed, enabled=False)
    with rt.db.sessions() as s:
        assert policy_for(s, forum.id).id == own.id
        assert policy_for(s, chat.id).id == default.id
        assert policy_for(s, feed.id) is None  # switched off for that source
        pm = PolicyMap.load(s, factory.workspace_id)
    assert pm.for_source(forum.id).first_response_minutes == 30
    assert pm.for_source(chat.id).first_response_minutes == 240
    assert pm.for_source(feed.id) is None


def _question(factory, source, asked_at, **kw):
    member = factory.member()
    ident = factory.identity(member, source)
    conv = factory.conversation(source, title="Paano mag cash-in?", status=kw.pop("status", "open"),
                                needs_answer=kw.pop("needs_answer", True), first_message_at=asked_at,
                                last_inbound_at=asked_at, started_by_member_id=member.id, **kw)
    factory.message(conv, text="Paano mag cash-in?", identity=ident, created_at=asked_at, needs_answer=True)
    return conv


def _conv(rt, conv_id) -> Conversation:
    with rt.db.sessions() as s:
        return s.get(Conversation, conv_id)


def test_desk_sets_due_times_in_business_time(rt, factory):
    src = factory.source("email")
    _policy(rt, factory)
    asked = manila(2026, 11, 28, 19).astimezone(dt.UTC)  # Saturday 19:00
    conv = _question(factory, src, asked)
    update_conversations(rt, [conv.id])
    c = _conv(rt, conv.id)
    assert c.first_response_due_at == manila(2026, 11, 30, 9)  # an hour on Saturday, an hour on Monday
    assert c.resolution_due_at == add_business_time(asked, 1440, policy())
    assert c.first_response_seconds is None


def test_first_response_time_is_recorded_in_business_seconds(rt, factory):
    src = factory.source("email")
    _policy(rt, factory)
    asked = manila(2026, 11, 27, 19, 30).astimezone(dt.UTC)  # Friday 19:30
    conv = _question(factory, src, asked)
    with rt.db.write_sessions() as s, s.begin():
        s.get(Conversation, conv.id).first_response_at = manila(2026, 11, 28, 8, 15).astimezone(dt.UTC)
    assert refresh_sla(rt, [conv.id]) == 1
    c = _conv(rt, conv.id)
    assert c.first_response_seconds == 45 * 60  # 30 min on Friday evening + 15 min on Saturday morning
    assert c.first_response_due_at == manila(2026, 11, 28, 9, 30)  # kept: the page says it was met


def test_resolving_clears_due_times_and_reopening_restores_them(rt, factory):
    src = factory.source("email")
    _policy(rt, factory)
    conv = _question(factory, src, utcnow() - dt.timedelta(hours=1))
    refresh_sla(rt, [conv.id])
    due = _conv(rt, conv.id).first_response_due_at
    assert due is not None
    for status, expect in (("resolved", None), ("spam", None), ("open", due)):
        with rt.db.write_sessions() as s, s.begin():
            s.get(Conversation, conv.id).status = status
        refresh_sla(rt, [conv.id])
        c = _conv(rt, conv.id)
        assert c.first_response_due_at == expect and (c.resolution_due_at is None) == (expect is None)


def test_no_policy_no_due_times_but_first_response_time_on_the_clock(rt, factory):
    src = factory.source("email")
    asked = utcnow() - dt.timedelta(hours=30)
    conv = _question(factory, src, asked, first_response_at=asked + dt.timedelta(hours=26), needs_answer=False)
    refresh_sla(rt, [conv.id])
    c = _conv(rt, conv.id)
    assert c.first_response_due_at is None and c.resolution_due_at is None
    assert c.first_response_seconds == 26 * 3600


def test_conversations_that_need_no_answer_get_no_targets(rt, factory):
    src = factory.source("discord")
    _policy(rt, factory)
    conv = factory.conversation(src, title="Salamat po!", status="new", first_message_at=utcnow())
    factory.message(conv, text="Salamat po!", needs_answer=False)
    update_conversations(rt, [conv.id])
    c = _conv(rt, conv.id)
    assert c.first_response_due_at is None and c.resolution_due_at is None


def test_the_clock_starts_at_the_first_question(rt, factory):
    src = factory.source("discord")
    _policy(rt, factory, business_hours={})
    opened = utcnow() - dt.timedelta(hours=5)
    member = factory.member()
    ident = factory.identity(member, src)
    conv = factory.conversation(src, status="open", first_message_at=opened, needs_answer=True)
    factory.message(conv, text="Hello everyone", identity=ident, created_at=opened, needs_answer=False)
    factory.message(conv, text="Pwede ba mag refund?", identity=ident, created_at=opened + dt.timedelta(hours=2),
                    needs_answer=True)
    refresh_sla(rt, [conv.id])
    c = _conv(rt, conv.id)
    assert c.first_response_due_at == opened + dt.timedelta(hours=4)  # question + 2 h, around the clock
    assert c.resolution_due_at == opened + dt.timedelta(hours=24)  # resolution counts from the first message


def test_apply_is_set_based_and_idempotent(rt, factory):
    src = factory.source("email")
    _policy(rt, factory)
    convs = [_question(factory, src, utcnow() - dt.timedelta(minutes=10 * i)) for i in range(12)]
    ids = [c.id for c in convs]
    assert refresh_sla(rt, ids) == 12
    assert refresh_sla(rt, ids) == 0  # nothing changed, nothing written
    with rt.db.sessions() as s:
        assert all(s.scalars(select(Conversation.first_response_due_at).where(Conversation.id.in_(ids))))


def test_targets_stop_when_nobody_is_waiting_any_more(rt, factory):
    """A question someone else answered in the community (signals clear needs_answer) leaves the queue and
    its clock stops: first-response breaches are always conversations of the unanswered queue."""
    src = factory.source("discourse")
    _policy(rt, factory, business_hours={})
    conv = _question(factory, src, utcnow() - dt.timedelta(hours=3))
    refresh_sla(rt, [conv.id])
    assert _conv(rt, conv.id).first_response_due_at is not None
    with rt.db.write_sessions() as s, s.begin():
        s.get(Conversation, conv.id).needs_answer = False
    refresh_sla(rt, [conv.id])
    c = _conv(rt, conv.id)
    assert c.first_response_due_at is None and c.resolution_due_at is None


def test_a_broken_policy_row_is_ignored_not_fatal(rt, factory):
    src = factory.source("email")
    _policy(rt, factory, timezone="Mars/Olympus")
    _policy(rt, factory, src, business_hours={"mon": [["18:00", "09:00"]]})
    conv = _question(factory, src, utcnow() - dt.timedelta(hours=1))
    assert refresh_sla(rt, [conv.id]) == 0
    with rt.db.sessions() as s:
        pm = PolicyMap.load(s, factory.workspace_id)
    assert pm.default is None and pm.for_source(src.id) is None
