"""Slack contract tests: slack_sdk's WebClient talks to a local server replaying Slack's documented JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, RateLimited, Unreachable
from kapwa.connectors.slack import SlackConnector
from kapwa.core.models import Conversation, Identity, Message
from tests.connectors._helpers import sync_stored

CH, DM = "C0TULONG1", "D0DINA001"
ROOT = "1714550400.000100"
CREDS = {"bot_token": "xoxb-1234-5678-kapwatesttoken", "signing_secret": "8f742231b10e8888abcd99yyyzzz85a5"}
READ = ("slack/auth_test.json", "slack/conversations.json", "slack/conversations_history.json",
        "slack/conversations_replies.json", "slack/users_info.json")


def connector(srv, **config) -> SlackConnector:
    return SlackConnector({"channels": [CH], "api_url": srv.base_url + "/api/", **config}, dict(CREDS))


def test_sync_reads_channels_threads_and_dms_then_resumes(rt, factory, replay):
    srv = replay(*READ)
    src = factory.source("slack", credentials_encrypted=rt.secrets.encrypt_json(CREDS),
                         config={"channels": [CH], "direct_messages": True, "api_url": srv.base_url + "/api/"})
    out = sync_stored(rt, src.id, SlackConnector)
    assert out.ok and not srv.unmatched, (out.error, srv.unmatched)
    assert all(r.headers["authorization"] == "Bearer " + CREDS["bot_token"] for r in srv.received)
    # Each person is looked up once, however many messages they wrote.
    looked_up = [r.form()["user"] for r in srv.sent("POST", "/api/users.info")]
    assert sorted(looked_up) == sorted(set(looked_up))

    with rt.db.sessions() as s:
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        assert set(msgs) == {f"{CH}:{ROOT}", f"{CH}:1714551000.000200", f"{CH}:1714551300.000300",
                             f"{CH}:1714551600.000400", f"{CH}:1714551900.000500", f"{DM}:1714552200.000900"}
        root, ours, carla = msgs[f"{CH}:{ROOT}"], msgs[f"{CH}:1714551000.000200"], msgs[f"{CH}:1714551300.000300"]
        # The thread is one conversation; replies hang under the thread's first message.
        assert root.conversation_id == ours.conversation_id == carla.conversation_id
        assert carla.parent_id == root.id and carla.kind == "reply"
        assert ours.direction == "outbound"
        conv = s.get(Conversation, root.conversation_id)
        assert conv.channel == "#tulong" and conv.first_response_at == ours.created_at
        assert root.url == "https://kapwa-ph.slack.com/archives/C0TULONG1/p1714550400000100"
        assert msgs[f"{CH}:1714551600.000400"].edited_at is not None
        dm = msgs[f"{DM}:1714552200.000900"]
        assert dm.kind == "direct" and s.get(Conversation, dm.conversation_id).is_direct
        ana = s.scalar(select(Identity).where(Identity.platform_user_id == "U0ANA0001"))
        assert (ana.handle, ana.display_name, ana.email) == ("ana", "ana", "ana@example.ph")
        ben = s.scalar(select(Identity).where(Identity.platform_user_id == "U0BEN0001"))
        assert ben.display_name == "Ben Reyes"  # no display name set: the real name

    # Second sync: two history pages (cursor) and a late reply in the watched thread.
    again = sync_stored(rt, src.id, SlackConnector)
    assert again.ok and not srv.unmatched, (again.error, srv.unmatched)
    assert again.result.inserted == 3
    history = [r.form() for r in srv.sent("POST", "/api/conversations.history") if r.form()["channel"] == CH]
    assert history[-2]["oldest"] == "1714552000.000600" and history[-1]["cursor"] == "bmV4dF90czoxNzE0NTU3NjAw"
    with rt.db.sessions() as s:
        late = s.scalar(select(Message).where(Message.platform_message_id == f"{CH}:1714557800.000900"))
        root = s.scalar(select(Message).where(Message.platform_message_id == f"{CH}:{ROOT}"))
        assert late.conversation_id == root.conversation_id and late.parent_id == root.id


def test_connection_and_its_exact_failures(replay):
    srv = replay("slack/auth_test.json", "slack/conversations_history.json", "slack/errors.json")
    assert connector(srv).test_connection() == "Connected to Slack workspace Kapwa PH as kapwa"
    with pytest.raises(AuthError) as scope:
        connector(srv, channels=["C0PRIVATE"]).test_connection()
    assert scope.value.message == "missing scope channels:history"
    srv = replay("slack/invalid_auth.json")
    with pytest.raises(AuthError) as token:
        connector(srv).test_connection()
    assert token.value.message == "Slack refused the token (invalid_auth)"


@pytest.mark.parametrize(("channel", "error", "message"), [
    ("C0BUSY001", RateLimited, "Slack asked Kapwa to slow down (HTTP 429); trying again in 30 seconds"),
    ("C0DOWN001", Unreachable, "Slack is having trouble right now (HTTP 503)"),
    ("C0OUTSIDE", AuthError, "Slack cannot find channel C0OUTSIDE (channel_not_found): check the id, or invite the app"),
])
def test_http_errors_become_plain_connector_errors(replay, channel, error, message):
    srv = replay("slack/auth_test.json", "slack/errors.json")
    with pytest.raises(error) as raised:
        list(connector(srv, channels=[channel]).fetch(None))
    assert message in raised.value.message
    if error is RateLimited:
        assert raised.value.retry_after == 30.0


def test_reply_in_thread_reply_to_a_dm_publish_and_delete(replay):
    srv = replay("slack/chat.json")
    c = connector(srv)
    sent = c.reply(f"{CH}:{ROOT}", f"{CH}:1714551300.000300", "Salamat sa pasensya!")
    assert sent.platform_message_id == f"{CH}:1714559400.001000"
    dm = c.reply(f"dm:{DM}", f"{DM}:1714552200.000900", "Na-unlock na po.")
    assert dm.platform_message_id == f"{DM}:1714559500.001100"
    c.publish("Maintenance mamayang 10 PM.")
    c.moderate(f"{CH}:1714551600.000400", "delete")
    assert not srv.unmatched
    thread_reply, dm_reply, post = (r.json() for r in srv.sent("POST", "/api/chat.postMessage"))
    assert thread_reply == {"channel": CH, "text": "Salamat sa pasensya!", "thread_ts": ROOT}
    assert dm_reply == {"channel": DM, "text": "Na-unlock na po."}  # a DM answer is not threaded
    assert post == {"channel": CH, "text": "Maintenance mamayang 10 PM."}
    assert srv.sent("POST", "/api/chat.delete")[0].form() == {"channel": CH, "ts": "1714551600.000400"}
