"""Discord contract tests: discord.py's REST client talks to a local server replaying Discord's documented JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, RateLimited, Unreachable
from kapwa.connectors.discord import DiscordConnector
from kapwa.core.models import Activity, Conversation, Message, Source
from tests.connectors._helpers import sync_stored

GUILD, CHAN = "1017234567890123456", "1017234567890123999"
M1, M2, M3, JOIN = "1235138641920000000", "1235139900211200000", "1235140529356800000", "1235140906844160000"
THREAD, IN_THREAD = M1, "1235146191667200000"  # a thread started from M1 has M1's id
CREDS = {"bot_token": "MTE4MDAwMDAwMDAwMDAwMDAwMQ.GxYz12.kapwa-test-token"}
READ = ("discord/users_me.json", "discord/channel.json", "discord/threads_active.json", "discord/messages.json")


def connector(srv, **config) -> DiscordConnector:
    return DiscordConnector({"channels": [CHAN], "api_url": srv.base_url + "/api/v10", **config}, dict(CREDS))


def test_sync_stores_channel_messages_replies_threads_and_reactions(rt, factory, replay):
    srv = replay(*READ)
    src = factory.source("discord", credentials_encrypted=rt.secrets.encrypt_json(CREDS),
                         config={"channels": [CHAN], "guild_id": GUILD, "api_url": srv.base_url + "/api/v10"})
    out = sync_stored(rt, src.id, DiscordConnector)
    assert out.ok and not srv.unmatched, (out.error, srv.unmatched)
    assert all(r.headers["authorization"] == "Bot " + CREDS["bot_token"] for r in srv.received)
    # The off-topic thread lives under another channel and is not read.
    assert not srv.sent("GET", "/api/v10/channels/1017234567890777777/messages")

    with rt.db.sessions() as s:
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        # The join notice and the thread-starter stub carry no text and are skipped.
        assert set(msgs) == {f"{CHAN}:{M1}", f"{CHAN}:{M2}", f"{CHAN}:{M3}", f"{THREAD}:{IN_THREAD}"}
        first, answer, ours, in_thread = (msgs[f"{CHAN}:{M1}"], msgs[f"{CHAN}:{M2}"], msgs[f"{CHAN}:{M3}"],
                                          msgs[f"{THREAD}:{IN_THREAD}"])
        # Replies and the thread's messages are one conversation, titled after the thread.
        assert first.conversation_id == answer.conversation_id == ours.conversation_id == in_thread.conversation_id
        conv = s.get(Conversation, first.conversation_id)
        assert conv.title == "GCash cash-in sa 7-Eleven" and conv.message_count == 4
        assert answer.parent_id == first.id and answer.kind == "reply"
        assert ours.direction == "outbound" and ours.edited_at is not None
        assert first.url == f"https://discord.com/channels/{GUILD}/{CHAN}/{M1}"
        # Two people reacted with 🔥 to the first message.
        reactions = list(s.scalars(select(Activity).where(Activity.type == "reaction")))
        assert len(reactions) == 2 and {a.message_id for a in reactions} == {first.id}
        assert {a.properties["emoji"] for a in reactions} == {"🔥"}
        cursor = s.get(Source, src.id).sync_cursor

    again = sync_stored(rt, src.id, DiscordConnector)
    assert again.ok and again.result.inserted == 0 and cursor
    assert srv.sent("GET", f"/api/v10/channels/{CHAN}/messages")[-1].query == {"limit": "100", "after": JOIN}


def test_connection_names_the_bot_and_channels(replay):
    srv = replay("discord/users_me.json", "discord/channel.json")
    c = connector(srv)
    assert c.test_connection() == "Signed in to Discord as kapwa-bot; reading #tulong"
    c.close()


def test_a_bad_token_fails_the_source_in_plain_words(rt, factory, replay):
    srv = replay("discord/unauthorized.json")
    src = factory.source("discord", credentials_encrypted=rt.secrets.encrypt_json(CREDS),
                         config={"channels": [CHAN], "api_url": srv.base_url + "/api/v10"})
    out = sync_stored(rt, src.id, DiscordConnector)
    assert out.error.startswith("Discord did not accept the credentials (HTTP 401)")
    with rt.db.sessions() as s:
        assert s.get(Source, src.id).health == "failing"


@pytest.mark.parametrize(("channel", "error", "message"), [
    ("1017234567890000403", AuthError, "Discord refused access (HTTP 403: Missing Access)"),
    ("1017234567890000429", RateLimited, "Discord asked Kapwa to slow down (HTTP 429); trying again in 65 seconds"),
    ("1017234567890000503", Unreachable, "Discord is having trouble right now (HTTP 503"),
])
def test_http_errors_become_plain_connector_errors(replay, channel, error, message):
    srv = replay("discord/users_me.json", "discord/errors.json")
    c = connector(srv, channels=[channel])
    with pytest.raises(error) as raised:
        list(c.fetch(None))
    c.close()
    assert message in raised.value.message
    if error is RateLimited:
        assert raised.value.retry_after == pytest.approx(64.57)


def test_reply_publish_and_delete(replay):
    srv = replay("discord/users_me.json", "discord/send.json", "discord/delete.json")
    c = connector(srv)
    try:
        sent = c.reply(THREAD, f"{CHAN}:{M2}", "Na-update na po ang app, pakisubukan ulit.")
        posted = c.publish("Maintenance mamayang 10 PM.")
        c.moderate(f"{CHAN}:{M2}", "delete", reason="spam link")
    finally:
        c.close()
    assert not srv.unmatched
    assert sent.platform_message_id.startswith(f"{CHAN}:") and sent.url.startswith(f"https://discord.com/channels/{GUILD}/")
    assert posted.platform_message_id != sent.platform_message_id
    reply_body, post_body = (r.json() for r in srv.sent("POST", f"/api/v10/channels/{CHAN}/messages"))
    assert reply_body["content"] == "Na-update na po ang app, pakisubukan ulit."
    assert reply_body["message_reference"]["message_id"] == M2
    assert reply_body["allowed_mentions"]["parse"] == ["users"]  # never pings @everyone or roles
    assert "message_reference" not in post_body
    deleted = srv.sent("DELETE", f"/api/v10/channels/{CHAN}/messages/{M2}")
    assert deleted[0].headers["x-audit-log-reason"] == "spam link"
