"""mbox archives: e-mail threading (In-Reply-To, References), encoded headers and bodies, own addresses."""

from __future__ import annotations

import datetime as dt

from kapwa.core.models import Conversation
from tests.importers import (
    FIXTURES,
    conversation_of,
    copy_fixture,
    count,
    do_import,
    identities,
    member_names,
    member_of,
    messages,
)

MBOX = FIXTURES / "mbox" / "list.mbox"
OWN = {"own_addresses": ["support@bayanipay.example"]}
UTC = dt.UTC


def test_a_mailbox_becomes_threads_like_a_mail_client_shows_them(rt, actor):
    outcome, _, _ = do_import(rt, actor, MBOX, "mbox", options=OWN)
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    assert len(msgs) == 5 and count(rt, Conversation) == 3
    root = conversation_of(rt, "root-1@example.org")
    # The RFC 2047 subject is decoded; quoted-printable and base64 HTML bodies become plain text.
    assert root.title == "Hindi makapag-cash in — tulong" and root.message_count == 3
    assert msgs["root-1@example.org"].text == "Hello po, hindi ako makapag-cash in sa 7-Eleven. Salamat — Ana"
    assert msgs["ben-3@example.org"].text == "Ganyan din ako.\n\nGumana na after update."
    assert msgs["carla-4@example.org"].text == "May promo ba ngayong Mayo? Mañana na lang ako bibili."
    # In-Reply-To links the reply; Ben answers a message we do not have, References keeps him in the thread.
    assert msgs["reply-2@bayanipay.example"].parent_id == msgs["root-1@example.org"].id
    assert conversation_of(rt, "ben-3@example.org").id == root.id
    assert msgs["ben-3@example.org"].parent_id is None
    # Our own address is outbound: it answers the thread and is not a member.
    assert msgs["reply-2@bayanipay.example"].direction == "outbound"
    assert root.first_response_at == dt.datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert member_names(rt) == {"Ana Santos", "Ben Cruz", "Reyes, Carla", "dan@example.org"}
    assert identities(rt)["ana@example.org"].email == "ana@example.org"
    assert msgs["carla-4@example.org"].created_at == dt.datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # -0000: UTC
    assert root.channel == "Bayani Pay help <help.bayanipay.example>"
    # A message without Message-ID gets a stable id: a second import finds it again.
    again, _, _ = do_import(rt, actor, MBOX, "mbox", options=OWN, restart=True)
    assert again.ok and again.result.inserted == 0 and len(messages(rt)) == 5
    assert member_of(rt, "carla-4@example.org").display_name == "Reyes, Carla"


def test_a_message_without_a_date_stops_the_import(rt, actor, tmp_path):
    path = copy_fixture("mbox/list.mbox", tmp_path)
    path.write_text(path.read_text().replace("Date: Thu, 02 May 2024 10:00:00 -0000\n", ""))
    outcome, _, _ = do_import(rt, actor, path, "mbox", batch_size=2)
    assert not outcome.ok and "list.mbox, message 4, field 'Date': missing" in outcome.error
    assert len(messages(rt)) == 2  # messages 1-2 were a whole batch; 3 shared the failing batch
    skipped, connector, _ = do_import(rt, actor, path, "mbox", skip_bad=True)
    assert skipped.ok and [b.where for b in connector.bad] == ["message 4"] and len(messages(rt)) == 4
