"""Saved replies: variables filled in safely, unknown ones refused by name, English and Filipino versions, who
may change them, and use counted when a reply is made from one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.core.actions import ActionError, Forbidden
from kapwa.core.models import Conversation, Reply, SavedReply
from kapwa.inbox.replies import queries, variables
from kapwa.inbox.replies.actions import do_create_reply
from kapwa.inbox.replies.saved import do_create_saved_reply, do_delete_saved_reply, do_update_saved_reply
from tests.inbox.replies.conftest import actor, demo_conversation


def test_variables_are_filled_in_and_nothing_else_is_evaluated():
    values = {"member_name": "Maria Santos", "member_first_name": "Maria", "agent_name": "Bea Mendoza",
              "community_name": "Bayani Pay Community", "platform": "Discord"}
    body = "Hi {member_first_name}! — {agent_name} ng {community_name} sa {platform}. {{code}} {member_name.__class__}"
    assert variables.render(body, values) == (
        "Hi Maria! — Bea Mendoza ng Bayani Pay Community sa Discord. {code} {member_name.__class__}")
    assert variables.render("Hi {member_first_name}, salamat!", {}) == "Hi, salamat!"
    assert variables.unknown_variables("Hi {name}, {member_name} {0} {agent}") == ["name", "0", "agent"]
    with pytest.raises(ActionError) as err:
        variables.check("Hi {first_name}, from {agent_name} and {team}")
    assert err.value.message.startswith("body: unknown variable {first_name}, {team}; the variables are "
                                        "{member_name}, {member_first_name}, {agent_name}, {community_name}, "
                                        "{platform}")


def test_saving_checks_the_text_names_and_shortcuts(rt, factory, team):
    made = do_create_saved_reply(rt, team["moderator"], name="Ask for details", language="en", shortcut="/Details",
                                 body="Could you send the reference number, {member_first_name}?")
    assert made.shortcut == "details" and made.created_by_id == team.moderator.id
    do_create_saved_reply(rt, team["moderator"], name="Ask for details", language="tl", shortcut="details",
                          body="Pakisend po ang reference number, {member_first_name}.")
    with pytest.raises(ActionError, match="the English saved reply “Ask for details” exists already"):
        do_create_saved_reply(rt, team["manager"], name="Ask for details", language="en", body="Again")
    with pytest.raises(ActionError, match=r"unknown variable \{customer\}"):
        do_create_saved_reply(rt, team["manager"], name="Greeting", body="Hi {customer}!")
    with pytest.raises(ActionError, match="/details is taken"):
        do_create_saved_reply(rt, team["manager"], name="Other", body="x", shortcut="details")
    with pytest.raises(Forbidden):
        do_create_saved_reply(rt, team["analyst"], name="Nope", body="x")


def test_authors_edit_their_own_and_managers_any(rt, factory, team):
    mine = do_create_saved_reply(rt, team["moderator"], name="Salamat", language="tl", body="Salamat po!")
    other = factory.user("moderator", name="Other Moderator")
    with pytest.raises(Forbidden, match="only its author or a manager"):
        do_update_saved_reply(rt, actor(other), mine.id, name="Salamat", language="tl", body="Hijack")
    with pytest.raises(Forbidden):
        do_delete_saved_reply(rt, actor(other), mine.id)
    do_update_saved_reply(rt, team["moderator"], mine.id, name="Salamat", language="tl", body="Maraming salamat po!",
                          is_answer=False)
    do_update_saved_reply(rt, team["manager"], mine.id, name="Salamat po", language="tl", body="Maraming salamat po!")
    with rt.db.sessions() as s:
        row = s.get(SavedReply, mine.id)
        assert (row.name, row.body, row.is_answer) == ("Salamat po", "Maraming salamat po!", True)
    do_delete_saved_reply(rt, team["manager"], mine.id)
    with rt.db.sessions() as s:
        assert s.get(SavedReply, mine.id) is None


def test_the_composer_offers_the_members_language_first_and_counts_use(rt, factory, team, jobs):
    en = do_create_saved_reply(rt, team["manager"], name="Outage", language="en",
                               body="Sorry {member_first_name}, {platform} users had a delay today.")
    tl = do_create_saved_reply(rt, team["manager"], name="Outage", language="tl",
                               body="Pasensya na {member_first_name}, na-delay ang serbisyo ngayong araw.")
    conv = demo_conversation(factory, language="tl")
    with rt.db.sessions() as s:
        c = s.get(Conversation, conv.id)
        values = variables.values_for(s, c, team.moderator)
        choices = queries.composer_choices(s, team.moderator.workspace_id, c, values)
    assert [(ch.id, ch.preferred) for ch in choices] == [(tl.id, True), (en.id, False)]
    assert choices[0].text == "Pasensya na Juan, na-delay ang serbisyo ngayong araw."
    assert choices[1].text == "Sorry Juan, Discord users had a delay today."

    english = demo_conversation(factory, language="en")
    with rt.db.sessions() as s:
        c = s.get(Conversation, english.id)
        first = queries.composer_choices(s, team.moderator.workspace_id, c, variables.values_for(s, c, team.moderator))
    assert first[0].id == en.id

    reply = do_create_reply(rt, team["moderator"], conv.id, choices[0].text, saved_reply_id=tl.id, jobs=jobs)
    with rt.db.sessions() as s:
        assert s.get(SavedReply, tl.id).use_count == 1 and s.get(SavedReply, en.id).use_count == 0
        assert s.scalar(select(Reply.saved_reply_id).where(Reply.id == reply.id)) == tl.id
