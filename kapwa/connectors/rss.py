"""RSS 2.0 / Atom feeds: each entry becomes its own conversation. Read-only.

Fetched with httpx (never feedparser's own fetcher) so that Kapwa decides where it connects:

* only http and https; every address the host resolves to must be a public one — a feed URL that points
  at 127.0.0.1, 10.x, 169.254.x (cloud metadata), ::1, fc00::/7… is refused, on the first request and on
  every redirect. The connection then goes to the address that was checked (the host name is kept for the
  Host header and TLS), so a DNS answer that changes between check and connect cannot slip through.
  ``RssConnector.allow_private_addresses`` (tests) or a ``rss_allow_private_addresses`` setting (operators)
  lifts the rule; a source's own config cannot, since any manager can edit that.
* conditional GET: the ETag and Last-Modified of the last answer travel in the cursor; 304 stores nothing.
* at most 5 MB, 20 s, 5 redirects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import httpx

from kapwa.connectors import http_errors
from kapwa.connectors.base import (
    BaseConnector,
    Batch,
    Capability,
    ConnectorError,
    InboundAuthor,
    InboundItem,
    Unreachable,
)

log = logging.getLogger("kapwa.connectors.rss")

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
BATCH = 200
USER_AGENT = "Kapwa feed reader (+https://github.com/kapwa)"


# ------------------------------------------------------------------------------------- HTML → text

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "tr", "table", "section", "article",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "aside", "header", "footer", "figure", "figcaption"}
_SKIP = {"script", "style", "template", "noscript"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Platform HTML → readable plain text: tags dropped, blocks on their own lines, entities decoded.
    Shared by the Mastodon, Discourse and feed connectors."""
    if not html:
        return ""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ------------------------------------------------------------------------------------ safe fetching


