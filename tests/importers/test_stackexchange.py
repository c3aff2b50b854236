"""Stack Exchange dumps: users as members, questions with answers and comments as conversations."""

from __future__ import annotations

import datetime as dt

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
)

DUMP = FIXTURES / "stackexchange"
UTC = dt.UTC
SITE = {"site_url": "https://bayani.stackexchange.example"}


def test_a_dump_becomes_members_and_question_threads(rt, actor):
    outcome, _, _ = do_import(rt, actor, DUMP, "stackexchange", options=SITE)
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    assert sum(p.startswith("post:") for p in msgs) == 7 and sum(p.startswith("comment:") for p in msgs) == 4
    # Every user is a member with a "joined" activity, even Dan who never posted; plus the deleted account.
    assert count(rt, Activity, Activity.type == "joined") == 5
    assert member_names(rt) == {"Community", "Ana Santos", "Ben Cruz", "Carla Reyes", "Dan Tahimik", "user99"}
    dan = [a for a in activities(rt, "joined") if a.occurred_at == dt.datetime(2024, 1, 8, 13, 0, tzinfo=UTC)]
    assert len(dan) == 1
    assert identities(rt)["1"].profile_url == "https://bayani.stackexchange.example/users/1"
    # A question, its answers and all their comments are one conversation titled after the question.
    q10 = conversation_of(rt, "post:10")
    assert q10.title == "Paano mag-cash in?" and q10.message_count == 5 and q10.channel == "cash-in"
    in_q10 = ("post:11", "post:12", "comment:100", "comment:101")
    assert {conversation_of(rt, p).id for p in in_q10} == {q10.id}
    assert msgs["post:11"].parent_id == msgs["post:10"].id and msgs["post:11"].kind == "reply"
    assert msgs["comment:101"].parent_id == msgs["post:11"].id and msgs["comment:101"].kind == "comment"
    assert msgs["post:10"].text == "Paano mag-cash in sa 7-Eleven?\n\nSalamat!"
    assert "<b>7-Eleven</b>" in msgs["post:10"].html
    assert msgs["post:11"].text == "Sa app: Cash In > Over the counter."
    assert msgs["post:11"].edited_at == dt.datetime(2024, 2, 1, 8, 45, tzinfo=UTC)
    assert msgs["post:10"].url == "https://bayani.stackexchange.example/q/10"
    # First response: Carla's comment (08:10) came before Ben's answer (08:30).
    assert q10.first_response_at == dt.datetime(2024, 2, 1, 8, 10, tzinfo=UTC)
    # The deleted asker's own comment is not a response; Carla's answer is.
    q13 = conversation_of(rt, "post:13")
    assert member_of(rt, "post:13").id == member_of(rt, "comment:102").id
    assert q13.first_response_at == dt.datetime(2024, 2, 2, 12, 0, tzinfo=UTC)
    assert conversation_of(rt, "post:16").first_response_at is None
    assert count(rt, Conversation) == 4  # q10, q13, q16 and the tag wiki post


def test_importing_the_dump_twice_adds_nothing(rt, actor):
    do_import(rt, actor, DUMP, "stackexchange")
    before = (count(rt, Message), count(rt, Member), count(rt, Activity))
    again, _, _ = do_import(rt, actor, DUMP, "stackexchange", restart=True)
    assert again.ok and (again.result.inserted, again.result.activities) == (0, 0)
    assert (count(rt, Message), count(rt, Member), count(rt, Activity)) == before


def test_a_row_without_creation_date_is_named_stops_or_is_skipped(rt, actor, tmp_path):
    folder = copy_fixture("stackexchange", tmp_path)
    posts = folder / "Posts.xml"
    good = posts.read_text()
    posts.write_text(good.replace('PostTypeId="2" ParentId="13" CreationDate="2024-02-02T12:00:00.000" ',
                                  'PostTypeId="2" ParentId="13" '))
    outcome, _, _ = do_import(rt, actor, folder, "stackexchange", batch_size=4)
    assert not outcome.ok
    assert "Posts.xml, line 7 (Id 14), field 'CreationDate': missing" in outcome.error
    # 5 users + posts 10-13 = 9 records: two whole batches of 4 are kept, the batch of 13 and 14 is not.
    assert set(messages(rt)) == {"post:10", "post:11", "post:12"}

    skipped, connector, _ = do_import(rt, actor, folder, "stackexchange", skip_bad=True, restart=True)
    assert skipped.ok and [(b.where, b.field) for b in connector.bad] == [("line 7 (Id 14)", "CreationDate")]
    assert "post:14" not in messages(rt) and "comment:103" in messages(rt) and len(messages(rt)) == 10

    posts.write_text(good)
    fixed, _, _ = do_import(rt, actor, folder, "stackexchange", restart=True)
    assert fixed.ok and fixed.result.inserted == 1 and "post:14" in messages(rt)
