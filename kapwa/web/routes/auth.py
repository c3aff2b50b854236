"""Sign in and out. The login form is protected by a double-submit CSRF cookie (no session yet)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from kapwa.core.actions import ActionError
from kapwa.core.models import Role
from kapwa.core.security import constant_time_equals
from kapwa.team.actions import TooManyAttempts, do_login, do_logout, do_set_locale
from kapwa.web.auth import SESSION_COOKIE, Viewer, client_ip, get_rt, optional_viewer, require
from kapwa.web.forms import back, redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "kapwa_login_csrf"


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_page(request: Request, next_url: str, error: str | None = None, email: str = "", status: int = 200):
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    resp = render(request, "login.html", {"next": next_url, "error": error, "email": email, "login_csrf": token},
                  status_code=status)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                    secure=get_rt(request).settings.cookie_secure)
    return resp


@router.get("/login")
async def login_form(request: Request, next: str = "/", viewer: Viewer | None = Depends(optional_viewer)):
    if viewer is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, _safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    email: str = Form(..., max_length=320),
    password: str = Form(..., max_length=1000),
    csrf_token: str = Form(""),
    next: str = Form("/"),
    _viewer: Viewer | None = Depends(optional_viewer),
):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not constant_time_equals(cookie, csrf_token):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
    rt = get_rt(request)
    try:
        result = do_login(rt, email, password, ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    except TooManyAttempts as exc:
        return _login_page(request, _safe_next(next), exc.message, email, status=429)
    except ActionError as exc:
        return _login_page(request, _safe_next(next), exc.message, email, status=400)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE, result.token, max_age=rt.settings.session_hours * 3600, httponly=True,
        secure=rt.settings.cookie_secure, samesite="lax", path="/",
    )
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return resp


@router.post("/logout")
async def logout(request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    if viewer.session_id:
        do_logout(get_rt(request), viewer.actor(request), viewer.session_id)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/me/locale")
async def set_locale(request: Request, locale: str = Form(...), viewer: Viewer = Depends(require(Role.analyst))):
    do_set_locale(get_rt(request), viewer.actor(request), locale)
    return redirect(back(request))
