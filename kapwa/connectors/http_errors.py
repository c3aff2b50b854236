"""HTTP failures → :class:`ConnectorError`s in plain words, for any connector.

Every connector talks to a platform over HTTP one way or another (httpx, requests inside a client library,
or a library that only hands back a status code and a body). This module turns what went wrong into the
one-line message the sources page shows, and picks the right error class so the sync engine backs off
correctly (``transient`` errors are retried with backoff; the others wait for a person)::

    from kapwa.connectors import http_errors

    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise http_errors.from_exception(exc, "Discourse") from exc
    http_errors.raise_for_status(response, "Discourse", what="topic")

``retry_after_seconds`` understands ``Retry-After`` (seconds or an HTTP date), ``X-RateLimit-Reset`` and
``RateLimit-Reset`` / ``ratelimit-reset`` (epoch seconds, seconds from now, or an ISO 8601 time as Mastodon
sends it) and ``X-RateLimit-Reset-After``; times are measured against the response's own ``Date`` header
when it has one, so a platform whose clock differs from ours still gets the wait it asked for.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from kapwa.connectors.base import AuthError, ConnectorError, RateLimited, Unreachable

MAX_RETRY_AFTER = 24 * 3600.0  # a platform asking for more than a day is treated as asking for a day
_DETAIL_LIMIT = 200


class NotFound(ConnectorError):
    """The platform has no such thing (HTTP 404/410): a person must fix the address or the id."""

    transient = False


class Rejected(ConnectorError):
    """The platform refused the request itself (HTTP 400/409/413/422…): retrying the same thing won't help."""

    transient = False


# ------------------------------------------------------------------------------------------ rate limits


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                value = val
                break
    return None if value is None else str(value).strip()


def _server_now(headers: Mapping[str, Any] | None, now: float | None) -> float:
    """The platform's idea of 'now' (its Date header), so resets in its clock become the right delays."""
    if now is not None:
        return now
    date = _header(headers, "Date")
    if date:
        try:
            return email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return time.time()


