"""A reply composed in Kapwa reaches a real Matrix room (a Synapse homeserver on loopback) as a rich reply to
the member's message, shows in the conversation with its link, is recognised by the next sync, and a refusal
by the homeserver reads plainly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kapwa.core.models import Conversation, Message, Reply
from kapwa.inbox.replies.actions import do_create_reply, do_retry_reply
from kapwa.ingest.sync import sync_source
from tests.connectors import test_matrix
from tests.connectors.test_matrix import help_room, matrix_source

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("synapse")]

# the Synapse server and its two accounts, one of each per module: the connector tests' own fixtures
hs, maria, brand = test_matrix.hs, test_matrix.maria, test_matrix.brand


def _conversation(rt, factory, hs, maria, brand, text):
    room, alias = help_room(maria, brand)
    question = maria.say(room, text)
    src = matrix_source(rt, factory, hs, brand, rooms=[alias])
    assert sync_source(rt, src.id, analyze=False).ok
    with rt.db.sessions() as s:
        msg = s.scalar(select(Message).where(Message.platform_message_id == question))
        return room, question, src, s.get(Conversation, msg.conversation_id)


def test_a_reply_arrives_in_the_room_and_the_next_sync_does_not_add_it_again(rt, factory, hs, maria, brand, team,
                                                                             jobs):
    room, question, src, conv = _conversation(rt, factory, hs, maria, brand, "Bakit po pending pa rin ang padala ko?")
    reply = do_create_reply(rt, team["moderator"], conv.id, "Titingnan po namin, Maria. Sandali lang po.", jobs=jobs)

    with rt.db.sessions() as s:
        reply = s.get(Reply, reply.id)
        msg = s.get(Message, reply.message_id)
    assert reply.status == "sent" and reply.platform_message_id.startswith("$")
    assert reply.url == f"https://matrix.to/#/{room}/{reply.platform_message_id}"
    event = maria.timeline(room)[reply.platform_message_id]  # what Maria's client shows
    assert event["sender"] == brand.user_id
    assert event["content"]["body"] == "Titingnan po namin, Maria. Sandali lang po."
    assert event["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
    assert event["content"]["m.mentions"] == {"user_ids": [maria.user_id]}
    assert (msg.direction, msg.sent_by_user_id, msg.conversation_id) == ("outbound", team.moderator.id, conv.id)

    again = sync_source(rt, src.id, analyze=False)
    assert again.ok and again.result.inserted == 0
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message).where(
            Message.platform_message_id == reply.platform_message_id)) == 1
        assert s.get(Message, msg.id).sent_by_user_id == team.moderator.id
        after = s.get(Conversation, conv.id)
        assert after.needs_answer is False and after.message_count == 2


def test_a_room_the_account_was_removed_from_refuses_and_says_so(rt, factory, hs, maria, brand, team, jobs):
    room, _, _, conv = _conversation(rt, factory, hs, maria, brand, "May tanong po ako tungkol sa KYC.")
    maria._do("room_kick", room, brand.user_id, "cleaning up")
    reply = do_create_reply(rt, team["moderator"], conv.id, "Ano po ang tanong?", jobs=jobs)
    with rt.db.sessions() as s:
        reply = s.get(Reply, reply.id)
    assert reply.status == "failed"
    assert reply.last_error.startswith("Matrix did not take the reply: the homeserver refused: ")
    assert "(M_FORBIDDEN)" in reply.last_error
    assert reply.last_error.endswith("Check the source's account and its permissions on the Sources page.")

    maria._do("room_invite", room, brand.user_id)
    brand.join(room)
    do_retry_reply(rt, team["moderator"], reply.id, jobs=jobs)
    with rt.db.sessions() as s:
        reply = s.get(Reply, reply.id)
    assert reply.status == "sent" and maria.timeline(room)[reply.platform_message_id]["content"]["body"] == \
        "Ano po ang tanong?"
