"""Fixtures shared by the inbox tests: the small community of inbox_world.py, and a client signed in as its
moderator. A module that needs another community defines its own ``world``."""

from __future__ import annotations

import pytest

from tests.inbox.inbox_world import build
from tests.support.web import login


@pytest.fixture
def world(factory, rt):
    return build(factory, rt)


@pytest.fixture
def web(client, world):
    assert login(client, world.users["mod"].email).status_code == 303
    return client
