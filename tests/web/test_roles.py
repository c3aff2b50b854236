"""Every route × every role: signed-out users are sent to sign in, lower roles get 403, allowed roles don't."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from kapwa.core.models import Role
from kapwa.web.app import create_app
from kapwa.web.auth import optional_viewer
from tests.support.web import csrf_of, login

# Public on purpose: signing in, the health check, and platform webhooks (which prove who they are with a
# signature over the body instead of a session).
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz"), ("POST", "/webhooks/{source_id}/{kind}")}

# Who may do what. A new route must be added here (or, for a feature area, to a POLICY dict in
# tests/web/policies/<area>.py, merged below), so its role is a decision, not an accident.
POLICY = {
    ("POST", "/logout"): Role.analyst,
    ("POST", "/me/locale"): Role.analyst,
    ("GET", "/"): Role.analyst,
    ("GET", "/conversations"): Role.analyst,
    ("GET", "/conversations/{conversation_id}"): Role.analyst,
    ("POST", "/conversations/{conversation_id}"): Role.moderator,
    ("POST", "/conversations/{conversation_id}/tags"): Role.moderator,
    ("POST", "/conversations/{conversation_id}/notes"): Role.moderator,
    ("POST", "/messages/{message_id}/labels"): Role.moderator,
    ("GET", "/members/merge-suggestions"): Role.analyst,
    ("POST", "/members/{member_id}/merge"): Role.manager,
    ("POST", "/members/merges/{merge_id}/undo"): Role.manager,
    ("POST", "/members/merge-suggestions/dismiss"): Role.manager,
    ("GET", "/api/v1/merge-suggestions"): Role.analyst,
    ("POST", "/api/v1/members/{member_id}/merge"): Role.manager,
    ("POST", "/api/v1/merges/{merge_id}/undo"): Role.manager,
    ("POST", "/api/v1/merge-suggestions/dismiss"): Role.manager,
    ("GET", "/members"): Role.analyst,
    ("GET", "/members/{member_id}"): Role.analyst,
    ("POST", "/members/{member_id}/notes"): Role.moderator,
    ("POST", "/members/{member_id}/tags"): Role.moderator,
    ("POST", "/members/{member_id}/vip"): Role.moderator,
    ("POST", "/members/{member_id}/tasks"): Role.moderator,
    ("POST", "/tasks/{task_id}/done"): Role.moderator,
    ("GET", "/sources"): Role.analyst,
    ("POST", "/sources"): Role.manager,
    ("POST", "/sources/{source_id}"): Role.manager,
    ("POST", "/sources/{source_id}/test"): Role.manager,
    ("POST", "/sources/{source_id}/sync"): Role.moderator,
    ("POST", "/sources/{source_id}/delete"): Role.owner,
    ("GET", "/imports"): Role.analyst,
    ("POST", "/imports"): Role.manager,
    ("GET", "/team"): Role.manager,
    ("POST", "/team"): Role.owner,
    ("POST", "/team/{user_id}"): Role.owner,
    ("GET", "/audit"): Role.manager,
    ("GET", "/me"): Role.analyst,
    ("POST", "/me/tokens"): Role.analyst,
    ("POST", "/me/tokens/{token_id}/revoke"): Role.analyst,
    ("POST", "/me/password"): Role.analyst,
    ("GET", "/api/v1/conversations"): Role.analyst,
    ("GET", "/api/v1/conversations/{conversation_id}"): Role.analyst,
    ("PATCH", "/api/v1/conversations/{conversation_id}"): Role.moderator,
    ("POST", "/api/v1/conversations/{conversation_id}/notes"): Role.moderator,
    ("GET", "/api/v1/search"): Role.analyst,
    ("GET", "/api/v1/label-corrections"): Role.analyst,
    ("GET", "/api/v1/members"): Role.analyst,
    ("GET", "/api/v1/members/{member_id}"): Role.analyst,
    ("PATCH", "/api/v1/members/{member_id}"): Role.moderator,
    ("GET", "/api/v1/sources"): Role.analyst,
    ("POST", "/api/v1/sources"): Role.manager,
    ("GET", "/api/v1/me"): Role.analyst,
    ("GET", "/api/v1/team"): Role.manager,
    ("POST", "/api/v1/team"): Role.owner,
    ("PATCH", "/api/v1/team/{user_id}"): Role.owner,
    ("GET", "/api/v1/audit"): Role.manager,
}


def _area_policies() -> dict:
    merged: dict = {}
    for path in sorted((Path(__file__).parent / "policies").glob("*.py")):
        if path.name.startswith("_"):
            continue
        area = importlib.import_module(f"tests.web.policies.{path.stem}").POLICY
        clash = set(area) & (set(POLICY) | set(merged))
        assert not clash, f"{path.name} declares routes twice: {clash}"
        merged.update(area)
    return merged


POLICY.update(_area_policies())


def _min_role(route: APIRoute) -> Role | None:
    for dep in route.dependant.dependencies:
        if hasattr(dep.call, "min_role"):
            return dep.call.min_role
    return None


def _api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI's lazily included routers
            yield from _api_routes(route.original_router.routes)


def _routes(app):
    found = 0
    for route in _api_routes(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            found += 1
            yield method, route
    assert found > 20, "the route walk found too few routes; did FastAPI change how routers are included?"


def _concrete(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_every_route_declares_a_role_or_is_public(rt):
    app = create_app(rt=rt)
    missing = []
    for method, route in _routes(app):
        if (method, route.path) in PUBLIC:
            continue
        if _min_role(route) is None:
            missing.append(f"{method} {route.path}")
    assert not missing, f"routes without require(role): {missing}"
    declared = {(m, r.path): _min_role(r) for m, r in _routes(app) if (m, r.path) not in PUBLIC}
    assert declared == POLICY, {k: (declared.get(k), POLICY.get(k)) for k in set(declared) | set(POLICY)
                                if declared.get(k) != POLICY.get(k)}
    # The public set is exactly what it claims: those routes really have no role requirement.
    for method, route in _routes(app):
        if (method, route.path) in PUBLIC:
            assert _min_role(route) is None
            assert getattr(route.endpoint, "public", False) or optional_viewer in [
                d.call for d in route.dependant.dependencies]


@pytest.fixture
def world(factory):
    src = factory.source("discord")
    member = factory.member("Maria Clara")
    ident = factory.identity(member, src)
    conv = factory.conversation(src, title="Bakit pending pa rin?")
    factory.message(conv, text="Hi po!", identity=ident)
    users = {role: factory.user(role) for role in Role}
    return {"conversation_id": conv.id, "member_id": member.id, "source_id": src.id,
            "user_id": users[Role.analyst].id, "task_id": 1, "token_id": 1, "users": users}


ROLES = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_route_role_matrix(rt, world, role):
    app = create_app(rt=rt)
    client = TestClient(app, base_url="https://testserver")
    headers = {}
    if role is not None:
        assert login(client, world["users"][role].email).status_code == 303
        headers["X-CSRF-Token"] = csrf_of(client)
    failures = []
    # Signing out ends the session, so it goes last.
    for method, route in sorted(_routes(app), key=lambda mr: mr[1].path == "/logout"):
        if (method, route.path) in PUBLIC:
            continue
        needed = POLICY[(method, route.path)]
        url = _concrete(route.path, world)
        kwargs = {"headers": headers, "follow_redirects": False}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            kwargs["json" if route.path.startswith("/api/") else "data"] = {}
        r = client.request(method, url, **kwargs)
        if role is None:
            ok = r.status_code == 401 or (r.status_code == 303 and "/login" in r.headers.get("location", ""))
        elif role.at_least(needed):
            ok = r.status_code != 403 and r.status_code != 401 and r.status_code < 500
        else:
            ok = r.status_code == 403
        if not ok:
            failures.append(f"{method} {url} as {role}: {r.status_code} (needs {needed.value})")
    assert not failures, "\n".join(failures)
