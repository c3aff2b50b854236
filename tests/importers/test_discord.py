"""DiscordChatExporter JSON: replies, edits, repeated ids, deleted users, reactions, joins, threads."""

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
    member_names,
    member_of,
    messages,
    zip_folder,
)

GENERAL = FIXTURES / "discord" / "general.json"
M = "72000000000000010"  # message id prefix in general.json


def test_a_channel_export_becomes_messages_members_and_activities(rt, actor):
    outcome, _, _ = do_import(rt, actor, GENERAL, "discord")
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    # messageCount says 42: what is in the file counts. System messages (the pin) are left out, and the
    # repeated id 1003 is one message, from its last copy.
    assert set(msgs) == {M + "02", M + "03", M + "04", M + "06", M + "07"}
    assert msgs[M + "03"].text == "Sa Settings > Linked accounts po. 🙂"
    assert msgs[M + "03"].edited_at == dt.datetime(2024, 5, 1, 8, 7, tzinfo=dt.UTC)
    # The reply is threaded under the message it references.
    assert msgs[M + "03"].parent_id == msgs[M + "02"].id
    question = conversation_of(rt, M + "02")
    assert conversation_of(rt, M + "03").id == question.id and question.message_count == 2
    assert question.channel == "#help" and question.first_response_at is not None
    assert question.url == f"https://discord.com/channels/7000000000000000001/7000000000000000010/{M}02"
    # "Deleted User" is not a member: the message is kept, without an author.
    assert msgs[M + "04"].member_id is None and "Deleted User" not in member_names(rt)
    assert member_names(rt) == {"Ana", "Ben Cruz", "Carla R.", "BayaniBot"}
    assert msgs[M + "07"].text == "otp-warning.png"  # an attachment-only message shows the file name
    # Reactions with their users are activities on the message; counts alone stay on the message.
    reacted = activities(rt, "reacted")
    assert len(reacted) == 2 and {a.message_id for a in reacted} == {msgs[M + "02"].id}
    assert {a.title for a in reacted} == {"👍"}
    assert msgs[M + "06"].raw["reactions"] == {"🎉": 5}
    joined = activities(rt, "joined")
    assert len(joined) == 1 and joined[0].member_id == member_of(rt, M + "02").id


def test_importing_the_same_export_twice_adds_nothing(rt, actor):
    do_import(rt, actor, GENERAL, "discord")
    before = (count(rt, Message), count(rt, Member), count(rt, Activity))
    again, _, _ = do_import(rt, actor, GENERAL, "discord", restart=True)
    assert again.ok and (again.result.inserted, again.result.updated, again.result.activities) == (0, 0, 0)
    assert (count(rt, Message), count(rt, Member), count(rt, Activity)) == before


def test_a_zipped_folder_with_a_thread_joins_the_thread_to_its_starter(rt, actor, tmp_path):
    archive = zip_folder(FIXTURES / "discord", tmp_path / "discord-export.zip", top="Bayani Pay Community")
    outcome, _, _ = do_import(rt, actor, archive, "discord")
    assert outcome.ok, outcome.error
    starter = conversation_of(rt, M + "06")
    in_thread = [conversation_of(rt, "7200000000000002001"), conversation_of(rt, "7200000000000002002")]
    assert {c.id for c in in_thread} == {starter.id} and starter.message_count == 3
    assert messages(rt)["7200000000000002001"].parent_id == messages(rt)[M + "06"].id
    assert starter.first_response_at == dt.datetime(2024, 5, 1, 9, 5, tzinfo=dt.UTC)  # Ana, in the thread
    assert count(rt, Conversation) == 4


def test_a_bad_timestamp_names_file_message_and_field(rt, actor, tmp_path):
    path = copy_fixture("discord/general.json", tmp_path)
    doc = json.loads(path.read_text())
    doc["messages"][6]["timestamp"] = "noong isang araw"  # message 1006
    path.write_text(json.dumps(doc))
    outcome, _, _ = do_import(rt, actor, path, "discord", batch_size=2)
    assert not outcome.ok
    assert f"general.json, message {M}06, field 'timestamp'" in outcome.error
    # Records: join, 1002, its 2 reactions, 1004, 1003 | 1006 (bad): only whole batches before it are stored.
    assert set(messages(rt)) == {M + "02", M + "04", M + "03"}

    skipped, connector, _ = do_import(rt, actor, path, "discord", skip_bad=True, restart=True)
    assert skipped.ok and [b.where for b in connector.bad] == [f"message {M}06"]
    assert set(messages(rt)) == {M + "02", M + "03", M + "04", M + "07"}


def test_a_file_that_is_not_an_export_is_a_bad_record(rt, actor, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"hello": "world"}))
    outcome, _, _ = do_import(rt, actor, path, "discord")
    assert not outcome.ok and "notes.json, file, field 'messages'" in outcome.error
