"""Inbound webhooks: signed requests are stored through the ingest path; anything unsigned, mis-signed or
stale is refused with 401, stores nothing and leaves a warning naming the source and the reason."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kapwa.core.models import Identity, Message
from kapwa.sources import webhooks
from kapwa.web.app import create_app
from tests.support.replay import FIXTURES, ReplayServer, load

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
GITHUB_SECRET = "It's a Secret to Everybody"
TELEGRAM_SECRET = "kapwa-hook-7f3a9c2e"
DISCORD_KEY = Ed25519PrivateKey.generate()
DISCORD_PUBLIC = DISCORD_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sample(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def slack_api():
    """Slack's Web API, for the names of people who write (auth.test, users.info)."""
    with ReplayServer(load("slack/auth_test.json", "slack/users_info.json")) as srv:
        yield srv


@pytest.fixture
def client(rt):
    app = create_app(rt=rt)
    app.include_router(webhooks.router)
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def sources(rt, factory, slack_api):
    def make(kind, credentials, **config):
        return factory.source(kind, credentials_encrypted=rt.secrets.encrypt_json(credentials), config=config)
    return {
        "slack": make("slack", {"signing_secret": SLACK_SECRET, "bot_token": "xoxb-kapwa"}, channels=["C0TULONG1"],
                      api_url=slack_api.base_url + "/api/"),
        "github": make("github", {"token": "ghp_x", "webhook_secret": GITHUB_SECRET}, repos=["kapwa-ph/app"]),
        "telegram": make("telegram", {"bot_token": "1:x", "webhook_secret": TELEGRAM_SECRET}, mode="webhook"),
        "discord": make("discord", {"bot_token": "x", "public_key": DISCORD_PUBLIC}),
    }


def stored(rt) -> dict[str, Message]:
    with rt.db.sessions() as s:
        return {m.platform_message_id: m for m in s.scalars(select(Message))}


def slack_headers(body: bytes, secret: str = SLACK_SECRET, ts: int | None = None) -> dict:
    ts = str(ts or int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": "application/json"}


def github_headers(body: bytes, event: str, secret: str = GITHUB_SECRET) -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "X-GitHub-Event": event, "Content-Type": "application/json"}


def discord_headers(body: bytes, key=DISCORD_KEY) -> dict:
    ts = str(int(time.time()))
    return {"X-Signature-Ed25519": key.sign(ts.encode() + body).hex(), "X-Signature-Timestamp": ts,
            "Content-Type": "application/json"}


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


# -------------------------------------------------------------------------------------- the documented vectors


