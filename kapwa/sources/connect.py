"""Connecting a source: what each platform needs, and a connection test that says exactly what is wrong."""

from __future__ import annotations

import contextlib
import json
import logging

from kapwa.connectors.base import ConnectorError
from kapwa.connectors.registry import connector_classes
from kapwa.core.actions import ActionError
from kapwa.core.runtime import Runtime

log = logging.getLogger("kapwa.sources")

# What each platform asks for: (settings keys, credential keys). Shown as help next to the form.
NEEDS: dict[str, tuple[str, str]] = {
    "matrix": ('{"homeserver": "https://matrix.example.org", "rooms": ["!room:example.org"]}',
               '{"user_id": "@kapwa:example.org", "access_token": "…"}'),
    "mastodon": ('{"instance": "https://mastodon.social"}', '{"access_token": "…"}'),
    "bluesky": ('{"service": "https://bsky.social"}', '{"handle": "brand.bsky.social", "app_password": "…"}'),
    "discourse": ('{"base_url": "https://forum.example.org"}', '{"api_key": "…", "api_username": "system"}'),
    "reddit": ('{"subreddit": "BayaniPay"}', '{"client_id": "…", "client_secret": "…", "refresh_token": "…"}'),
    "discord": ('{"channels": ["123456789012345678"]}', '{"bot_token": "…", "public_key": "…"}'),
    "slack": ('{"channels": ["C0123456"]}', '{"bot_token": "xoxb-…", "signing_secret": "…"}'),
    "telegram": ('{"chats": [-1001234567890]}', '{"bot_token": "123456:ABC…", "webhook_secret": "…"}'),
    "github": ('{"repos": ["owner/repo"]}', '{"token": "ghp_…", "webhook_secret": "…"}'),
    "rss": ('{"url": "https://example.org/feed.xml"}', "{}"),
    "email": ('{"imap_host": "imap.example.org", "smtp_host": "smtp.example.org", "from_address": "support@example.org"}',
              '{"username": "support@example.org", "password": "…"}'),
}


# Platforms that push events to Kapwa: their webhook URL is shown on the sources page.
WEBHOOK_KINDS = ("slack", "github", "telegram", "discord")


def parse_json_field(raw: str, field: str, *, token_key: str | None = None) -> dict:
    raw = (raw or "").strip()
    if not raw:
        return {}
    if not raw.startswith("{"):
        if token_key:
            return {token_key: raw}
        raise ActionError(f"{field}: must be a JSON object like {{\"key\": \"value\"}}", field=field)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ActionError(f"{field}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                          field=field) from None
    if not isinstance(value, dict):
        raise ActionError(f"{field}: must be a JSON object", field=field)
    return value


def available_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every connector that loaded, for the connect form."""
    return sorted(((k, getattr(c, "label", "") or k.title()) for k, c in connector_classes().items()
                   if k != "import"), key=lambda kv: kv[1].lower())


def test_connection(rt: Runtime, kind: str, config: dict, credentials: dict) -> tuple[bool, str]:
    """(ok, message) in plain words. Never raises for platform problems."""
    cls = connector_classes().get(kind)
    if cls is None:
        return False, f"no connector is installed for {kind!r}"
    connector = None
    try:
        connector = cls(config, credentials, settings=rt.settings)
        return True, connector.test_connection() or "connected"
    except ConnectorError as exc:
        return False, exc.message
    except (KeyError, ValueError, TypeError) as exc:
        return False, f"incomplete settings: {exc}"
    except Exception as exc:
        log.exception("connection test for %s crashed", kind)
        return False, f"unexpected error: {type(exc).__name__}: {exc}"
    finally:
        if connector is not None:
            with contextlib.suppress(Exception):
                connector.close()
