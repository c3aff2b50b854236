"""The e-mail connector end to end: real Dovecot (IMAP) and a real SMTP server on 127.0.0.1, real mails in
several encodings, synced into Kapwa through the ordinary sync path; answers sent by SMTP arrive in the
member's mailbox and come back on the next sync as outbound messages."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import namedtuple
from email import policy
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import AuthError, Unreachable
from kapwa.connectors.email import EmailConnector, Rejected
from kapwa.connectors.registry import build_connector
from kapwa.core.actions import Actor
from kapwa.core.models import Conversation, Identity, Member, Message, Role, Source
from kapwa.ingest.sync import sync_source
from kapwa.sources.actions import do_create_source
from tests.support.mailserver import mail_servers
from tests.support.services import free_port

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("mail")]

_n = itertools.count(1)
QUESTION_SUBJECT = "Paano mag-reset ng password? Hindi ko ma-access ang account ko 😅"
QUESTION_TEXT = ("Magandang umaga po! Nag-try ako mag-reset ng password pero walang dumarating na email. "
                 "Ano po ang gagawin ko? Salamat po — María")
NO_DATE_RECEIVED = dt.datetime(2026, 5, 3, 22, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def mail():
    with mail_servers(users=("maria", "juan")) as servers:
        yield servers


Box = namedtuple("Box", "user password address list_address")  # a community mailbox, fresh for each test


def composed(body: str, cte: str = "8bit", **headers: str) -> EmailMessage:
    """A mail as a mail program writes it (Message_ID= gives the Message-ID header)."""
    msg = EmailMessage(policy=policy.SMTP)
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, cte=cte)
    return msg


def question() -> EmailMessage:
    return composed(QUESTION_TEXT, "base64", From="María Dela Cruz <Maria@kapwa.test>",
                    Subject=QUESTION_SUBJECT, Message_ID="<q1.maria@kapwa.test>",
                    Date="Mon, 04 May 2026 09:15:00 +0800")


def reply_from_juan() -> EmailMessage:
    return composed("Subukan mo po i-check ang spam folder. Kung wala pa rin, i-message mo si Ate Niña.\n\n"
                    "On Mon, 4 May 2026 at 09:15, María Dela Cruz <maria@kapwa.test> wrote:\n"
                    "> Magandang umaga po! Nag-try ako mag-reset ng password\n> Salamat po\n",
                    "quoted-printable",
                    From="Juan Bautista <juan@kapwa.test>", Subject="Re: " + QUESTION_SUBJECT,
                    Message_ID="<r1.juan@kapwa.test>", In_Reply_To="<q1.maria@kapwa.test>",
                    References="<q1.maria@kapwa.test>", Date="Mon, 04 May 2026 10:02:00 +0800")


LATIN1 = (b"From: =?iso-8859-1?q?Jos=E9_Rizal?= <jose@example.org>\n"
          b"To: {to}\n"
          b"Subject: =?iso-8859-1?q?Caf=E9_meetup_sa_Bi=F1an?=\n"
          b"Message-ID: <latin1.jose@example.org>\n"
          b"Date: Sat, 02 May 2026 18:00:00 +0000\n"
          b"MIME-Version: 1.0\n"
          b"Content-Type: text/plain; charset=iso-8859-1\n"
          b"Content-Transfer-Encoding: 8bit\n\n") + \
    "Magkita tayo sa café sa Biñan sa Sábado, alas-tres.\n".encode("iso-8859-1")

HTML_ONLY = b"""From: Events <events@community.example>
To: {to}
Subject: Imbitasyon: Community Meetup
Message-ID: <html1@community.example>
Date: Sun, 03 May 2026 07:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><title>x</title><style>p { color: red }</style></head><body>
<h1>Community Meetup</h1><p>Sa <b>Sabado</b>, 10&nbsp;AM sa Makati.</p>
<script>alert('pwned')</script></body></html>
"""

NO_ID_NO_DATE = b"""From: Anonymous <Anon@Example.NET>
To: {to}
Subject: walang petsa

Tanong lang po, bukas ba kayo sa Linggo?
"""

BROKEN = b"""From: Luz <luz@example.org>
To: {to}
Subject: resibo
Message-ID: <broken1@example.org>
Date: Thu, 31 Feb 2026 25:61:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

