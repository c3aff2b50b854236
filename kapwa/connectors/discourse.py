"""Discourse forums over the REST API (httpx, ``Api-Key`` + ``Api-Username`` headers).

Reads topics bumped since the cursor from ``/latest.json`` (following ``more_topics_url``) and, with config
``private_messages`` (on by default), the API user's ``/topics/private-messages/{username}.json``; each topic
is read with ``/t/{id}.json`` (posts beyond its first chunk through ``/t/{id}/posts.json?post_ids[]=``).
Topics are stored oldest bump first, each with a cursor ``{"bumped_at", "topics": {id: highest post number}}``
that already covers it, so an interrupted sync resumes where it stopped and never stores a post twice.

A topic is a conversation (thread id = topic id, title, channel = category name from ``/categories.json``);
a post's parent is the post whose ``post_number`` its ``reply_to_post_number`` names. Private messages are
direct conversations. Replies and new topics go through ``POST /posts.json``; moderation deletes a post
(``DELETE /posts/{id}.json``), hides it (a staff flag that takes action at once, ``POST /post_actions.json``)
or unhides it (``PUT /posts/{id}/unhide.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx

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
from kapwa.connectors.rss import html_to_text

log = logging.getLogger("kapwa.connectors.discourse")

PLATFORM = "Discourse"
MAX_PAGES = 10
MAX_POSTS_PER_TOPIC = 500
CHUNK = 20
KEEP_TOPICS = 2000  # topics remembered in the cursor
SMALL_ACTION = 3  # "closed this topic", "split this topic"… — not messages
FLAG_INAPPROPRIATE = 4
# Discourse's error_type → what a person should know.
ERROR_TYPES = {
    "invalid_access": "the API key or user may not see this",
    "not_logged_in": "the API key was not accepted",
    "rate_limit": "too many requests",
    "read_only": "the forum is in read-only mode",
}


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(value)
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


class DiscourseConnector(BaseConnector):
    kind: ClassVar[str] = "discourse"
    label: ClassVar[str] = "Discourse"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.read, Capability.reply, Capability.publish, Capability.moderate})
    fields: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("base_url", "Forum URL, e.g. https://forum.example.org", False),
        ("api_username", "API user name", False),
        ("api_key", "API key (Admin → API → New key)", True),
    )

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.base_url = str(self.config.get("base_url") or "").rstrip("/")
        self.username = str(self.credentials.get("api_username") or self.config.get("api_username") or "system")
        self._http: httpx.Client | None = None
        self._categories: dict[int, str] | None = None

    # ------------------------------------------------------------------------------------- plumbing

    def http(self) -> httpx.Client:
        if self._http is None:
            if urlsplit(self.base_url).scheme not in ("http", "https"):
                raise ConnectorError("Set the forum URL of the Discourse site, e.g. https://forum.example.org")
            if not self.credentials.get("api_key"):
                raise AuthError("No Discourse API key is set for this source.")
            self._http = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(30.0, connect=10.0),
                                      headers={"Api-Key": self.credentials["api_key"],
                                               "Api-Username": self.username, "Accept": "application/json",
                                               "User-Agent": "Kapwa"})
        return self._http

    def _request(self, method: str, path: str, *, what: str | None = None, **kwargs) -> Any:
        try:
            response = self.http().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise http_errors.from_exception(exc, PLATFORM, url=self.base_url) from exc
        if response.status_code >= 400:
            raise self._error(response, what)
        if response.is_redirect:  # not followed: the API key must not travel to another address
            where = response.headers.get("location", "another address")
            raise http_errors.Rejected(f"Discourse sent Kapwa on to {where[:200]}; put the forum's own address "
                                       "(as in that link) in the source settings.")
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"Discourse sent something other than JSON for {path}; "
                                 "is the forum URL right?") from None

    @staticmethod
    def _error(response: httpx.Response, what: str | None) -> ConnectorError:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        detail = http_errors.platform_detail(body)
        if isinstance(body, dict) and body.get("error_type") in ERROR_TYPES and not detail:
            detail = ERROR_TYPES[body["error_type"]]
        if isinstance(body, dict) and body.get("error_type") == "read_only":
            return http_errors.error_for_status(503, PLATFORM, headers=response.headers, detail=detail)
        hint = "It may have been deleted." if what == "post" else "Check the address in the source settings."
        return http_errors.error_for_response(response, PLATFORM, what=what, detail=detail, hint=hint)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def test_connection(self) -> str:
        about = self._request("GET", f"/u/{self.username}.json", what="user")
        user = about.get("user") or {}
        return f"Signed in to {http_errors.host_of(self.base_url)} as @{user.get('username', self.username)}"

    def categories(self) -> dict[int, str]:
        if self._categories is None:
            found: dict[int, str] = {}
            try:
                data = self._request("GET", "/categories.json", params={"include_subcategories": "true"})
            except http_errors.NotFound:
                data = {}

            def walk(cats):
                for c in cats or []:
                    found[int(c["id"])] = c.get("name") or str(c["id"])
                    walk(c.get("subcategory_list"))

            walk((data.get("category_list") or {}).get("categories"))
            self._categories = found
        return self._categories

    # ---------------------------------------------------------------------------------------- reading

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        try:
            state = json.loads(cursor) if cursor else {}
        except ValueError:
            log.warning("unreadable Discourse cursor %r; starting from the newest", cursor[:80])
            state = {}
        if not isinstance(state, dict) or not isinstance(state.get("topics", {}), dict):
            state = {}
        state.setdefault("topics", {})
        lists = [("/latest.json", "bumped_at", False)]
        if self.config.get("private_messages", True):
            lists.append((f"/topics/private-messages/{self.username}.json", "pm_bumped_at", True))
        for path, mark, direct in lists:
            since = _time(state.get(mark))
            try:
                todo = self._changed_topics(path, since, state["topics"])
            except AuthError as exc:
                if not direct:
                    raise
                # A key that may read the forum but not this user's messages still syncs the forum.
                log.warning("private messages of %s skipped: %s", self.username, exc.message)
                continue
            for topic in sorted(todo, key=lambda t: (_time(t.get("bumped_at")) or dt.datetime.min.replace(
                    tzinfo=dt.UTC), t["id"])):
                key = str(topic["id"])
                try:
                    items, highest = self._topic_items(topic["id"], state["topics"].get(key, 0), since, direct)
                except http_errors.NotFound:  # deleted between the listing and now
                    log.info("topic %s vanished before it could be read; skipped", key)
                    items, highest = [], 0
                state["topics"][key] = max(highest, state["topics"].get(key, 0))
                if topic.get("bumped_at") and (since is None or _time(topic["bumped_at"]) > since):
                    state[mark] = topic["bumped_at"]
                self._trim(state)
                yield Batch(items=items, cursor=json.dumps(state, sort_keys=True))

    @staticmethod
    def _trim(state: dict) -> None:
        topics = state["topics"]
        if len(topics) > KEEP_TOPICS:
            for key in sorted(topics, key=int)[: len(topics) - KEEP_TOPICS]:
                del topics[key]

    def _changed_topics(self, path: str, since: dt.datetime | None, known: dict) -> list[dict]:
        found: dict[int, dict] = {}
        params: dict[str, str] = {}
        pages = MAX_PAGES if since else int(self.config.get("backfill_pages", 1))
        for _ in range(max(1, pages)):
            data = self._request("GET", path, params=params, what="topic list")
            topic_list = data.get("topic_list") or {}
            topics = topic_list.get("topics") or []
            older = 0
            for t in topics:
                bumped = _time(t.get("bumped_at"))
                newer = since is None or (bumped is not None and bumped > since)
                grown = str(t["id"]) in known and t.get("highest_post_number", 0) > known[str(t["id"])]
                if newer or grown:
                    found[t["id"]] = t
                elif not t.get("pinned"):
                    older += 1  # the list is newest bump first: the rest is older still
            more = topic_list.get("more_topics_url")
            if older or not more or not topics:
                break
            params = dict(parse_qsl(urlsplit(more).query))
        else:
            if since:
                log.warning("more than %d pages of bumped topics in %s; older ones may be missed", MAX_PAGES, path)
        return list(found.values())

    def _topic_items(self, topic_id: int, known_highest: int, since: dt.datetime | None,
                     direct: bool) -> tuple[list[InboundItem], int]:
        topic = self._request("GET", f"/t/{topic_id}.json", what="topic")
        stream = topic.get("post_stream") or {}
        posts = {p["id"]: p for p in stream.get("posts") or []}
        missing = [pid for pid in stream.get("stream") or [] if pid not in posts]
        if known_highest:
            # Only the tail can hold posts newer than the ones already stored (ids grow with time).
            new = max(0, int(topic.get("highest_post_number") or 0) - known_highest)
            missing = missing[-(new + 5):] if new else []
        missing = missing[-MAX_POSTS_PER_TOPIC:]
        for start in range(0, len(missing), CHUNK):
            ids = missing[start:start + CHUNK]
            more = self._request("GET", f"/t/{topic_id}/posts.json", params={"post_ids[]": ids}, what="posts")
            for p in (more.get("post_stream") or {}).get("posts") or []:
                posts[p["id"]] = p
        by_number = {p["post_number"]: p["id"] for p in posts.values()}
        items, highest = [], known_highest
        for p in sorted(posts.values(), key=lambda p: p["post_number"]):
            highest = max(highest, p["post_number"])
            edited = _time(p.get("updated_at")) if int(p.get("version") or 1) > 1 else None
            is_new = p["post_number"] > known_highest
            if p.get("post_type") == SMALL_ACTION or not (is_new or (edited and since and edited > since)):
                continue
            parent_no = p.get("reply_to_post_number")
            parent = by_number.get(parent_no) if parent_no else (by_number.get(1) if p["post_number"] > 1 else None)
            if parent_no and parent is None:
                parent = self._post_id_by_number(topic_id, parent_no)
            items.append(self._item(p, topic, parent, edited, direct))
        return items, highest

    def _post_id_by_number(self, topic_id: int, number: int) -> int | None:
        try:
            post = self._request("GET", f"/posts/by_number/{topic_id}/{number}.json", what="post")
        except http_errors.NotFound:
            return None
        return post.get("id")

    def _item(self, p: dict, topic: dict, parent: int | None, edited: dt.datetime | None,
              direct: bool) -> InboundItem:
        slug = topic.get("slug") or p.get("topic_slug") or "topic"
        thread_url = f"{self.base_url}/t/{slug}/{topic['id']}"
        category = topic.get("category_id")
        channel = None if direct or category is None else self.categories().get(int(category), f"category {category}")
        cooked = p.get("cooked") or ""
        return InboundItem(
            platform_message_id=str(p["id"]), created_at=_time(p["created_at"]),
            text=html_to_text(cooked), author=self._author(p),
            kind="direct" if direct else ("post" if p["post_number"] == 1 else "reply"),
            direction="outbound" if (p.get("username") or "").lower() == self.username.lower() else "inbound",
            thread_id=str(topic["id"]), parent_id=str(parent) if parent else None,
            title=topic.get("title"), channel=channel, url=f"{thread_url}/{p['post_number']}",
            thread_url=thread_url, html=cooked or None, is_direct=direct, edited_at=edited,
            deleted=bool(p.get("deleted_at") or p.get("user_deleted")),
            raw={"topic_id": topic["id"], "post_number": p["post_number"],
                 "reply_to_post_number": p.get("reply_to_post_number"), "version": p.get("version"),
                 "hidden": p.get("hidden"), "post_type": p.get("post_type"), "markdown": p.get("raw")},
        )

    def _author(self, p: dict) -> InboundAuthor:
        avatar = p.get("avatar_template")
        if avatar:
            avatar = avatar.replace("{size}", "96")
            avatar = avatar if avatar.startswith(("http://", "https://")) else f"{self.base_url}{avatar}"
        username = p.get("username") or str(p.get("user_id"))
        return InboundAuthor(
            platform_user_id=str(p.get("user_id", username)), handle=username,
            display_name=p.get("name") or username, profile_url=f"{self.base_url}/u/{username}",
            avatar_url=avatar, is_bot=int(p.get("user_id") or 0) < 0,
            raw={"username": username, "trust_level": p.get("trust_level"), "moderator": p.get("moderator"),
                 "admin": p.get("admin")},
        )

    # ---------------------------------------------------------------------------------------- writing

    def _sent(self, post: dict) -> Sent:
        slug = post.get("topic_slug") or "topic"
        return Sent(platform_message_id=str(post["id"]),
                    url=f"{self.base_url}/t/{slug}/{post['topic_id']}/{post['post_number']}",
                    created_at=_time(post.get("created_at")),
                    raw={"topic_id": post["topic_id"], "post_number": post["post_number"]})

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        body: dict[str, Any] = {"raw": text}
        if parent_id:
            parent = self._request("GET", f"/posts/{parent_id}.json", what="post")
            body["topic_id"] = parent["topic_id"]
            body["reply_to_post_number"] = parent["post_number"]
        elif thread_id:
            body["topic_id"] = int(thread_id)
        else:
            raise http_errors.Rejected("A Discourse reply needs the topic or post it answers.")
        return self._sent(self._request("POST", "/posts.json", json=body, what="topic"))

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        if not title:
            raise http_errors.Rejected("A new Discourse topic needs a title.")
        body: dict[str, Any] = {"title": title, "raw": text}
        category = channel or self.config.get("default_category")
        if category:
            names = {name.lower(): cid for cid, name in self.categories().items()}
            cat = str(category)
            body["category"] = int(cat) if cat.isdigit() else names.get(cat.lower())
            if body["category"] is None:
                raise http_errors.Rejected(f"Discourse has no category called {cat!r}.")
        return self._sent(self._request("POST", "/posts.json", json=body, what="category"))

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        pid = int(platform_message_id)
        if action == "delete":
            self._request("DELETE", f"/posts/{pid}.json", what="post")
        elif action == "hide":
            body = {"id": pid, "post_action_type_id": FLAG_INAPPROPRIATE, "take_action": "true"}
            if reason:
                body["message"] = reason
            self._request("POST", "/post_actions.json", json=body, what="post")
        elif action == "unhide":
            self._request("PUT", f"/posts/{pid}/unhide.json", what="post")
        else:
            raise http_errors.Rejected(f"Discourse moderation can delete, hide or unhide a post, not {action!r}.")
