"""Who is asking, what they may do, and CSRF protection.

Every route declares its minimum role with ``Depends(require(Role.x))``; a test walks every route × role.
Browser sessions use an HTTP-only cookie plus a per-session CSRF token on every unsafe request;
API clients use ``Authorization: Bearer kpw_…`` tokens (no cookie, so no CSRF).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from kapwa.core import i18n
from kapwa.core.actions import Actor
from kapwa.core.models import Role, User, utcnow
from kapwa.core.runtime import Runtime
from kapwa.core.security import constant_time_equals
from kapwa.team import queries

SESSION_COOKIE = "kapwa_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoginRequired(Exception):
    """Raised for anonymous browser requests; the app turns it into a redirect to /login."""


@dataclass
class Viewer:
    user: User
    session_id: int | None
    csrf_token: str | None
    via_token: bool

    @property
    def role(self) -> Role:
        return self.user.role_enum

    def actor(self, request: Request) -> Actor:
        return Actor(
            workspace_id=self.user.workspace_id,
            user_id=self.user.id,
            role=self.role,
            ip=client_ip(request),
            name=self.user.name,
        )

    def can(self, role: Role | str) -> bool:
        return self.role.at_least(Role(role))


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_rt(request: Request) -> Runtime:
    return request.app.state.rt


def db(request: Request) -> Iterator[Session]:
    """A read-only session for the request (writes go through actions)."""
    with get_rt(request).db.sessions() as s:
        yield s


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _resolve(request: Request) -> Viewer | None:
    if hasattr(request.state, "viewer_resolved"):
        return request.state.viewer
    rt = get_rt(request)
    viewer = None
    auth = request.headers.get("authorization", "")
    with rt.db.sessions() as s:
        if auth.lower().startswith("bearer "):
            token = queries.api_token_by_secret(s, auth[7:].strip())
            if token is None:
                raise HTTPException(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
            viewer = Viewer(token.user, None, None, via_token=True)
            if token.last_used_at is None or (utcnow() - token.last_used_at).total_seconds() > 60:
                _touch_token(rt, token.id)
        elif cookie := request.cookies.get(SESSION_COOKIE):
            row = queries.session_by_token(s, cookie)
            if row is not None:
                viewer = Viewer(row.user, row.id, row.csrf_token, via_token=False)
    request.state.viewer_resolved = True
    request.state.viewer = viewer
    if viewer:
        request.state.csrf_token = viewer.csrf_token or ""
        i18n.set_locale(viewer.user.locale)
    return viewer


def _touch_token(rt: Runtime, token_id: int) -> None:
    from kapwa.core.models import ApiToken

    with rt.db.write_sessions() as s, s.begin():
        row = s.get(ApiToken, token_id)
        if row:
            row.last_used_at = utcnow()


async def _check_csrf(request: Request, viewer: Viewer) -> None:
    if request.method not in UNSAFE or viewer.via_token:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
    if not sent or not viewer.csrf_token or not constant_time_equals(str(sent), viewer.csrf_token):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")


def require(min_role: Role):
    """Dependency: the viewer must be signed in with at least ``min_role``. Returns the Viewer."""

    async def dependency(request: Request) -> Viewer:
        viewer = _resolve(request)
        if viewer is None:
            if _wants_html(request) and request.method == "GET":
                raise LoginRequired()
            raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
        await _check_csrf(request, viewer)
        if not viewer.role.at_least(min_role):
            raise HTTPException(403, f"this page needs the {min_role.value} role or higher")
        return viewer

    dependency.min_role = min_role  # read by the route × role test
    return dependency


async def optional_viewer(request: Request) -> Viewer | None:
    return _resolve(request)


optional_viewer.public = True  # routes using only this are public on purpose (login page)

Analyst = Depends(require(Role.analyst))
Moderator = Depends(require(Role.moderator))
Manager = Depends(require(Role.manager))
Owner = Depends(require(Role.owner))
