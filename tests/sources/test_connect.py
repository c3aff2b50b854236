"""Connecting a source from the UI: the connection test says exactly what is wrong; nothing is saved by a test."""

from __future__ import annotations

from sqlalchemy import func, select

from kapwa.connectors.base import AuthError, BaseConnector
from kapwa.core.models import Role, Source
from kapwa.sources import connect


class Picky(BaseConnector):
    kind = "picky"
    label = "Picky Platform"

    def test_connection(self) -> str:
        if self.credentials.get("token") != "good-token":
            raise AuthError("Picky refused the token (invalid_auth)")
        if "channel" not in self.config:
            raise KeyError("channel")
        return f"signed in; reading {self.config['channel']}"


def _sources(rt) -> int:
    with rt.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Source))


def test_connection_test_reports_the_problem_and_saves_nothing(signed_in, rt, monkeypatch):
    monkeypatch.setattr(connect, "connector_classes", lambda: {"picky": Picky})
    client, _, csrf = signed_in(Role.manager)
    base = {"kind": "picky", "name": "Picky", "csrf_token": csrf, "action": "test"}
    page = client.post("/sources", data=base | {"credentials": "bad-token"}).text
    assert "Connection failed:" in page and "Picky refused the token (invalid_auth)" in page
    page = client.post("/sources", data=base | {"credentials": "good-token"}).text
    assert "incomplete settings" in page and "channel" in page
    page = client.post("/sources", data=base | {"credentials": "good-token", "settings_json": '{"channel": "#help"}'}).text
    assert "Connection works:" in page and "reading #help" in page
    assert "good-token" not in page  # credentials are never echoed back into the form
    page = client.post("/sources", data=base | {"settings_json": '{"channel": '}).text
    assert "settings: not valid JSON" in page
    assert _sources(rt) == 0


def test_connect_then_test_and_sync_now(signed_in, rt, monkeypatch, app):
    monkeypatch.setattr(connect, "connector_classes", lambda: {"picky": Picky})
    client, _, csrf = signed_in(Role.manager)
    r = client.post("/sources", data={"kind": "picky", "name": "Picky", "csrf_token": csrf, "action": "connect",
                                      "credentials": "good-token", "settings_json": '{"channel": "#help"}'},
                    follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        src = s.scalar(select(Source))
    assert rt.secrets.decrypt_json(src.credentials_encrypted) == {"token": "good-token"}
    page = client.post(f"/sources/{src.id}/test", data={"csrf_token": csrf}).text
    assert "Picky: signed in; reading #help" in page
    queue = app.state.jobs()
    before = queue.huey.pending_count()
    page = client.post(f"/sources/{src.id}/sync", data={"csrf_token": csrf}).text
    assert "Sync of Picky started" in page and queue.huey.pending_count() == before + 1


def test_health_is_shown_in_plain_words(signed_in, factory):
    factory.source("slack", name="Team Slack", health="failing", last_error="missing scope channels:history")
    client, _, _ = signed_in(Role.analyst)
    page = client.get("/sources").text
    assert "missing scope channels:history" in page and "Test connection" not in page
