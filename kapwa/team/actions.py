"""Team actions: users, roles, logins, sessions, API tokens, personal preferences."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select

from kapwa.core.actions import ActionError, Actor, NotFound, changed, transaction
from kapwa.core.models import ApiToken, LoginAttempt, Role, User, UserSession, Workspace, utcnow
from kapwa.core.runtime import Runtime
from kapwa.core.security import hash_password, new_token, password_problem, token_hash, verify_password
from kapwa.team import queries

log = logging.getLogger("kapwa.team")

LOCALES = ("en", "fil")


class TooManyAttempts(ActionError):
    status_code = 429


def do_create_workspace(rt: Runtime, name: str, slug: str = "community") -> Workspace:
    with rt.db.write_sessions() as s, s.begin():
        ws = Workspace(name=name, slug=slug)
        s.add(ws)
        s.flush()
    with transaction(rt, Actor.system(ws.id)) as tx:
        tx.audit("workspace.create", ws, f"Created workspace {name}")
    return ws


def do_create_user(rt: Runtime, actor: Actor, *, email: str, name: str, password: str, role: str,
                   locale: str = "en") -> User:
    actor.require(Role.owner)
    email = email.strip().lower()
    if "@" not in email:
        raise ActionError("email: not an e-mail address", field="email")
    if not name.strip():
        raise ActionError("name: must not be empty", field="name")
    if role not in Role.values():
        raise ActionError(f"role: must be one of {', '.join(Role.values())}", field="role")
    if problem := password_problem(password):
        raise ActionError(problem, field="password")
    if locale not in LOCALES:
        raise ActionError("locale: must be en or fil", field="locale")
    with transaction(rt, actor) as tx:
        if queries.user_by_email(tx.session, email):
            raise ActionError(f"email: {email} already has an account", field="email")
        user = User(workspace_id=actor.workspace_id, email=email, name=name.strip(),
                    password_hash=hash_password(password), role=role, locale=locale)
        tx.session.add(user)
        tx.audit("user.create", user, f"Added {name} ({email}) as {role}", {"role": [None, role]})
        tx.emit("user.created", {"id": user.id})
    return user


def do_update_user(rt: Runtime, actor: Actor, user_id: int, *, role: str | None = None,
                   is_active: bool | None = None, name: str | None = None) -> User:
    actor.require(Role.owner)
    with transaction(rt, actor) as tx:
        user = queries.user(tx.session, actor.workspace_id, user_id)
        if user is None:
            raise NotFound("no such teammate")
        values: dict = {}
        if role is not None:
            if role not in Role.values():
                raise ActionError(f"role: must be one of {', '.join(Role.values())}", field="role")
            values["role"] = role
        if is_active is not None:
            values["is_active"] = is_active
        if name is not None and name.strip():
            values["name"] = name.strip()
        demoting_owner = user.role == Role.owner.value and (
            values.get("role", Role.owner.value) != Role.owner.value or values.get("is_active") is False
        )
        if demoting_owner:
            owners = [u for u in queries.team(tx.session, actor.workspace_id)
                      if u.role == Role.owner.value and u.is_active]
            if len(owners) <= 1:
                raise ActionError("the workspace must keep at least one active owner", field="role")
        diff = changed(user, **values)
        if diff:
            if diff.get("is_active") == [True, False]:
                tx.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            tx.audit("user.update", user, f"Updated {user.name}: {', '.join(diff)}", diff)
            tx.emit("user.updated", {"id": user.id})
    return user


def do_set_locale(rt: Runtime, actor: Actor, locale: str) -> None:
    if locale not in LOCALES:
        raise ActionError("locale: must be en or fil", field="locale")
    with transaction(rt, actor) as tx:
        user = tx.session.get(User, actor.user_id)
        diff = changed(user, locale=locale)
        if diff:
            tx.audit("user.locale", user, f"Language set to {locale}", diff)


def do_change_password(rt: Runtime, actor: Actor, current: str, new: str) -> None:
    with transaction(rt, actor) as tx:
        user = tx.session.get(User, actor.user_id)
        if not verify_password(user.password_hash, current):
            raise ActionError("current password: does not match", field="current_password")
        if problem := password_problem(new):
            raise ActionError(problem, field="new_password")
        user.password_hash = hash_password(new)
        tx.audit("user.password", user, "Changed password")


@dataclass
class LoginResult:
    user: User
    token: str
    csrf_token: str


def _attempt_key(email: str, ip: str | None) -> str:
    return f"{email.strip().lower()}|{ip or '-'}"


def do_login(rt: Runtime, email: str, password: str, *, ip: str | None = None,
             user_agent: str | None = None) -> LoginResult:
    """Check a password and open a session. Too many failures for this address and e-mail → 429."""
    settings = rt.settings
    key = _attempt_key(email, ip)
    with rt.db.sessions() as s:
        if queries.recent_failures(s, key, settings.login_window_seconds) >= settings.login_max_attempts:
            log.warning("login rate limit hit for %s", key)
            raise TooManyAttempts("too many failed logins; wait a few minutes and try again")
        user = queries.user_by_email(s, email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        with rt.db.write_sessions() as s, s.begin():
            s.add(LoginAttempt(key=key))
        raise ActionError("wrong e-mail or password")
    token, csrf = new_token(), new_token()
    actor = Actor(workspace_id=user.workspace_id, user_id=user.id, role=user.role_enum, ip=ip, name=user.name)
    with transaction(rt, actor) as tx:
        tx.session.add(UserSession(
            user_id=user.id, token_hash=token_hash(token), csrf_token=csrf,
            expires_at=utcnow() + dt.timedelta(hours=settings.session_hours),
            ip=ip, user_agent=(user_agent or "")[:300],
        ))
        db_user = tx.session.get(User, user.id)
        db_user.last_login_at = utcnow()
        tx.session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
        tx.audit("user.login", db_user, f"{user.name} signed in")
    return LoginResult(user, token, csrf)


def do_logout(rt: Runtime, actor: Actor, session_id: int) -> None:
    with transaction(rt, actor) as tx:
        tx.session.execute(delete(UserSession).where(UserSession.id == session_id))
        tx.audit("user.logout", tx.session.get(User, actor.user_id), "Signed out")


def do_create_api_token(rt: Runtime, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its secret, which is shown once and stored only as a hash."""
    name = name.strip()
    if not name:
        raise ActionError("name: give the token a name, e.g. the script that uses it", field="name")
    secret = new_token("kpw_")
    with transaction(rt, actor) as tx:
        row = ApiToken(user_id=actor.user_id, name=name[:100], prefix=secret[:8], token_hash=token_hash(secret))
        tx.session.add(row)
        tx.audit("api_token.create", row, f"Created API token {name!r}")
    return row, secret


def do_revoke_api_token(rt: Runtime, actor: Actor, token_id: int) -> None:
    with transaction(rt, actor) as tx:
        row = tx.session.scalar(select(ApiToken).where(ApiToken.id == token_id))
        if row is None or (row.user_id != actor.user_id and not actor.role.at_least(Role.owner)):
            raise NotFound("no such API token")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            tx.audit("api_token.revoke", row, f"Revoked API token {row.name!r}")


def do_purge_expired_sessions(rt: Runtime) -> int:
    """Periodic job: drop expired sessions and old failed-login records."""
    with rt.db.write_sessions() as s, s.begin():
        n = s.execute(delete(UserSession).where(UserSession.expires_at < utcnow())).rowcount
        s.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - dt.timedelta(days=1)))
    return n or 0
