"""GitHub through PyGithub: issues (pull requests included, as GitHub lists them) and issue comments of the
configured repositories, read with ``since`` so each sync asks only for what changed; comments and issues
can be answered and opened from Kapwa. Discussions (GraphQL only) are not read.

Ids: an issue is ``"owner/repo#12"`` and is also its conversation's thread; a comment is
``"owner/repo#comment-345"`` with the issue as its parent.
Config: ``repos`` (``owner/name``), ``backfill_days`` (how far back the first sync reads, default 30),
``throttle`` (seconds between API calls, PyGithub's default 0.25), ``api_url`` (GitHub Enterprise:
``https://host/api/v3``). Credentials: ``token``; ``webhook_secret`` (for the webhook).
The cursor is JSON: per repository the newest ``updated_at`` seen for issues and for comments.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import requests
from github import Auth, Github, GithubException
from github.GithubException import RateLimitExceededException

from kapwa.connectors import http_errors
from kapwa.connectors.base import (
    AuthError,
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    InboundAuthor,
    InboundItem,
    Sent,
)

log = logging.getLogger("kapwa.connectors.github")
PAGE = 100


def translate(exc: BaseException, what: str = "this") -> ConnectorError | None:
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, GithubException):
        headers = dict(exc.headers or {})
        if isinstance(exc, RateLimitExceededException) and not http_errors.retry_after_seconds(headers):
            headers.setdefault("Retry-After", "60")  # a secondary limit without a hint: GitHub asks for a minute
        return http_errors.error_for_status(exc.status, "GitHub", headers=headers,
                                            detail=http_errors.platform_detail(exc.data), what=what)
    if isinstance(exc, (requests.RequestException, OSError)):
        return http_errors.from_exception(exc, "GitHub")
    return None


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC)


def _author(user: dict | None) -> InboundAuthor | None:
    if not user or user.get("id") is None:
        return None
    return InboundAuthor(platform_user_id=str(user["id"]), handle=user.get("login"), display_name=user.get("login"),
                         profile_url=user.get("html_url"), avatar_url=user.get("avatar_url"),
                         is_bot=user.get("type") == "Bot")


def issue_item(repo: str, issue: dict, me: str | None = None, *, deleted: bool = False) -> InboundItem:
    """An issue (or pull request) as a dict shaped like the REST/webhook JSON."""
    key = f"{repo}#{issue['number']}"
    login = (issue.get("user") or {}).get("login")
    return InboundItem(
        platform_message_id=key, created_at=_when(issue["created_at"]), text=issue.get("body") or "",
        author=_author(issue.get("user")), kind="post", direction="outbound" if me and login == me else "inbound",
        thread_id=key, title=issue.get("title"), channel=repo, url=issue.get("html_url"), deleted=deleted,
        raw={"number": issue["number"], "state": issue.get("state"),
             "pull_request": "/pull/" in (issue.get("html_url") or "")})


def comment_item(repo: str, comment: dict, me: str | None = None, *, deleted: bool = False) -> InboundItem:
    number = int(str(comment["issue_url"]).rstrip("/").rsplit("/", 1)[1])
    issue = f"{repo}#{number}"
    login = (comment.get("user") or {}).get("login")
    edited = _when(comment["updated_at"]) if comment.get("updated_at") != comment.get("created_at") else None
    return InboundItem(
        platform_message_id=f"{repo}#comment-{comment['id']}", created_at=_when(comment["created_at"]),
        text=comment.get("body") or "", author=_author(comment.get("user")), kind="comment",
        direction="outbound" if me and login == me else "inbound", thread_id=issue, parent_id=issue, channel=repo,
        url=comment.get("html_url"), edited_at=edited, deleted=deleted, raw={"id": comment["id"]})


def _user(u) -> dict | None:
    if u is None:
        return None
    return {"id": u.id, "login": u.login, "html_url": u.html_url, "avatar_url": u.avatar_url, "type": u.type}


def _issue_dict(i) -> dict:
    """Only attributes every listed issue carries: anything else would make PyGithub fetch the issue again."""
    return {"number": i.number, "title": i.title, "body": i.body, "html_url": i.html_url, "state": i.state,
            "created_at": i.created_at, "updated_at": i.updated_at, "user": _user(i.user)}


def _comment_dict(c) -> dict:
    return {"id": c.id, "body": c.body, "html_url": c.html_url, "issue_url": c.issue_url, "created_at": c.created_at,
            "updated_at": c.updated_at, "user": _user(c.user)}


class GitHubConnector(BaseConnector):
    kind: ClassVar[str] = "github"
    label: ClassVar[str] = "GitHub"
    capabilities = frozenset({Capability.read, Capability.reply, Capability.publish, Capability.webhook})
    fields = (("token", "Access token", True), ("webhook_secret", "Webhook secret", True))

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self._gh: Github | None = None
        self._me: str | None = None

    @property
    def gh(self) -> Github:
        if self._gh is None:
            if not self.credentials.get("token"):
                raise AuthError("GitHub needs an access token")
            throttle = float(self.config.get("throttle", 0.25))
            kw: dict[str, Any] = {
                "auth": Auth.Token(self.credentials["token"]), "per_page": PAGE, "lazy": True,
                "retry": None,  # the sync engine backs off and honours Retry-After; PyGithub would sleep in place
                "seconds_between_requests": throttle or None, "seconds_between_writes": max(throttle, 1.0) if throttle else None,
                "timeout": int(self.config.get("timeout", 30)),
            }
            if self.config.get("api_url"):
                kw["base_url"] = self.config["api_url"].rstrip("/")
            self._gh = Github(**kw)
        return self._gh

    def _call(self, fn, *args, what: str = "this", **kw):
        with http_errors.translating(translate, what):
            return fn(*args, **kw)

    def _own_login(self) -> str:
        if self._me is None:
            self._me = self._call(lambda: self.gh.get_user().login, what="the token's account")
        return self._me

    def test_connection(self) -> str:
        login = self._own_login()
        repos = [str(r) for r in self.config.get("repos", [])]
        for name in repos:
            self._call(lambda n=name: self.gh.get_repo(n).full_name, what=f"repository {name}")
        return f"Signed in to GitHub as {login}" + (f"; reading {', '.join(repos)}" if repos else "")

    # ------------------------------------------------------------------------------------------ reading

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state: dict[str, dict[str, str]] = json.loads(cursor) if cursor else {}
        me = self._own_login()
        first = dt.datetime.now(dt.UTC) - dt.timedelta(days=float(self.config.get("backfill_days", 30)))
        for name in (str(r) for r in self.config.get("repos", [])):
            st = state.setdefault(name, {})
            repo = self.gh.get_repo(name)
            streams = (
                ("issues", lambda since, repo=repo: repo.get_issues(state="all", sort="updated", direction="asc", since=since),
                 _issue_dict, issue_item),
                ("comments", lambda since, repo=repo: repo.get_issues_comments(sort="updated", direction="asc", since=since),
                 _comment_dict, comment_item),
            )
            for key, listing, as_dict, as_item in streams:
                since = _when(st[key]) if st.get(key) else first
                pages = self._call(listing, since, what=f"repository {name}")
                for chunk in self._chunks(pages, what=f"repository {name}"):
                    rows = [as_dict(x) for x in chunk]
                    st[key] = max(_when(r["updated_at"]) for r in rows).isoformat()
                    log.info("github %s %s: %d", name, key, len(rows))
                    yield Batch(items=[as_item(name, r, me) for r in rows], cursor=json.dumps(state, sort_keys=True))

    def _chunks(self, paginated: Iterable, what: str) -> Iterator[list]:
        """PyGithub pages lazily (following the Link header); hand them over a page at a time."""
        it = iter(paginated)
        while True:
            chunk = []
            for _ in range(PAGE):
                item = self._call(next, it, None, what=what)
                if item is None:
                    break
                chunk.append(item)
            if chunk:
                yield chunk
            if len(chunk) < PAGE:
                return

    @classmethod
    def items_from_webhook(cls, payload: dict) -> Batch:
        """``issues`` and ``issue_comment`` deliveries; anything else (``ping`` included) carries no message."""
        repo = (payload.get("repository") or {}).get("full_name")
        action = payload.get("action")
        if not repo or "issue" not in payload:
            return Batch()
        if "comment" in payload:
            return Batch(items=[comment_item(repo, payload["comment"], deleted=action == "deleted")])
        return Batch(items=[issue_item(repo, payload["issue"], deleted=action == "deleted")])

    # ------------------------------------------------------------------------------------------ writing

    def _issue(self, ref: str):
        name, _, number = ref.partition("#")
        if not name or not number.isdigit():
            raise ConnectorError(f"not a GitHub issue: {ref!r} (expected owner/repo#number)")
        return name, self.gh.get_repo(name).get_issue(int(number))

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        """A comment on the issue (GitHub comments are flat: the parent is always the issue)."""
        ref = thread_id or (parent_id.split("#comment-")[0] if parent_id else None)
        if not ref:
            raise ConnectorError("nothing to reply to: no GitHub issue given")
        name, issue = self._issue(ref)
        c = self._call(issue.create_comment, text, what=f"issue {ref}")
        return Sent(platform_message_id=f"{name}#comment-{c.id}", url=c.html_url, created_at=_when(c.created_at),
                    raw={"id": c.id})

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        name = channel or next(iter(self.config.get("repos", [])), None)
        if not name:
            raise ConnectorError("publishing on GitHub needs a repository")
        lines = text.strip().splitlines()
        title = (title or (lines[0] if lines else ""))[:256]
        if not title:
            raise ConnectorError("a GitHub issue needs a title")
        issue = self._call(lambda: self.gh.get_repo(name).create_issue(title=title, body=text),
                           what=f"repository {name}")
        return Sent(platform_message_id=f"{name}#{issue.number}", url=issue.html_url,
                    created_at=_when(issue.created_at), raw={"number": issue.number})

    def close(self) -> None:
        if self._gh is not None:
            self._gh.close()
            self._gh = None
