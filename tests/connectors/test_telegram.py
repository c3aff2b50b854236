"""Telegram contract tests: python-telegram-bot talks to a local server replaying the Bot API's documented JSON."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, ConnectorError, RateLimited, Unreachable
from kapwa.connectors.telegram import TelegramConnector
from kapwa.core.models import Conversation, Identity, Message, Source
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import stored_connector

TOKEN = "7012345678:AAHkapwa-test-token_0123456789abcdef"
GROUP = "-1001234567890"


def connector(srv, token=TOKEN, **config) -> TelegramConnector:
    return TelegramConnector({"api_url": srv.base_url, "chats": [GROUP], **config}, {"bot_token": token})


def test_sync_reads_topics_replies_private_chats_and_edits(rt, factory, replay):
    srv = replay("telegram/get_me.json", "telegram/get_updates.json")
    src = factory.source("telegram", credentials_encrypted=rt.secrets.encrypt_json({"bot_token": TOKEN}),
                         config={"api_url": srv.base_url})
    conn = stored_connector(rt, src.id, TelegramConnector)
    try:
        out = sync_source(rt, src.id, connector=conn, analyze=False)
        assert out.ok and not srv.unmatched, (out.error, srv.unmatched)
        first = srv.sent("POST", f"/bot{TOKEN}/getUpdates")[0].form()
        assert "offset" not in first and json.loads(first["allowed_updates"]) == [
            "message", "edited_message", "channel_post", "edited_channel_post"]
        with rt.db.sessions() as s:
            assert s.get(Source, src.id).sync_cursor == "880007"  # the last update id + 1
            msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
            # The join notice has no words and is skipped; the photo's caption is kept.
            assert set(msgs) == {f"{GROUP}:100", f"{GROUP}:101", f"{GROUP}:102", "555000111:7"}
            q, a, photo, dm = msgs[f"{GROUP}:100"], msgs[f"{GROUP}:101"], msgs[f"{GROUP}:102"], msgs["555000111:7"]
            # One forum topic, one conversation named after it; the answer hangs under the question.
            assert q.conversation_id == a.conversation_id == photo.conversation_id
            conv = s.get(Conversation, q.conversation_id)
            assert (conv.title, conv.channel) == ("Tulong sa GCash", "Kapwa PH Community")
            assert a.parent_id == q.id and a.kind == "reply" and photo.parent_id is None
            assert photo.text == "Ganito yung error"
            # The later edit replaced the question's text.
            assert q.text.endswith("ng barcode.") and q.edited_at is not None
            assert q.url == "https://t.me/kapwaph/100"
            assert dm.kind == "direct" and s.get(Conversation, dm.conversation_id).is_direct
            ana = s.scalar(select(Identity).where(Identity.platform_user_id == "111222333"))
            assert (ana.handle, ana.display_name) == ("anacruz", "Ana Cruz")

        again = sync_source(rt, src.id, connector=conn, analyze=False)
        assert again.ok and again.result.inserted == 0
        assert srv.sent("POST", f"/bot{TOKEN}/getUpdates")[-1].form()["offset"] == "880007"
    finally:
        conn.close()


def test_webhook_mode_polls_nothing(replay):
    srv = replay("telegram/get_me.json")
    c = connector(srv, mode="webhook")
    assert list(c.fetch(None)) == []
    assert c.test_connection() == "Connected to Telegram as @kapwa_ph_bot (webhook)"
    c.close()
    assert not srv.sent("POST", f"/bot{TOKEN}/getUpdates")


@pytest.mark.parametrize(("token", "error", "message"), [
    ("7012345678:AAHrevoked", AuthError, "Telegram refused the bot token: check it with @BotFather"),
    ("7099999999:AAHbusy", RateLimited, "Telegram is rate limiting us; retrying in 35 s"),
    ("7088888888:AAHhooked", ConnectorError, ("Telegram refuses getUpdates while a webhook is set: set this "
                                              "source to webhook mode, or delete the webhook")),
    ("7077777777:AAHdown", Unreachable, "cannot reach Telegram: Bad Gateway (502)"),
])
def test_errors_are_plain_words_and_never_show_the_token(replay, token, error, message):
    srv = replay("telegram/errors.json")
    c = connector(srv, token=token)
    with pytest.raises(error) as raised:
        list(c.fetch(None))
    c.close()
    assert raised.value.message == message and token not in str(raised.value)
    assert raised.value.transient is (error in (RateLimited, Unreachable))
    if error is RateLimited:
        assert raised.value.retry_after == 35.0


def test_reply_in_a_topic_direct_message_and_delete(replay):
    srv = replay("telegram/get_me.json", "telegram/send.json")
    c = connector(srv)
    try:
        sent = c.reply(f"{GROUP}:topic:42", f"{GROUP}:101", "Salamat! Naayos na po ito sa bagong version.")
        dm = c.send_direct("555000111", "Na-unlock na po.")
        c.moderate(f"{GROUP}:101", "delete", reason="spam")
    finally:
        c.close()
    assert not srv.unmatched
    assert sent.platform_message_id == f"{GROUP}:104" and sent.url == "https://t.me/kapwaph/104"
    assert dm.platform_message_id == "555000111:8"
    body = srv.sent("POST", f"/bot{TOKEN}/sendMessage")[0].form()
    assert body["text"] == "Salamat! Naayos na po ito sa bagong version."
    assert json.loads(body["reply_parameters"])["message_id"] == 101
    assert srv.sent("POST", f"/bot{TOKEN}/deleteMessage")[0].form() == {"chat_id": GROUP, "message_id": "101"}
