"""What people read on the sources page when a platform fails, and how long Kapwa waits before trying again."""

from __future__ import annotations

import email.utils
import socket
import time

import httpx
import pytest
import requests

from kapwa.connectors import http_errors
from kapwa.connectors.base import AuthError, ConnectorError, RateLimited, Unreachable
from tests.support.replay import Exchange, ReplayServer
from tests.support.services import free_port

NOW = 1_777_622_400.0  # 2026-05-01 08:00:00 UTC


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": "120"}, 120),
    ({"retry-after": "0"}, 0),
    ({"Retry-After": email.utils.formatdate(NOW + 300, usegmt=True)}, 300),
    ({"X-RateLimit-Reset": "2026-05-01T08:05:00.000000Z"}, 300),  # Mastodon: an ISO time
    ({"ratelimit-reset": str(int(NOW) + 90)}, 90),  # Bluesky: epoch seconds
    ({"X-RateLimit-Reset": str(int(NOW) + 45)}, 45),  # GitHub: epoch seconds
    ({"RateLimit-Reset": "30"}, 30),  # IETF draft: seconds from now
    ({"X-RateLimit-Reset-After": "2.5"}, 2.5),  # Discord
    ({"Retry-After": "60", "X-RateLimit-Reset": str(int(NOW) + 999)}, 60),  # Retry-After wins
    ({"X-RateLimit-Reset": "2026-05-01T07:00:00Z"}, 0),  # already past: no wait, never negative
    ({"Retry-After": str(10 * 24 * 3600)}, http_errors.MAX_RETRY_AFTER),  # capped at a day
])
def test_retry_after_reads_every_common_rate_limit_header(headers, seconds):
    assert http_errors.retry_after_seconds(headers, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("headers", [{}, None, {"Retry-After": "soon"}, {"X-RateLimit-Reset": "tomorrow"}])
def test_no_usable_rate_limit_header_means_no_hint(headers):
    assert http_errors.retry_after_seconds(headers, now=NOW) is None


def test_reset_times_are_measured_on_the_platform_clock():
    # The platform's clock is ten minutes behind ours; it asks for a reset two minutes from its "now".
    headers = {"Date": email.utils.formatdate(time.time() - 600, usegmt=True),
               "X-RateLimit-Reset": str(int(time.time() - 600 + 120))}
    assert http_errors.retry_after_seconds(headers) == pytest.approx(120, abs=2)


@pytest.mark.parametrize(("status", "cls", "words"), [
    (401, AuthError, "did not accept the credentials (HTTP 401: The access token is invalid)"),
    (403, AuthError, "refused access (HTTP 403: The access token is invalid)"),
    (404, http_errors.NotFound, "has no such topic (HTTP 404"),
    (410, http_errors.NotFound, "no longer has that topic (HTTP 410"),
    (422, http_errors.Rejected, "refused the request (HTTP 422"),
    (500, Unreachable, "is having trouble right now (HTTP 500"),
    (503, Unreachable, "Kapwa will try again later"),
])
def test_status_codes_become_plain_words(status, cls, words):
    err = http_errors.error_for_status(status, "Forum", detail="The access token is invalid", what="topic")
    assert isinstance(err, cls) and words in err.message and err.message.startswith("Forum ")


def test_a_missing_single_item_gets_its_own_advice():
    err = http_errors.error_for_status(404, "Discourse", what="post", hint="It may have been deleted.")
    assert err.message == "Discourse has no such post (HTTP 404). It may have been deleted."
    assert http_errors.error_for_status(404, "Discourse").message == (
        "Discourse has no such page (HTTP 404). Check the address in the source settings.")


def test_what_can_and_cannot_be_retried():
    transient = {s: http_errors.error_for_status(s, "X").transient for s in (401, 403, 404, 422, 429, 500, 502)}
    assert transient == {401: False, 403: False, 404: False, 422: False, 429: True, 500: True, 502: True}


def test_rate_limits_say_when_the_next_try_is():
    err = http_errors.error_for_status(429, "Discourse", headers={"Retry-After": "150"})
    assert isinstance(err, RateLimited) and err.retry_after == 150
    assert err.message == "Discourse asked Kapwa to slow down (HTTP 429); trying again in about 2 minutes."
    assert "trying again later" in http_errors.error_for_status(429, "X").message


def test_github_style_403_rate_limits_are_rate_limits_not_permission_problems():
    err = http_errors.error_for_status(403, "GitHub", headers={"X-RateLimit-Remaining": "0",
                                                               "X-RateLimit-Reset": str(int(time.time()) + 60)})
    assert isinstance(err, RateLimited) and 55 <= err.retry_after <= 60


def test_a_503_keeps_its_retry_after_for_the_backoff():
    err = http_errors.error_for_status(503, "Feed", headers={"Retry-After": "1800"})
    assert isinstance(err, Unreachable) and err.retry_after == 1800


@pytest.mark.parametrize(("body", "said"), [
    ({"error": "Record not found"}, "Record not found"),  # Mastodon
    ({"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
     "Invalid identifier or password"),  # AT Protocol XRPC
    ({"errors": ["Body is too short", "Title is blank"], "error_type": "invalid_parameters"},
     "Body is too short; Title is blank"),  # Discourse
    ({"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"},
     "The provided authorization grant is invalid"),  # OAuth
    ('{"message": "Bad credentials"}', "Bad credentials"),  # JSON as text
    (b"Slow down, too many requests from this IP address", "Slow down, too many requests from this IP address"),
    ("<html><body><h1>502 Bad Gateway</h1></body></html>", None),  # an HTML page says nothing useful
    ("", None), ({}, None), (None, None),
    ("x" * 500, "x" * 199 + "…"),
    ("line one\n\x1b[31mline two", "line one line two"),
])
def test_the_platforms_own_explanation_is_kept_short_and_clean(body, said):
    assert http_errors.platform_detail(body) == said


def test_httpx_and_requests_responses_both_work():
    exchange = Exchange({"method": "GET", "path": "/t/1.json"},
                        {"status": 403, "json": {"errors": ["You are not permitted to view the requested resource."],
                                                 "error_type": "invalid_access"}})
    with ReplayServer([exchange]) as srv:
        for response in (httpx.get(f"{srv.base_url}/t/1.json"), requests.get(f"{srv.base_url}/t/1.json", timeout=5)):
            with pytest.raises(AuthError) as caught:
                http_errors.raise_for_status(response, "Discourse")
            assert caught.value.message.startswith(
                "Discourse refused access (HTTP 403: You are not permitted to view the requested resource.)")


def test_connection_failures_name_the_host_and_what_went_wrong():
    port = free_port()
    with pytest.raises(httpx.ConnectError) as caught:
        httpx.get(f"http://127.0.0.1:{port}/latest.json", timeout=2)
    err = http_errors.from_exception(caught.value, "Discourse")
    assert isinstance(err, Unreachable)
    assert err.message == "Could not connect to 127.0.0.1: the connection was refused."

    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(f"http://127.0.0.1:{port}/", timeout=2)
    assert "connection was refused" in http_errors.from_exception(caught.value, "Mastodon", url="http://127.0.0.1").message


@pytest.mark.parametrize(("exc", "words"), [
    (httpx.ReadTimeout("timed out"), "did not answer in time"),
    (socket.gaierror(-2, "Name or service not known"), "Could not find forum.example.org"),
    (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "Could not find forum.example.org"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "certificate could not be verified"),
    (OSError("something else"), "Could not reach Discourse at forum.example.org"),
])
def test_transport_failures_in_plain_words(exc, words):
    err = http_errors.from_exception(exc, "Discourse", url="https://forum.example.org/latest.json")
    assert isinstance(err, Unreachable) and words in err.message


def test_connector_errors_pass_through_unchanged():
    original = ConnectorError("already in plain words")
    assert http_errors.from_exception(original, "X") is original


@pytest.mark.parametrize(("seconds", "words"), [(1, "1 second"), (45, "45 seconds"), (150, "about 2 minutes"),
                                                (5400, "about 2 hours"), (3600 * 5, "about 5 hours"),
                                                (None, "a while")])
def test_waits_in_words(seconds, words):
    assert http_errors.in_words(seconds) == words
