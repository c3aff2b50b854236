"""Telegram Desktop JSON exports: full account export and single chat, entities, replies, joins, reactions."""

from __future__ import annotations

import datetime as dt
import json

from kapwa.core.models import Activity, Member, Message
from tests.importers import (
    FIXTURES,
    activities,
    conversation_of,
    copy_fixture,
    count,
    do_import,
    member_names,
    member_of,
    messages,
)

RESULT = FIXTURES / "telegram" / "result.json"
UTC = dt.UTC


def test_a_full_export_becomes_chats_members_and_activities(rt, actor):
    outcome, _, _ = do_import(rt, actor, RESULT, "telegram")
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    # Saved Messages is skipped; service messages are not messages.
    assert set(msgs) == {"1800000001:11", "1800000001:12", "1800000001:14", "1800000001:15", "222:1", "222:2"}
    # Text entities are flattened; a link keeps its address.
    assert msgs["1800000001:11"].text == "Paano mag-cash in? Tingnan ito (https://help.example/faq)"
    assert msgs["1800000001:15"].text == "[photo]"
    # date_unixtime is the truth (the "date" field is the exporting computer's local time, UTC+8 here).
    assert msgs["1800000001:11"].created_at == dt.datetime(2024, 5, 1, 8, 1, tzinfo=UTC)
    assert msgs["1800000001:12"].edited_at == dt.datetime(2024, 5, 1, 8, 5, tzinfo=UTC)
    assert msgs["1800000001:12"].parent_id == msgs["1800000001:11"].id
    group = conversation_of(rt, "1800000001:11")
    assert conversation_of(rt, "1800000001:12").id == group.id and group.channel == "Bayani Pay PH"
    assert group.first_response_at == dt.datetime(2024, 5, 1, 8, 3, tzinfo=UTC)
    dm = conversation_of(rt, "222:2")
    assert dm.is_direct and dm.id == conversation_of(rt, "222:1").id and msgs["222:1"].kind == "direct"
    assert member_names(rt) == {"Ana Santos", "Ben Cruz", "Carla Reyes"}
    # Joining by link, and being invited (matched by name; the unknown invitee is left out).
    joined = activities(rt, "joined")
    ana, carla = member_of(rt, "1800000001:11"), member_of(rt, "1800000001:14")
    assert {a.member_id for a in joined} == {ana.id, carla.id}
    reacted = activities(rt, "reacted")
    assert len(reacted) == 1 and reacted[0].message_id == msgs["1800000001:12"].id
    assert reacted[0].occurred_at == dt.datetime(2024, 5, 1, 8, 6, tzinfo=UTC)  # local 16:06 shifted to UTC
    assert reacted[0].member_id == member_of(rt, "1800000001:11").id


def test_importing_twice_adds_nothing(rt, actor):
    do_import(rt, actor, RESULT, "telegram")
    before = (count(rt, Message), count(rt, Member), count(rt, Activity))
    again, _, _ = do_import(rt, actor, RESULT, "telegram", restart=True)
    assert again.ok and again.result.inserted == 0 and again.result.activities == 0
    assert (count(rt, Message), count(rt, Member), count(rt, Activity)) == before


def test_a_single_chat_export(rt, actor):
    outcome, _, _ = do_import(rt, actor, FIXTURES / "telegram" / "single_chat.json", "telegram")
    assert outcome.ok and set(messages(rt)) == {"1900000002:5"}
    assert member_names(rt) == {"Bayani Pay Announcements"}


def test_a_message_without_a_date_is_named_and_can_be_skipped(rt, actor, tmp_path):
    path = copy_fixture("telegram/result.json", tmp_path)
    doc = json.loads(path.read_text())
    bad = doc["chats"]["list"][1]["messages"][4]  # message 14
    del bad["date"], bad["date_unixtime"]
    path.write_text(json.dumps(doc))
    outcome, _, _ = do_import(rt, actor, path, "telegram")
    assert not outcome.ok and "result.json, chat 1800000001, message 14, field 'date'" in outcome.error
    skipped, connector, _ = do_import(rt, actor, path, "telegram", skip_bad=True)
    assert skipped.ok and [b.where for b in connector.bad] == ["chat 1800000001, message 14"]
    assert "1800000001:15" in messages(rt) and "1800000001:14" not in messages(rt)
