"""Inbound webhooks: ``POST /webhooks/{source_id}/{kind}``.

Public on purpose (a platform cannot sign in): every request is authenticated by the platform's own signature
over the raw body, checked against the secret stored (encrypted) with the source:

- Slack: ``X-Slack-Signature`` = ``v0=`` HMAC-SHA256 of ``v0:{X-Slack-Request-Timestamp}:{body}`` with the
  signing secret; timestamps older than five minutes are refused (replays).
- GitHub: ``X-Hub-Signature-256`` = ``sha256=`` HMAC-SHA256 of the body with the webhook secret.
- Telegram: ``X-Telegram-Bot-Api-Secret-Token`` equals the ``secret_token`` given to ``setWebhook``.
- Discord (interactions endpoint): Ed25519 signature ``X-Signature-Ed25519`` over
  ``X-Signature-Timestamp + body`` with the application's public key.

A refusal is a 401 and a warning on ``kapwa.webhooks`` naming the source and the reason, never the secret.
Accepted payloads become items through the connector's ``items_from_webhook`` and go through the one ingest
path (``ingest_batch``) without touching the sync cursor. Handshakes: Slack ``url_verification`` echoes the
challenge; a Discord PING is answered with a PONG.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import logging
import time
from collections.abc import Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kapwa.connectors.base import Batch
from kapwa.core.models import Source
from kapwa.ingest.pipeline import ingest_batch

log = logging.getLogger("kapwa.webhooks")
router = APIRouter(include_in_schema=False)

SLACK_MAX_AGE = 300  # seconds
# Only these platforms push to Kapwa; their connectors are imported directly (not through the plugin
# registry) so a webhook never waits for every installed plugin to load.
CONNECTORS = {
    "slack": "kapwa.connectors.slack:SlackConnector",
    "github": "kapwa.connectors.github:GitHubConnector",
    "telegram": "kapwa.connectors.telegram:TelegramConnector",
    "discord": "kapwa.connectors.discord:DiscordConnector",
}
SECRET_KEYS = {"slack": "signing_secret", "github": "webhook_secret", "telegram": "webhook_secret",
               "discord": "public_key"}
DISCORD_ACK = "Salamat! Natanggap namin ito; babalikan ka ng team dito. (Thanks, the team will get back to you.)"


class Refused(Exception):
    """The request is not from the platform (or not any more): the reason goes to the log, not to the caller."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------------------------------- verifiers


def verify_slack(headers: Mapping[str, str], body: bytes, secret: str, now: float | None = None) -> None:
    ts, sig = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    if not ts or not sig:
        raise Refused("missing X-Slack-Signature or X-Slack-Request-Timestamp header")
    try:
        age = abs((now or time.time()) - int(ts))
    except ValueError:
        raise Refused("X-Slack-Request-Timestamp is not a number") from None
    if age > SLACK_MAX_AGE:
        raise Refused(f"timestamp is {age:.0f} s away from now (more than 5 minutes): possible replay")
    basestring = b"v0:" + ts.encode() + b":" + body  # over the raw bytes, exactly as Slack signed them
    expected = "v0=" + hmac.new(secret.encode(), basestring, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        raise Refused("X-Slack-Signature does not match the signing secret")


def verify_github(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    sig = headers.get("x-hub-signature-256")
    if not sig:
        raise Refused("missing X-Hub-Signature-256 header")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        raise Refused("X-Hub-Signature-256 does not match the webhook secret")


def verify_telegram(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    sent = headers.get("x-telegram-bot-api-secret-token")
    if not sent:
        raise Refused("missing X-Telegram-Bot-Api-Secret-Token header")
    if not hmac.compare_digest(sent.encode(), secret.encode()):
        raise Refused("X-Telegram-Bot-Api-Secret-Token does not match the webhook secret")


def verify_discord(headers: Mapping[str, str], body: bytes, public_key: str) -> None:
    sig, ts = headers.get("x-signature-ed25519"), headers.get("x-signature-timestamp")
    if not sig or not ts:
        raise Refused("missing X-Signature-Ed25519 or X-Signature-Timestamp header")
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
    except ValueError:
        raise Refused("the stored public key is not a hex Ed25519 key") from None
    try:
        key.verify(bytes.fromhex(sig), ts.encode() + body)
    except (InvalidSignature, ValueError):
        raise Refused("X-Signature-Ed25519 does not verify with the application's public key") from None


VERIFIERS: dict[str, Callable[[Mapping[str, str], bytes, str], None]] = {
    "slack": verify_slack, "github": verify_github, "telegram": verify_telegram, "discord": verify_discord,
}


def connector_class(kind: str):
    module, _, name = CONNECTORS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


# ------------------------------------------------------------------------------------------------ route


def _load(rt, source_id: int) -> tuple[str, dict, dict, bool] | None:
    with rt.db.sessions() as s:
        src = s.get(Source, source_id)
        if src is None:
            return None
        try:
            credentials = rt.secrets.decrypt_json(src.credentials_encrypted)
        except ValueError as exc:  # the encryption key changed: no secret to check against
            log.warning("webhook for source %s: %s", source_id, exc)
            credentials = {}
        return src.kind, dict(src.config or {}), credentials, src.enabled


def _items(kind: str, config: dict, credentials: dict, payload: dict, settings) -> Batch:
    conn = connector_class(kind)(config, credentials, settings=settings)
    try:
        return conn.items_from_webhook(payload)
    finally:
        conn.close()


def _handshake(kind: str, payload: dict) -> dict | None:
    if kind == "slack" and payload.get("type") == "url_verification":
        return {"challenge": payload.get("challenge")}
    if kind == "discord" and payload.get("type") == 1:  # PING
        return {"type": 1}
    return None


def _answer(kind: str, config: dict, stored: int) -> dict:
    if kind == "discord":  # an interaction must be answered: a short note only the sender sees
        return {"type": 4, "data": {"content": config.get("interaction_reply") or DISCORD_ACK, "flags": 64}}
    return {"ok": True, "stored": stored}


@router.post("/webhooks/{source_id}/{kind}")
async def receive(source_id: int, kind: str, request: Request):
    rt = request.app.state.rt
    body = await request.body()  # the raw bytes: signatures are over exactly these
    found = await run_in_threadpool(_load, rt, source_id) if kind in VERIFIERS else None
    if found is None or found[0] != kind:
        raise HTTPException(404, "no such webhook")
    _, config, credentials, enabled = found
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        secret = credentials.get(SECRET_KEYS[kind])
        if not secret:
            raise Refused(f"no {SECRET_KEYS[kind]} is stored for this source")
        VERIFIERS[kind](headers, body, str(secret))
    except Refused as refused:
        log.warning("webhook refused for source %s (%s): %s", source_id, kind, refused.reason)
        raise HTTPException(401, "signature check failed") from None
    try:
        payload = json.loads(body)
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise HTTPException(400, "the body is not a JSON object")
    if (reply := _handshake(kind, payload)) is not None:
        return JSONResponse(reply)
    stored = 0
    if enabled:
        batch = await run_in_threadpool(_items, kind, config, credentials, payload, rt.settings)
        if batch.items or batch.activities:
            batch.cursor = None  # pushed items never move the sync cursor
            result = await run_in_threadpool(ingest_batch, rt, source_id, batch)
            stored = result.inserted + result.updated
            log.info("webhook for source %s (%s): %d stored", source_id, kind, stored)
    else:
        log.info("webhook for paused source %s (%s) ignored", source_id, kind)
    return JSONResponse(_answer(kind, config, stored))


receive.public = True  # no sign-in: each request carries the platform's signature instead