def _reset_to_delay(value: str, server_now: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.timestamp() - server_now
    if not math.isfinite(number):
        return None
    # Epoch seconds (GitHub, Bluesky, Discord) vs. seconds from now (IETF RateLimit draft).
    return number - server_now if number > 1e9 else number


def retry_after_seconds(headers: Mapping[str, Any] | None, *, now: float | None = None) -> float | None:
    """Seconds the platform asked us to wait, from whichever rate-limit header it sent; None if none."""
    server_now = _server_now(headers, now)
    delay: float | None = None
    retry_after = _header(headers, "Retry-After")
    if retry_after:
        try:
            delay = float(retry_after)
        except ValueError:
            try:
                delay = email.utils.parsedate_to_datetime(retry_after).timestamp() - server_now
            except (TypeError, ValueError, IndexError):
                delay = None
    if delay is None:
        after = _header(headers, "X-RateLimit-Reset-After")
        if after:
            try:
                delay = float(after)
            except ValueError:
                delay = None
    if delay is None:
        for name in ("RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"):
            value = _header(headers, name)
            if value:
                delay = _reset_to_delay(value, server_now)
                if delay is not None:
                    break
    if delay is None or math.isnan(delay):
        return None
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


def in_words(seconds: float | None) -> str:
    """'45 seconds', 'about 2 minutes', 'about 3 hours' — for messages people read."""
    if seconds is None:
        return "a while"
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 90 * 60:
        minutes = round(seconds / 60)
        return f"about {minutes} minutes"
    hours = round(seconds / 3600)
    return f"about {hours} hour{'s' if hours != 1 else ''}"


# --------------------------------------------------------------------------------------- status codes


def platform_detail(body: Any) -> str | None:
    """The platform's own explanation from an error body, cleaned and shortened; None if there is none.

    Knows the common shapes: ``{"error": "…"}`` (Mastodon, OAuth), ``{"error": "Code", "message": "…"}``
    (AT Protocol XRPC), ``{"errors": ["…"]}`` (Discourse, Rails), ``{"message": "…"}`` (GitHub),
    ``{"error_description": "…"}``, ``{"detail": "…"}``; short plain text; never an HTML page.
    """
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        if not text:
            return None
        if text[:1] in "{[":
            try:
                return platform_detail(json.loads(text))
            except ValueError:
                pass
        if "<" in text[:200] and ">" in text[:200]:
            return None  # an HTML error page says nothing useful in one line
        return _clean(text)
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return _clean("; ".join(str(e) for e in errors if e))
        if isinstance(errors, str):
            return _clean(errors)
        for key in ("message", "error_description", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return _clean(value)
            if isinstance(value, dict):
                nested = platform_detail(value)
                if nested:
                    return nested
    return None


def _clean(text: str) -> str | None:
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # terminal colour codes
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1].rstrip() + "…"


def error_for_status(status: int, platform: str, *, headers: Mapping[str, Any] | None = None,
                     detail: str | None = None, what: str | None = None,
                     hint: str = "Check the address in the source settings.") -> ConnectorError:
    """The ConnectorError for an HTTP status, with the platform's own words appended when it gave some.

    ``what`` names the missing thing in a 404 ("topic", "feed"); ``hint`` is the advice after it — the default
    suits lists and addresses, while a single post looked up by id is better told "It may have been deleted."
    """
    said = f": {detail}" if detail else ""
    if status == 429 or (status == 403 and _looks_rate_limited(headers)):
        wait = retry_after_seconds(headers)
        when = f"trying again in {in_words(wait)}" if wait is not None else "trying again later"
        return RateLimited(f"{platform} asked Kapwa to slow down (HTTP {status}); {when}.", retry_after=wait)
    if status == 401:
        return AuthError(f"{platform} did not accept the credentials (HTTP 401{said}). "
                         "Check the token or password and connect the source again.")
    if status == 403:
        return AuthError(f"{platform} refused access (HTTP 403{said}). "
                         "The account or key may lack the permission this needs.")
    if status in (404, 410):
        thing = what or "page"
        gone = "no longer has that" if status == 410 else "has no such"
        return NotFound(f"{platform} {gone} {thing} (HTTP {status}{said}). {hint}".rstrip())
    if status >= 500:
        wait = retry_after_seconds(headers)
        return Unreachable(f"{platform} is having trouble right now (HTTP {status}{said}); "
                           "Kapwa will try again later.", retry_after=wait)
    if 400 <= status < 500:
        return Rejected(f"{platform} refused the request (HTTP {status}{said}).")
    return ConnectorError(f"{platform} answered with an unexpected HTTP {status}{said}.")


def _looks_rate_limited(headers: Mapping[str, Any] | None) -> bool:
    """GitHub answers rate limits with 403 and Retry-After or X-RateLimit-Remaining: 0."""
    if _header(headers, "Retry-After"):
        return True
    remaining = _header(headers, "X-RateLimit-Remaining") or _header(headers, "RateLimit-Remaining")
    return remaining == "0"


def _response_body(response: Any) -> Any:
    try:
        return response.json()
    except Exception:
        try:
            return response.text
        except Exception:
            return None


def error_for_response(response: Any, platform: str, *, what: str | None = None, detail: str | None = None,
                       **kwargs: Any) -> ConnectorError:
    """Works with httpx and requests responses (anything with status_code, headers and json()/text)."""
    if detail is None:
        detail = platform_detail(_response_body(response))
    return error_for_status(int(response.status_code), platform, headers=response.headers, detail=detail,
                            what=what, **kwargs)


def raise_for_status(response: Any, platform: str, *, what: str | None = None, **kwargs: Any) -> None:
    if int(response.status_code) >= 400:
        raise error_for_response(response, platform, what=what, **kwargs)


# ---------------------------------------------------------------------------------- transport failures


_NAME_ERRORS = ("name or service not known", "nodename nor servname", "getaddrinfo failed",
                "temporary failure in name resolution", "no address associated", "name resolution",
                "failed to resolve", "nameresolutionerror")


def host_of(url: str | None) -> str:
    if not url:
        return "the server"
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        return parts.hostname or "the server"
    except ValueError:
        return "the server"


def from_exception(exc: BaseException, platform: str, *, url: str | None = None) -> ConnectorError:
    """A transport failure (httpx, requests, socket, ssl) → Unreachable in plain words; a ConnectorError
    passes through unchanged."""
    if isinstance(exc, ConnectorError):
        return exc
    if url is None:
        request = getattr(exc, "request", None)
        try:
            url = str(request.url) if request is not None else None
        except Exception:
            url = None
    return from_message(f"{type(exc).__name__}: {exc}", platform, host=host_of(url),
                        is_timeout=_is_timeout(exc), is_name_error=isinstance(exc, socket.gaierror),
                        is_tls=isinstance(exc, ssl.SSLError))


def _is_timeout(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"TimeoutException", "Timeout", "TimeoutError", "ReadTimeout", "ConnectTimeout"})


def from_message(message: str, platform: str, *, host: str = "the server", is_timeout: bool = False,
                 is_name_error: bool = False, is_tls: bool = False) -> Unreachable:
    """For libraries that only pass on the text of a transport failure (Mastodon.py's MastodonNetworkError)."""
    low = message.lower()
    if is_name_error or any(s in low for s in _NAME_ERRORS):
        return Unreachable(f"Could not find {host}: check the address of the {platform} server.")
    if is_timeout or "timed out" in low or "timeout" in low:
        return Unreachable(f"{platform} at {host} did not answer in time; Kapwa will try again later.")
    if is_tls or "certificate" in low or "ssl" in low:
        return Unreachable(f"The secure connection to {host} failed (its certificate could not be verified).")
    if "refused" in low:
        return Unreachable(f"Could not connect to {host}: the connection was refused.")
    return Unreachable(f"Could not reach {platform} at {host}; Kapwa will try again later.")


@contextmanager
def translating(translate: Callable[..., BaseException | None], *args: Any) -> Iterator[None]:
    """Raise what ``translate(exc, *args)`` maps an exception to (chained to it); when it maps to None or to
    the exception itself, the exception goes on as it was. For a connector's library calls::

        with http_errors.translating(translate, what):
            return self.gh.get_repo(name)
    """
    try:
        yield
    except Exception as exc:
        mapped = translate(exc, *args)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