class RefusedAddress(ConnectorError):
    """The feed URL leads somewhere Kapwa will not connect to; a person must change it."""

    transient = False


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_RSS_AUTHOR = re.compile(r"^\s*([^\s()@]+@[^\s()@]+)\s*(?:\((.*)\))?\s*$")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def _struct_to_dt(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


class RssConnector(BaseConnector):
    kind: ClassVar[str] = "rss"
    label: ClassVar[str] = "RSS / Atom feed"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.read})
    fields: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("url", "Feed URL", False), ("username", "User name (only for feeds behind a login)", False),
        ("password", "Password", True),
    )
    #: Tests against the loopback replay server switch this on; see the module docstring.
    allow_private_addresses: ClassVar[bool] = False

    def __init__(self, config, credentials, *, settings=None):
        super().__init__(config, credentials, settings=settings)
        self.url = str(self.config.get("url") or "").strip()
        self._http: httpx.Client | None = None

    # ------------------------------------------------------------------------------- connector API

    def test_connection(self) -> str:
        response, content = self._fetch(self.url, {})
        parsed = self._parse(content, response)
        title = parsed.feed.get("title") or http_errors.host_of(self.url)
        return f"Feed “{title}” with {len(parsed.entries)} entries"

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        state = self._load_cursor(cursor)
        headers = {}
        if state.get("url") == self.url:
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
        response, content = self._fetch(self.url, headers)
        if response.status_code == 304:
            log.info("feed %s not modified", http_errors.host_of(self.url))
            return
        parsed = self._parse(content, response)
        channel = (parsed.feed.get("title") or "").strip()[:200] or None
        items = [it for it in (self._item(e, parsed.feed, channel) for e in parsed.entries) if it]
        items.sort(key=lambda it: it.created_at)
        new_cursor = json.dumps({"url": self.url, "etag": response.headers.get("etag"),
                                 "last_modified": response.headers.get("last-modified")})
        if not items:
            yield Batch(cursor=new_cursor)
            return
        for start in range(0, len(items), BATCH):
            last = start + BATCH >= len(items)
            yield Batch(items=items[start:start + BATCH], cursor=new_cursor if last else None)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # --------------------------------------------------------------------------------------- fetch

    @staticmethod
    def _load_cursor(cursor: str | None) -> dict:
        if not cursor:
            return {}
        try:
            state = json.loads(cursor)
        except ValueError:
            return {}
        return state if isinstance(state, dict) else {}

    def _private_allowed(self) -> bool:
        return bool(type(self).allow_private_addresses
                    or getattr(self.settings, "rss_allow_private_addresses", False))

    def _check(self, url: str) -> tuple[str, str]:
        """(address to connect to, the checked URL) — or RefusedAddress / Unreachable in plain words."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise RefusedAddress(f"the feed URL {url[:200]!r} is not a valid address") from None
        if parts.scheme not in ("http", "https"):
            raise RefusedAddress("the feed URL must start with http:// or https://")
        host = parts.hostname
        if not host:
            raise RefusedAddress("the feed URL has no host name")
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise Unreachable(f"Could not find {host}: check the feed address.") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not self._private_allowed():
            for address in addresses:
                if not _is_public(address):
                    raise RefusedAddress(f"feed URL points to a private address ({address}); not allowed")
        ipv4 = [a for a in addresses if ":" not in a]
        return (ipv4 or addresses)[0], url

    def _client(self) -> httpx.Client:
        if self._http is None:
            # trust_env off: a proxy from the environment would resolve names itself and undo the check.
            self._http = httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                                      headers={"User-Agent": USER_AGENT,
                                               "Accept": "application/rss+xml, application/atom+xml, "
                                                         "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"})
        return self._http

    def _auth_for(self, url: str) -> httpx.BasicAuth | None:
        """The feed's login, only ever sent to the feed's own origin — never along a redirect elsewhere."""
        username = self.credentials.get("username") or self.config.get("username")
        if not username or _origin(url) != _origin(self.url):
            return None
        return httpx.BasicAuth(str(username), str(self.credentials.get("password") or ""))

    def _fetch(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        if not url:
            raise RefusedAddress("no feed URL is set for this source")
        label = f"The feed at {http_errors.host_of(url)}"
        for _hop in range(MAX_REDIRECTS + 1):
            address, url = self._check(url)
            parts = urlsplit(url)
            label = f"The feed at {parts.hostname}"
            netloc = f"[{address}]" if ":" in address else address
            if parts.port:
                netloc += f":{parts.port}"
            pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
            host_header = parts.hostname + (f":{parts.port}" if parts.port else "")
            extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
            try:
                with self._client().stream("GET", pinned, headers={**headers, "Host": host_header},
                                           auth=self._auth_for(url), extensions=extensions) as response:
                    if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("location"):
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code == 304:
                        return response, b""
                    if response.status_code >= 400:
                        response.read()
                        raise http_errors.error_for_response(response, label, what="feed")
                    content = self._read_limited(response, label)
                    return response, content
            except httpx.HTTPError as exc:
                raise http_errors.from_exception(exc, label, url=url) from exc
        raise http_errors.Rejected(f"{label} redirects more than {MAX_REDIRECTS} times; check the address.")

    @staticmethod
    def _read_limited(response: httpx.Response, label: str) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise http_errors.Rejected(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                                           "Kapwa reads smaller feeds only.")
            chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, content: bytes, response: httpx.Response):
        parsed = feedparser.parse(content, response_headers={
            "content-type": response.headers.get("content-type", "application/xml"),
            "content-location": self.url,
        })
        if not parsed.entries and parsed.get("bozo") and not parsed.feed.get("title"):
            kind = response.headers.get("content-type", "unknown").split(";")[0]
            raise http_errors.Rejected(f"The address did not return an RSS or Atom feed (it sent {kind}).")
        return parsed

    # --------------------------------------------------------------------------------------- items

    def _item(self, entry, feed, channel: str | None) -> InboundItem | None:
        link = entry.get("link")
        pid = entry.get("id") or link
        if not pid:
            basis = f"{entry.get('title', '')}|{entry.get('published', '')}|{entry.get('summary', '')[:200]}"
            pid = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
        published = _struct_to_dt(dict.get(entry, "published_parsed"))
        updated = _struct_to_dt(dict.get(entry, "updated_parsed"))  # dict.get: no feedparser fallback magic
        created = published or updated or _struct_to_dt(dict.get(feed, "updated_parsed")) or dt.datetime.now(dt.UTC)
        html = None
        if entry.get("content"):
            html = entry.content[0].get("value")
        html = html or entry.get("summary") or None
        title = (entry.get("title") or "").strip() or None
        text = html_to_text(html) if html else ""
        return InboundItem(
            platform_message_id=str(pid)[:300], created_at=created, text=text or (title or ""),
            author=self._author(entry, feed), kind="post", thread_id=str(pid)[:300], title=title,
            channel=channel, url=link, thread_url=link, html=html,
            edited_at=updated if published and updated and updated > published else None,
            raw={"id": entry.get("id"), "link": link, "feed": self.url,
                 "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")]},
        )

    @staticmethod
    def _author(entry, feed) -> InboundAuthor | None:
        detail: dict[str, Any] = entry.get("author_detail") or feed.get("author_detail") or {}
        name = detail.get("name") or entry.get("author") or feed.get("author")
        email = detail.get("email")
        href = detail.get("href")
        # RSS 2.0 <author>email (Name)</author>: feedparser cuts top-level domains after four letters.
        written = _RSS_AUTHOR.match(entry.get("author") or "")
        if written:
            email, name = written.group(1), (written.group(2) or "").strip() or name
        key = email or href or name
        if not key:
            return None
        return InboundAuthor(platform_user_id=str(key)[:200], handle=None, display_name=name or email,
                             email=email, profile_url=href)
