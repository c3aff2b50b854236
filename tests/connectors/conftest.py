"""Fixtures shared by the connector contract tests: one replay server per test module, emptied for each test."""

from __future__ import annotations

import pytest

from tests.connectors._helpers import OPENED
from tests.support.replay import ReplayServer, load


@pytest.fixture(scope="module")
def replay_server():
    with ReplayServer() as running:  # one server per module: stopping one takes up to half a second
        yield running


@pytest.fixture
def replay(replay_server):
    """``replay(*fixture_files)``: the server answering with those exchanges only, nothing received yet."""
    def use(*names: str) -> ReplayServer:
        replay_server.exchanges[:] = load(*names)
        replay_server.received.clear()
        replay_server.unmatched.clear()
        return replay_server
    return use


@pytest.fixture
def srv(replay) -> ReplayServer:
    """The replay server with no exchanges and nothing received, for tests that add their own."""
    return replay()


@pytest.fixture(autouse=True)
def close_opened_connectors():
    """Closes the connectors a test made with ``_helpers.opened``."""
    yield
    while OPENED:
        OPENED.pop().close()
