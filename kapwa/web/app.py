"""The FastAPI app factory. Nothing is created at import: call ``create_app(settings)``."""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware

from kapwa import __version__
from kapwa.core import i18n
from kapwa.core.actions import ActionError
from kapwa.core.runtime import Runtime
from kapwa.core.settings import Settings, load_settings
from kapwa.web.auth import LoginRequired
from kapwa.web.templating import make_templates, render

log = logging.getLogger("kapwa.web")
STATIC_DIR = Path(__file__).resolve().parent / "static"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # No inline scripts anywhere: hostile content cannot run even if it slipped through escaping.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        start = time.perf_counter()
        token = i18n.set_locale(request.app.state.rt.settings.default_locale)
        try:
            response = await call_next(request)
        finally:
            i18n._current.reset(token)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        # Time spent in the app until the response starts (bench/inbox.py reads it; browsers show it).
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response


def create_app(settings: Settings | None = None, rt: Runtime | None = None, jobs=None) -> FastAPI:
    if rt is None:
        rt = Runtime.from_settings(settings or load_settings())
    app = FastAPI(
        title="Kapwa",
        version=__version__,
        description="Community management API. Authenticate with `Authorization: Bearer <token>`; "
        "create a token on your profile page.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.rt = rt
    app.state.templates = make_templates()
    app.state.jobs = (lambda: jobs) if jobs is not None else _lazy_jobs(rt)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    from kapwa.web import routes

    for router in routes.all_routers():
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={nxt}", status_code=303)

    @app.exception_handler(ActionError)
    async def _action_error(request: Request, exc: ActionError):
        return _error(request, exc.status_code, exc.message, exc.field)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path", "form"))
        return _error(request, 422, f"{loc}: {first['msg']}", loc, errors=exc.errors())

    return app


def tune_gc_for_serving() -> None:
    """Call once before serving. Everything allocated so far (modules, routes, the ORM's mappers, models) is
    frozen out of the garbage collector's full passes, which otherwise walk those ~200k objects every couple
    of dozen requests; and the youngest generation is collected less often, so a request's short-lived objects
    mostly die young instead of piling up for a full pass. Measured on /inbox (bench/inbox.py): p95 over all
    pages 122 ms -> 43 ms, time in the collector 1.5 s -> 0.24 s per 280 requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _lazy_jobs(rt: Runtime):
    """The job queue, built on first use (pages that never enqueue don't open it)."""
    holder: list = []

    def get():
        if not holder:
            from kapwa.core.jobs import JobQueue

            holder.append(JobQueue(rt))
        return holder[0]

    return get


def _error(request: Request, status: int, message: str, field: str | None = None, headers=None, errors=None):
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        body = {"detail": message}
        if field:
            body["field"] = field
        if errors is not None:
            body["errors"] = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in errors]
        return JSONResponse(body, status_code=status, headers=headers)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)
