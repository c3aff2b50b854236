"""Slack exports (folder or zip): threads by thread_ts, names for user ids, joins, deletions, reactions."""

from __future__ import annotations

import datetime as dt
import json

from kapwa.core.models import Activity, Conversation, Member, Message
from tests.importers import (
    FIXTURES,
    activities,
    conversation_of,
    copy_fixture,
    count,
    do_import,
    identities,
    member_names,
    member_of,
    messages,
    zip_folder,
)

EXPORT = FIXTURES / "slack"


def test_an_export_folder_becomes_threads_members_and_activities(rt, actor):
    outcome, _, _ = do_import(rt, actor, EXPORT, "slack")
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    assert len(msgs) == 11 and count(rt, Conversation) == 9  # channel topic change left out
    ask, answer = msgs["C01HELP:1714550100.000200"], msgs["C01HELP:1714550200.000300"]
    # <@U02BEN> is shown by name; Slack's &lt;…&gt; escapes are decoded; links keep their label.
    assert ask.text == "Hi @Ben Cruz, paano mag-cash in? <urgent>"
    assert answer.text == "Sa help center (https://help.example/cash-in) po."
    assert msgs["C01HELP:1714636800.000100"].text == "Salamat sa #random tips!"
    # thread_ts makes the thread; the reply points at the thread's first message.
    thread = conversation_of(rt, "C01HELP:1714550100.000200")
    assert thread.platform_thread_id == "C01HELP:1714550100.000200" and thread.message_count == 2
    assert answer.parent_id == ask.id and answer.kind == "reply" and thread.channel == "#help"
    assert answer.edited_at == dt.datetime.fromtimestamp(1714550250, dt.UTC)
    assert thread.first_response_at == answer.created_at
    # A deleted thread parent (tombstone) and a message_deleted event both mark the message deleted.
    assert msgs["C01HELP:1714550300.000400"].deleted_at is not None
    assert msgs["C01HELP:1714636900.000200"].deleted_at is not None
    assert msgs["C01HELP:1714550400.000500"].parent_id == msgs["C01HELP:1714550300.000400"].id
    assert msgs["C01HELP:1714637000.000400"].text == "Resibo"  # a file-only message shows the file's title
    # People: names from users.json, the bot by its username, the deactivated account kept.
    assert member_names(rt) == {"Ana", "Ben Cruz", "Carla", "Status Bot", "Former Member"}
    assert member_of(rt, "C01HELP:1714550500.000600").display_name == "Status Bot"
    assert identities(rt)["U01ANA"].handle == "ana"
    joined = activities(rt, "joined")
    assert len(joined) == 1 and joined[0].title == "#help"
    assert joined[0].member_id == member_of(rt, "C01HELP:1714636800.000100").id  # Carla
    reacted = activities(rt, "reacted")
    assert len(reacted) == 2 and {a.message_id for a in reacted} == {ask.id}
    dm = conversation_of(rt, "D01ANABEN:1714552000.000100")
    assert dm.is_direct and msgs["D01ANABEN:1714552000.000100"].kind == "direct"


def test_the_zip_gives_the_same_result_and_a_second_import_adds_nothing(rt, actor, tmp_path):
    archive = zip_folder(EXPORT, tmp_path / "Bayani Slack export Jan 1 2024 - May 2 2024.zip")
    outcome, _, _ = do_import(rt, actor, archive, "slack")
    assert outcome.ok and outcome.result.inserted == 11
    before = (count(rt, Message), count(rt, Member), count(rt, Activity))
    again, _, _ = do_import(rt, actor, archive, "slack", restart=True)
    assert again.ok
    assert (again.result.inserted, again.result.activities, again.result.members_created) == (0, 0, 0)
    assert (count(rt, Message), count(rt, Member), count(rt, Activity)) == before


def test_a_message_without_ts_stops_the_import_naming_the_day_file(rt, actor, tmp_path):
    folder = copy_fixture("slack", tmp_path)
    day = folder / "help" / "2024-05-02.json"
    rows = json.loads(day.read_text())
    del rows[0]["ts"]
    day.write_text(json.dumps(rows))
    outcome, _, _ = do_import(rt, actor, folder, "slack", batch_size=3)
    assert not outcome.ok
    assert "2024-05-02.json, channel help, message 1, field 'ts': missing" in outcome.error
    # Records 1-6 (join, question, 2 reactions, answer, tombstone) were two whole batches; the third batch
    # (Carla's reply, the bot, the bad message) is not written.
    stored = messages(rt)
    assert "C01HELP:1714550300.000400" in stored and "C01HELP:1714550400.000500" not in stored
    assert "C01HELP:1714550500.000600" not in stored

    rows[0]["ts"] = "1714636800.000100"
    day.write_text(json.dumps(rows))
    resumed, _, _ = do_import(rt, actor, folder, "slack", batch_size=3)
    assert resumed.ok and count(rt, Message) == 11
