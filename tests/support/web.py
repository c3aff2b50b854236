"""Fixtures for an in-process HTTP client per test, with helpers to sign in as a role (used by every package)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kapwa.core.models import Role
from kapwa.web.app import create_app
from tests.support.factories import PASSWORD


@pytest.fixture
def app(rt):
    return create_app(rt=rt)


@pytest.fixture
def client(app):
    # https: the session cookie is Secure, so the client must look like it uses TLS.
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def login(client: TestClient, email: str, password: str = PASSWORD):
    client.get("/login")
    token = client.cookies.get("kapwa_login_csrf")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    html = client.get("/me").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def signed_in(client, factory):
    """signed_in(role) -> (client, user, csrf token)"""

    def sign_in(role: Role = Role.owner):
        user = factory.user(role)
        r = login(client, user.email)
        assert r.status_code == 303, r.text
        return client, user, csrf_of(client)

    return sign_in