--XYZ
Content-Type: text/plain; charset="x-no-such-charset"
Content-Transfer-Encoding: 8bit

Ito ang resibo ko \xe2\x80\x94 salamat!
--XYZ
Content-Type: application/pdf; name="resibo.pdf"
Content-Disposition: attachment; filename="resibo.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--XYZ--
"""


@pytest.fixture
def box(mail) -> Box:
    """A fresh community mailbox on the shared servers, with the standard mails delivered into it."""
    user = f"kapwa{next(_n)}"
    mail.add_user(user)
    list_user = f"lista-{user}"
    mail.aliases[list_user] = [user, "maria", "juan"]
    b = Box(user, mail.passwords[user], mail.address(user), mail.address(list_user))
    for msg in (question(), reply_from_juan()):
        msg["To"] = b.address
        mail.deliver(msg.as_bytes(), user)
    for raw in (LATIN1, HTML_ONLY, BROKEN):
        mail.deliver(raw.replace(b"{to}", b.address.encode()), user)
    mail.deliver(NO_ID_NO_DATE.replace(b"{to}", b.address.encode()), user, received_at=NO_DATE_RECEIVED)
    return b


def connect(rt, factory, mail, box: Box, password: str | None = None, **config) -> Source:
    owner = factory.user(role=Role.owner)
    actor = Actor(workspace_id=factory.workspace_id, user_id=owner.id, role=Role.owner)
    settings = {"imap_host": mail.imap_host, "imap_port": mail.imap_port, "imap_tls": "none",
                "smtp_host": mail.smtp_host, "smtp_port": mail.smtp_port, "smtp_tls": "none",
                "mailbox": "INBOX", "sent_mailbox": "Sent", "from_address": box.address,
                "from_name": "Kapwa Suporta Parañaque", "list_address": box.list_address, **config}
    return do_create_source(rt, actor, kind="email", name="Suporta (e-mail)", config=settings,
                            credentials={"username": box.user, "password": password or box.password})


def messages(rt) -> dict[str, Message]:
    with rt.db.sessions() as s:
        return {m.platform_message_id: m for m in s.scalars(select(Message))}


def count(rt, model) -> int:
    with rt.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_mailbox_syncs_into_conversations_members_and_readable_texts(rt, factory, mail, box):
    src = connect(rt, factory, mail, box)
    assert box.password.encode() not in src.credentials_encrypted

    outcome = sync_source(rt, src.id)

    assert outcome.ok, outcome.error
    msgs = messages(rt)
    assert len(msgs) == 6
    q, r = msgs["q1.maria@kapwa.test"], msgs["r1.juan@kapwa.test"]
    assert q.text == QUESTION_TEXT and q.kind == "post" and q.direction == "inbound"
    assert q.created_at == dt.datetime(2026, 5, 4, 1, 15, tzinfo=dt.UTC)
    # The reply is threaded by References, decoded from quoted-printable, and without the quoted question.
    assert r.kind == "reply" and r.parent_id == q.id and r.conversation_id == q.conversation_id
    assert r.text == "Subukan mo po i-check ang spam folder. Kung wala pa rin, i-message mo si Ate Niña."
    latin1, html = msgs["latin1.jose@example.org"], msgs["html1@community.example"]
    assert latin1.text == "Magkita tayo sa café sa Biñan sa Sábado, alas-tres."
    assert html.text == "Community Meetup\n\nSa Sabado, 10 AM sa Makati." and "pwned" not in html.text
    assert "<script>" in html.html and "<b>Sabado</b>" in html.html  # kept for sanitised rendering
    broken = msgs["broken1@example.org"]
    assert broken.text == "Ito ang resibo ko — salamat!"
    assert broken.raw["attachments"] == [{"filename": "resibo.pdf", "content_type": "application/pdf"}]
    undated = next(m for pid, m in msgs.items() if pid.startswith("uid:"))
    assert undated.created_at == NO_DATE_RECEIVED and undated.text.startswith("Tanong lang po")

    with rt.db.sessions() as s:
        convs = {c.platform_thread_id: c for c in s.scalars(select(Conversation))}
        assert len(convs) == 5
        thread = convs["q1.maria@kapwa.test"]
        assert thread.title == QUESTION_SUBJECT and thread.message_count == 2
        assert convs["latin1.jose@example.org"].title == "Café meetup sa Biñan"
        maria = s.scalar(select(Member).where(Member.email == "maria@kapwa.test"))
        assert maria.display_name == "María Dela Cruz" and thread.started_by_member_id == maria.id
        idents = {i.platform_user_id: i for i in s.scalars(select(Identity))}
        assert set(idents) == {"maria@kapwa.test", "juan@kapwa.test", "jose@example.org",
                               "events@community.example", "anon@example.net", "luz@example.org"}
        assert idents["jose@example.org"].display_name == "José Rizal"
        assert all(i.platform == "email" and i.email == puid and not i.email_verified
                   for puid, i in idents.items())
        assert s.get(Source, src.id).health == "ok"

    # Syncing read the mail without marking it read in the team's own mail program.
    imap = mail.imap(box.user)
    imap.select("INBOX", readonly=True)
    flags = imap.uid("FETCH", "1:*", "(FLAGS)")[1]
    imap.logout()
    assert len(flags) == 6 and not any(b"\\Seen" in f for f in flags)


def test_sync_again_duplicates_nothing_and_picks_up_new_mail(rt, factory, mail, box):
    src = connect(rt, factory, mail, box)
    assert sync_source(rt, src.id).result.inserted == 6

    again = sync_source(rt, src.id)
    assert again.ok and again.result.inserted == 0 and count(rt, Message) == 6

    thanks = composed("Salamat po, nandoon nga sa spam!", From="María <maria@kapwa.test>", To=box.address,
                      Subject="Re: Re: " + QUESTION_SUBJECT, Date="Mon, 04 May 2026 10:30:00 +0800",
                      Message_ID="<q3.maria@kapwa.test>", In_Reply_To="<r1.juan@kapwa.test>",
                      References="<q1.maria@kapwa.test> <r1.juan@kapwa.test>")
    mail.deliver(thanks.as_bytes(), box.user)

    third = sync_source(rt, src.id)
    assert third.result.inserted == 1 and count(rt, Message) == 7 and count(rt, Conversation) == 5
    msgs = messages(rt)
    assert msgs["q3.maria@kapwa.test"].conversation_id == msgs["q1.maria@kapwa.test"].conversation_id
    assert msgs["q3.maria@kapwa.test"].parent_id == msgs["r1.juan@kapwa.test"].id
    with rt.db.sessions() as s:
        assert s.scalar(select(Member).where(Member.email == "maria@kapwa.test")).message_count == 2

    # A mailbox whose UIDVALIDITY changed is read again from the start, still without duplicates.
    with rt.db.write_sessions() as s, s.begin():
        row = s.get(Source, src.id)
        row.sync_cursor = json.dumps({**json.loads(row.sync_cursor), "uidvalidity": 1})
    assert sync_source(rt, src.id).result.inserted == 0 and count(rt, Message) == 7


def test_an_answer_reaches_the_member_and_comes_back_as_outbound(rt, factory, mail, box):
    src = connect(rt, factory, mail, box)
    sync_source(rt, src.id)
    connector = build_connector(rt, src)

    sent = connector.reply("q1.maria@kapwa.test", "q1.maria@kapwa.test",
                           "Hi María! Paki-check po ang spam folder, doon madalas napupunta.")

    got = mail.wait_for_message("maria", sent.platform_message_id)
    assert len(got) == 1
    answer = got[0]
    assert answer["Subject"] == "Re: " + QUESTION_SUBJECT
    assert answer["In-Reply-To"] == "<q1.maria@kapwa.test>"
    assert answer["References"] == "<q1.maria@kapwa.test>"
    assert answer["From"] == f"Kapwa Suporta Parañaque <{box.address}>" and answer["To"] == "maria@kapwa.test"
    assert answer.get_content().strip() == "Hi María! Paki-check po ang spam folder, doon madalas napupunta."

    outcome = sync_source(rt, src.id)
    assert outcome.ok and outcome.result.inserted == 1
    msgs = messages(rt)
    ours = msgs[sent.platform_message_id]
    assert ours.direction == "outbound" and ours.member_id is None and ours.kind == "reply"
    assert ours.conversation_id == msgs["q1.maria@kapwa.test"].conversation_id
    assert ours.parent_id == msgs["q1.maria@kapwa.test"].id
    with rt.db.sessions() as s:
        conv = s.get(Conversation, ours.conversation_id)
        assert conv.message_count == 3 and conv.needs_answer is False and conv.first_response_at is not None


def test_answering_from_stored_headers_publishing_and_direct_mail(rt, factory, mail, box):
    src = connect(rt, factory, mail, box)
    sync_source(rt, src.id)
    connector = build_connector(rt, src)
    juans = messages(rt)["r1.juan@kapwa.test"]

    # The raw Kapwa keeps for a message is enough to answer it without asking the IMAP server.
    sent = connector.reply(None, "r1.juan@kapwa.test", "Salamat, Juan!", parent_headers=juans.raw)
    answer = mail.wait_for_message("juan", sent.platform_message_id)[0]
    assert answer["In-Reply-To"] == "<r1.juan@kapwa.test>"
    assert answer["References"] == "<q1.maria@kapwa.test> <r1.juan@kapwa.test>"

    post = connector.publish("Bukas po ang opisina sa Linggo, 9–12.", title="Paalala: Linggo")
    for user in ("maria", "juan"):
        assert mail.wait_for_message(user, post.platform_message_id)[0]["Subject"] == "Paalala: Linggo"
    direct = connector.send_direct("juan@kapwa.test", "Kumusta, Juan?", subject="Tanong")
    assert mail.wait_for_message("juan", direct.platform_message_id)[0]["To"] == "juan@kapwa.test"
    with pytest.raises(Rejected, match="refused the recipient: walanganito@kapwa.test"):
        connector.send_direct("walanganito@kapwa.test", "Hello?")

    # The list delivered the announcement to our own inbox too, and the copy sits in Sent: stored once.
    assert sync_source(rt, src.id).result.inserted == 3
    msgs = messages(rt)
    announcement = msgs[post.platform_message_id]
    assert announcement.direction == "outbound" and announcement.kind == "post"
    assert msgs[sent.platform_message_id].conversation_id == msgs["q1.maria@kapwa.test"].conversation_id


def test_trusted_sender_addresses_are_verified(rt, factory, mail, box):
    src = connect(rt, factory, mail, box, trust_sender_addresses=True)
    assert sync_source(rt, src.id).ok
    with rt.db.sessions() as s:
        assert all(s.scalars(select(Identity.email_verified)))


def test_a_wrong_password_is_reported_in_plain_words(rt, factory, mail, box):
    src = connect(rt, factory, mail, box, password="mali")
    connector = build_connector(rt, src)
    with pytest.raises(AuthError) as err:
        connector.test_connection()
    assert err.value.message == f"IMAP login failed for user {box.user}: authentication failed"

    outcome = sync_source(rt, src.id)
    assert not outcome.ok
    with rt.db.sessions() as s:
        row = s.get(Source, src.id)
        assert row.last_error == f"IMAP login failed for user {box.user}: authentication failed"
        assert row.health == "failing" and row.consecutive_failures == 1
    assert count(rt, Message) == 0

    smtp_only = EmailConnector({**src.config}, {"username": box.user, "password": box.password,
                                                "smtp_password": "mali"})
    with pytest.raises(AuthError) as err:
        smtp_only.test_connection()
    assert err.value.message == f"SMTP login failed for user {box.user}: authentication credentials invalid"


def test_a_password_with_non_ascii_letters_works(mail):
    user, password = f"pinoy{next(_n)}", "Paña-Lihim-2026"
    mail.add_user(user, password)
    connector = EmailConnector({"imap_host": mail.imap_host, "imap_port": mail.imap_port, "imap_tls": "none",
                                "smtp_host": mail.smtp_host, "smtp_port": mail.smtp_port, "smtp_tls": "none",
                                "from_address": mail.address(user)}, {"username": user, "password": password})
    assert connector.test_connection().startswith(f"IMAP 127.0.0.1:{mail.imap_port}: signed in as {user}")
    sent = connector.send_direct("maria@kapwa.test", "Kumusta!")
    assert mail.wait_for_message("maria", sent.platform_message_id)[0].get_content().strip() == "Kumusta!"


def test_an_unreachable_server_is_reported_in_plain_words(rt, factory, mail, box):
    port = free_port()
    src = connect(rt, factory, mail, box, imap_port=port)
    with pytest.raises(Unreachable) as err:
        build_connector(rt, src).test_connection()
    assert err.value.message == f"cannot reach imap host 127.0.0.1:{port}: connection refused"
    outcome = sync_source(rt, src.id)
    with rt.db.sessions() as s:
        row = s.get(Source, src.id)
        assert not outcome.ok and row.health == "degraded" and row.last_error == err.value.message

    smtp_down = EmailConnector({**src.config, "imap_port": mail.imap_port, "smtp_port": port},
                               {"username": box.user, "password": box.password})
    with pytest.raises(Unreachable, match=f"^cannot reach smtp host 127.0.0.1:{port}: connection refused$"):
        smtp_down.send_direct("maria@kapwa.test", "Hello")
    assert "signed in as" in EmailConnector({**smtp_down.config, "smtp_port": mail.smtp_port},
                                            smtp_down.credentials).test_connection()


def test_tls_connections_and_an_untrusted_certificate(rt, factory, mail, box):
    ca = str(mail.ca_file)
    src = connect(rt, factory, mail, box, imap_tls="ssl", imap_port=mail.imaps_port, smtp_tls="starttls",
                  tls_ca_file=ca)
    assert sync_source(rt, src.id).result.inserted == 6
    starttls = EmailConnector({**src.config, "imap_tls": "starttls", "imap_port": mail.imap_port,
                               "smtp_tls": "ssl", "smtp_port": mail.smtps_port},
                              build_connector(rt, src).credentials)
    assert starttls.test_connection().startswith(f"IMAP 127.0.0.1:{mail.imap_port}: signed in as {box.user}")
    sent = starttls.send_direct("maria@kapwa.test", "Sa TLS ito dumaan.", subject="TLS")
    assert mail.wait_for_message("maria", sent.platform_message_id)

    untrusted = EmailConnector({**src.config, "tls_ca_file": None}, starttls.credentials)
    with pytest.raises(Unreachable, match=rf"^cannot reach imap host 127.0.0.1:{mail.imaps_port}: its TLS "
                                          r"certificate is not trusted \(self.signed certificate\)$"):
        untrusted.test_connection()


def test_hostile_mail_does_not_stop_the_sync(rt, factory, mail, box):
    long_id = "x" * 400 + "@spam.example"
    hostile = [
        # Raw UTF-8 in the headers (no MIME encoding), an undeclared 8-bit body with a NUL (which Dovecot
        # hands out as byte 0x80, not UTF-8), a Date in 2099.
        "From: Niña Santos <nina@example.org>\nSubject: Tanong — bayad\nMessage-ID: <raw8@example.org>\n"
        "Date: Thu, 01 Jan 2099 00:00:00 +0000\n\nKumusta po\x00, Niña ito.\n".encode(),
        # A Message-ID longer than any database column, answered by a mail that references it.
        f"From: spam@spam.example\nMessage-ID: <{long_id}>\nSubject: win\n\nclick\n".encode(),
        f"From: spam2@spam.example\nMessage-ID: <re-long@spam.example>\nIn-Reply-To: <{long_id}>\n"
        f"References: <{long_id}>\nSubject: Re: win\n\nno thanks\n".encode(),
        bytes(range(256)) * 8,  # not a mail at all
        b"",  # nothing
    ]
    for raw in hostile:
        mail.deliver(raw, box.user)
    src = connect(rt, factory, mail, box)

    outcome = sync_source(rt, src.id)

    assert outcome.ok, outcome.error
    assert outcome.result.inserted == 6 + len(hostile)
    msgs = messages(rt)
    raw8 = msgs["raw8@example.org"]
    assert raw8.text == "Kumusta po\ufffd, Niña ito." and raw8.created_at.year == dt.datetime.now(dt.UTC).year
    with rt.db.sessions() as s:
        nina = s.scalar(select(Identity).where(Identity.email == "nina@example.org"))
        assert nina.display_name == "Niña Santos"
        conv = s.get(Conversation, raw8.conversation_id)
        assert conv.title == "Tanong — bayad"
    spam = [m for pid, m in msgs.items() if pid.startswith("h:")]
    assert len(spam) == 1 and msgs["re-long@spam.example"].conversation_id == spam[0].conversation_id
    assert sync_source(rt, src.id).result.inserted == 0