def test_verifiers_accept_the_platforms_documented_examples():
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    slack = {"x-slack-request-timestamp": "1531420618",
             "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}
    webhooks.verify_slack(slack, body, SLACK_SECRET, now=1531420618 + 30)
    github = {"x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}
    webhooks.verify_github(github, b"Hello, World!", GITHUB_SECRET)


# ------------------------------------------------------------------------------------------------- Slack


def test_slack_message_is_stored_with_the_authors_name_and_edits_update_it(rt, client, sources):
    src = sources["slack"]
    body = encode(sample("slack/webhook_events.json")["message"])
    r = client.post(f"/webhooks/{src.id}/slack", content=body, headers=slack_headers(body))
    assert r.status_code == 200 and r.json() == {"ok": True, "stored": 1}
    msg = stored(rt)["C0TULONG1:1714560000.000100"]
    assert msg.text == "May problema po sa cash-in ngayon?"
    assert msg.url == "https://kapwa-ph.slack.com/archives/C0TULONG1/p1714560000000100"
    with rt.db.sessions() as s:
        assert s.scalar(select(Identity.display_name).where(Identity.platform_user_id == "U0ANA0001")) == "ana"

    body = encode(sample("slack/webhook_events.json")["message_changed"])
    assert client.post(f"/webhooks/{src.id}/slack", content=body, headers=slack_headers(body)).status_code == 200
    edited = stored(rt)["C0TULONG1:1714560000.000100"]
    assert edited.text.endswith("(7-Eleven)") and edited.edited_at is not None and len(stored(rt)) == 1


def test_slack_url_verification_echoes_the_challenge(rt, client, sources):
    body = encode(sample("slack/webhook_events.json")["url_verification"])
    r = client.post(f"/webhooks/{sources['slack'].id}/slack", content=body, headers=slack_headers(body))
    assert r.status_code == 200
    assert r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(("case", "reason"), [
    ("wrong secret", "X-Slack-Signature does not match the signing secret"),
    ("stale", "more than 5 minutes): possible replay"),
    ("missing", "missing X-Slack-Signature or X-Slack-Request-Timestamp header"),
    ("tampered", "X-Slack-Signature does not match the signing secret"),
])
def test_slack_refuses_bad_stale_and_missing_signatures(rt, client, sources, caplog, case, reason):
    src = sources["slack"]
    body = encode(sample("slack/webhook_events.json")["message"])
    headers = {
        "wrong secret": slack_headers(body, secret="not-the-secret"),
        "stale": slack_headers(body, ts=int(time.time()) - 6 * 60),
        "missing": {"Content-Type": "application/json"},
        "tampered": slack_headers(body),
    }[case]
    if case == "tampered":
        body = body.replace(b"cash-in", b"cash-out")
    with caplog.at_level(logging.WARNING, logger="kapwa.webhooks"):
        r = client.post(f"/webhooks/{src.id}/slack", content=body, headers=headers)
    assert r.status_code == 401
    assert stored(rt) == {}
    [record] = [r for r in caplog.records if r.name == "kapwa.webhooks"]
    assert record.levelno == logging.WARNING and f"source {src.id}" in record.getMessage()
    assert reason in record.getMessage() and SLACK_SECRET not in caplog.text


# ------------------------------------------------------------------------------------------------ GitHub


def test_github_comment_joins_its_issue_and_bad_signatures_are_refused(rt, client, sources, caplog):
    src = sources["github"]
    events = sample("github/webhook_events.json")
    opened, comment = encode(events["issues"]), encode(events["issue_comment"])
    assert client.post(f"/webhooks/{src.id}/github", content=opened, headers=github_headers(opened, "issues")
                       ).status_code == 200
    r = client.post(f"/webhooks/{src.id}/github", content=comment, headers=github_headers(comment, "issue_comment"))
    assert r.status_code == 200 and r.json()["stored"] == 1
    msgs = stored(rt)
    assert set(msgs) == {"kapwa-ph/app#16", "kapwa-ph/app#comment-601"}
    assert msgs["kapwa-ph/app#comment-601"].text == "Nangyari ulit ngayon, 4.2.2 na ako."

    ping = encode(events["ping"])
    assert client.post(f"/webhooks/{src.id}/github", content=ping, headers=github_headers(ping, "ping")).json() == {
        "ok": True, "stored": 0}

    forged = comment.replace(b"4.2.2", b"4.2.3")
    with caplog.at_level(logging.WARNING, logger="kapwa.webhooks"):
        bad = client.post(f"/webhooks/{src.id}/github", content=forged, headers=github_headers(comment, "issue_comment"))
        none = client.post(f"/webhooks/{src.id}/github", content=comment, headers={"X-GitHub-Event": "issue_comment"})
    assert (bad.status_code, none.status_code) == (401, 401)
    assert stored(rt)["kapwa-ph/app#comment-601"].text.endswith("4.2.2 na ako.")
    assert "does not match the webhook secret" in caplog.text and "missing X-Hub-Signature-256" in caplog.text
    assert GITHUB_SECRET not in caplog.text


# ---------------------------------------------------------------------------------------------- Telegram


def test_telegram_needs_the_secret_token_header(rt, client, sources, caplog):
    src = sources["telegram"]
    body = encode(sample("telegram/webhook_update.json"))
    with caplog.at_level(logging.WARNING, logger="kapwa.webhooks"):
        wrong = client.post(f"/webhooks/{src.id}/telegram", content=body,
                            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        missing = client.post(f"/webhooks/{src.id}/telegram", content=body)
    assert (wrong.status_code, missing.status_code) == (401, 401) and stored(rt) == {}
    assert f"source {src.id}" in caplog.text and TELEGRAM_SECRET not in caplog.text
    ok = client.post(f"/webhooks/{src.id}/telegram", content=body,
                     headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert ok.status_code == 200
    dm = stored(rt)["555000111:7"]
    assert dm.kind == "direct" and dm.text == "Hi! Na-lock po account ko, paano i-unlock?"


# ----------------------------------------------------------------------------------------------- Discord


def test_discord_ping_command_and_forged_signature(rt, client, sources, caplog):
    src = sources["discord"]
    interactions = sample("discord/webhook_interactions.json")
    ping = encode(interactions["ping"])
    r = client.post(f"/webhooks/{src.id}/discord", content=ping, headers=discord_headers(ping))
    assert r.status_code == 200 and r.json() == {"type": 1}

    command = encode(interactions["command"])
    r = client.post(f"/webhooks/{src.id}/discord", content=command, headers=discord_headers(command))
    assert r.status_code == 200
    assert r.json()["type"] == 4 and r.json()["data"]["flags"] == 64  # an answer only the sender sees
    msg = stored(rt)["1017234567890123999:1235210000000000001"]
    assert msg.text == "/tanong Paano mag-reset ng PIN?"

    with caplog.at_level(logging.WARNING, logger="kapwa.webhooks"):
        forged = client.post(f"/webhooks/{src.id}/discord", content=ping,
                             headers=discord_headers(ping, key=Ed25519PrivateKey.generate()))
    assert forged.status_code == 401 and "does not verify" in caplog.text
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1


# ------------------------------------------------------------------------------------------------ routing


def test_unknown_source_or_wrong_kind_is_not_found(client, sources):
    body = encode(sample("github/webhook_events.json")["ping"])
    headers = github_headers(body, "ping")
    assert client.post("/webhooks/9999/github", content=body, headers=headers).status_code == 404
    assert client.post(f"/webhooks/{sources['slack'].id}/github", content=body, headers=headers).status_code == 404
    assert client.post(f"/webhooks/{sources['github'].id}/rss", content=body, headers=headers).status_code == 404


def test_a_source_without_a_stored_secret_refuses_everything(rt, client, factory, caplog):
    src = factory.source("github", credentials_encrypted=rt.secrets.encrypt_json({"token": "ghp_x"}))
    body = encode(sample("github/webhook_events.json")["issues"])
    with caplog.at_level(logging.WARNING, logger="kapwa.webhooks"):
        r = client.post(f"/webhooks/{src.id}/github", content=body, headers=github_headers(body, "issues"))
    assert r.status_code == 401 and stored(rt) == {}
    assert f"source {src.id} (github): no webhook_secret is stored for this source" in caplog.text
