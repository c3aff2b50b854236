"""Browser tests: the real app served by uvicorn on loopback, driven by Debian's Chromium via Playwright.

Fixtures:

* ``live_server`` – base URL of ``create_app(rt=rt)`` running in a background thread on 127.0.0.1
  and a free port (one server per test, on that test's migrated database).
* ``browser`` – one Chromium for the whole session (``/usr/bin/chromium``, headless).
* ``new_page(**context_options)`` – a page in a fresh browser context (closed after the test);
  ``page`` is ``new_page()``.
* ``sign_in(page, user)`` – signs in through the login form.

The session cookie keeps its Secure flag (``cookie_secure=True``, the default): Chromium treats
http://127.0.0.1 as a potentially trustworthy origin and stores and sends Secure cookies to it, so
no settings override is needed (``test_secure_session_cookie_is_accepted_on_loopback`` checks this).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from kapwa.web.app import create_app
from tests.support.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def live_server(rt):
    app = create_app(rt=rt)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound here, so the port cannot be taken between choosing and serving
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", ws="none",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    errors: list[BaseException] = []

    def serve():
        try:
            server.run(sockets=[sock])
        except (Exception, SystemExit) as exc:
            errors.append(exc)

    thread = threading.Thread(target=serve, name="kapwa-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if errors or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the live server did not start: {errors[0] if errors else 'thread exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live server did not start within 15 s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the live server did not stop"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium (scripts/install-system-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason + " – browser tests must run in CI", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options) -> a Page in a fresh context whose base_url is the live server."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server)
        options.setdefault("locale", "en-PH")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _sign_in(page, user, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert not page.url.split("?")[0].endswith("/login"), "sign-in failed: " + page.inner_text("main")


@pytest.fixture
def sign_in():
    """sign_in(page, user[, password]) – signs in through the login form."""
    return _sign_in
