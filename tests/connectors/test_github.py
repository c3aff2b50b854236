"""GitHub contract tests: PyGithub talks to a local server replaying GitHub's documented REST JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kapwa.connectors.base import AuthError, NotSupported, RateLimited, Unreachable
from kapwa.connectors.github import GitHubConnector
from kapwa.connectors.http_errors import NotFound
from kapwa.core.models import Conversation, Identity, Message
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import opened, stored_connector

REPO = "kapwa-ph/app"
CREDS = {"token": "ghp_kapwaTestToken0123456789abcdefABCD", "webhook_secret": "It's a Secret to Everybody"}


def connector(srv, creds=CREDS, **config) -> GitHubConnector:
    config = {"repos": [REPO], "api_url": srv.base_url, "throttle": 0, **config}
    return opened(GitHubConnector(config, dict(creds)))


def test_sync_reads_issues_pull_requests_and_comments_page_by_page(rt, factory, replay):
    srv = replay("github/user.json", "github/issues.json")
    src = factory.source("github", credentials_encrypted=rt.secrets.encrypt_json(CREDS),
                         config={"repos": [REPO], "api_url": srv.base_url, "throttle": 0})
    conn = stored_connector(rt, src.id, GitHubConnector)
    out = sync_source(rt, src.id, connector=conn, analyze=False)
    assert out.ok and not srv.unmatched, (out.error, srv.unmatched)
    assert all(r.headers["authorization"] == "token " + CREDS["token"] for r in srv.received)
    # The second page is followed through the Link header; no issue is fetched one by one.
    assert [r.path for r in srv.received] == ["/user", f"/repos/{REPO}/issues", "/repositories/555001/issues",
                                              f"/repos/{REPO}/issues/comments"]
    with rt.db.sessions() as s:
        msgs = {m.platform_message_id: m for m in s.scalars(select(Message))}
        assert set(msgs) == {f"{REPO}#12", f"{REPO}#13", f"{REPO}#14", f"{REPO}#comment-501", f"{REPO}#comment-502"}
        issue, ours, thanks = msgs[f"{REPO}#12"], msgs[f"{REPO}#comment-501"], msgs[f"{REPO}#comment-502"]
        assert issue.conversation_id == ours.conversation_id == thanks.conversation_id
        assert ours.parent_id == issue.id and ours.direction == "outbound"
        assert thanks.edited_at is not None and thanks.url.endswith("/issues/12#issuecomment-502")
        conv = s.get(Conversation, issue.conversation_id)
        assert (conv.title, conv.channel) == ("Cash-in sa 7-Eleven hindi gumagana", REPO)
        assert conv.first_response_at == ours.created_at
        assert msgs[f"{REPO}#13"].url == f"https://github.com/{REPO}/pull/13"
        bot = s.scalar(select(Identity).where(Identity.handle == "dependabot[bot]"))
        assert bot.platform_user_id == "49699333"

    again = sync_source(rt, src.id, connector=conn, analyze=False)
    assert again.ok and again.result.inserted == 1, (again.error, srv.unmatched)
    since = {r.path: r.query["since"] for r in srv.received[-2:]}
    assert since == {f"/repos/{REPO}/issues": "2024-05-01T10:00:00Z",
                     f"/repos/{REPO}/issues/comments": "2024-05-01T09:05:00Z"}
    conn.close()


def test_connection_names_account_and_repositories(replay):
    srv = replay("github/user.json", "github/repo.json")
    assert connector(srv).test_connection() == f"Signed in to GitHub as kapwa-bot; reading {REPO}"
    srv = replay("github/unauthorized.json")
    with pytest.raises(AuthError) as raised:
        connector(srv).test_connection()
    assert raised.value.message.startswith("GitHub did not accept the credentials (HTTP 401: Bad credentials)")


@pytest.mark.parametrize(("repo", "error", "message"), [
    ("kapwa-ph/missing", NotFound, "GitHub has no such repository kapwa-ph/missing (HTTP 404: Not Found)"),
    ("kapwa-ph/busy", RateLimited, "GitHub asked Kapwa to slow down (HTTP 403); trying again in 60 seconds"),
    ("kapwa-ph/down", Unreachable, "GitHub is having trouble right now (HTTP 502: Server Error)"),
])
def test_http_errors_become_plain_connector_errors(replay, repo, error, message):
    srv = replay("github/user.json", "github/errors.json")
    with pytest.raises(error) as raised:
        list(connector(srv, repos=[repo]).fetch(None))
    assert message in raised.value.message
    assert raised.value.transient is (error is not NotFound)  # a wrong name waits for a person
    if error is RateLimited:
        assert raised.value.retry_after == 60.0


def test_reply_comments_on_the_issue_and_publish_opens_one(replay):
    srv = replay("github/write.json")
    c = connector(srv)
    sent = c.reply(f"{REPO}#12", f"{REPO}#comment-502", "Salamat sa report! Naayos na sa 4.2.2.")
    assert sent.platform_message_id == f"{REPO}#comment-504"
    assert sent.url == f"https://github.com/{REPO}/issues/12#issuecomment-504"
    opened = c.publish("Sa Sabado, 10 PM hanggang 12 AM.", title="Maintenance sa Sabado")
    assert (opened.platform_message_id, opened.url) == (f"{REPO}#15", f"https://github.com/{REPO}/issues/15")
    assert not srv.unmatched and [r.method for r in srv.received] == ["POST", "POST"]  # nothing fetched first
    with pytest.raises(NotSupported):
        c.moderate(f"{REPO}#comment-502", "delete")
