"""Small helpers for HTML form views: redirect-after-post with a one-shot flash message."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import RedirectResponse

FLASH_COOKIE = "kapwa_flash"


def redirect(url: str, message: str | None = None, kind: str = "ok") -> RedirectResponse:
    resp = RedirectResponse(url, status_code=303)
    if message:
        resp.set_cookie(FLASH_COOKIE, quote(json.dumps([kind, message])), max_age=60, httponly=True,
                        samesite="lax", path="/")
    return resp


def take_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, message = json.loads(unquote(raw))
        return (str(kind), str(message))
    except (ValueError, TypeError):
        return None


def back(request: Request, fallback: str = "/") -> str:
    """Where to go after a form post: the same-site page the form was on, else fallback."""
    ref = request.headers.get("referer", "")
    base = str(request.base_url)
    if ref.startswith(base):
        return "/" + ref[len(base):].lstrip("/")
    return fallback
