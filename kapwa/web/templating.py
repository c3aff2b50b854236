"""Jinja2 environment: autoescaping on, gettext wired to the request's locale, safe message rendering."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import nh3
from babel import Locale
from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from kapwa.core import i18n
from kapwa.core.models import utcnow

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"}


def render_text(text: str | None) -> Markup:
    """Plain platform text → HTML: everything escaped, http(s) links made clickable, newlines kept."""
    if not text:
        return Markup("")
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        url = m.group(0).rstrip(".,;:!?)")
        tail = m.group(0)[len(url) :]
        out.append(f'<a href="{escape(url)}" rel="nofollow noopener noreferrer ugc" target="_blank">{escape(url)}</a>')
        out.append(str(escape(tail)))
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out).replace("\n", "<br>\n"))


def render_html(html: str | None) -> Markup:
    """Platform HTML → sanitised HTML (nh3): no scripts, no event handlers, only http(s)/mailto links."""
    if not html:
        return Markup("")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "span": {"class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
    return Markup(cleaned)


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    return value.astimezone(ZoneInfo(tz))


def format_when(value: dt.datetime | None, tz: str = "Asia/Manila", fmt: str = "medium") -> str:
    """The `when` filter: a date and time in the workspace's time zone and the UI language."""
    if value is None:
        return "—"
    return _format_when(value, tz, fmt, "fil" if i18n.get_locale() == "fil" else "en")


@lru_cache(maxsize=4096)
def _format_when(value: dt.datetime, tz: str, fmt: str, locale: str) -> str:
    # Cached: Babel takes tens of microseconds a call, and a list shows the same times on every reload (the
    # inbox's service-level due times). The text depends only on these arguments.
    return format_datetime(_local(value, tz), format=fmt, locale=_BABEL_LOCALES[locale])


def format_ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The `ago` filter: "3 days ago", in the UI language."""
    if value is None:
        return "—"
    return format_timedelta(value - (now or utcnow()), add_direction=True, locale=_babel_locale(), threshold=1.1)


@jinja2.pass_eval_context
def _gettext(eval_ctx, __string: str, **variables) -> str:
    """``_()`` in templates, as jinja2.ext's new-style gettext: under autoescape the translation is markup and
    the values are escaped; always a format string (so "%%" is "%")."""
    rv = i18n.gettext(__string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables or "%" in rv else rv


@jinja2.pass_eval_context
def _ngettext(eval_ctx, __singular: str, __plural: str, __num: int, **variables) -> str:
    variables.setdefault("num", __num)
    rv = i18n.ngettext(__singular, __plural, __num)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(
        lambda s, **kw: i18n.gettext(s, **kw),
        lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    # The same new-style gettext, without the three context calls Jinja's wrappers make per message (a page
    # translates a hundred strings or more).
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)

    def number(value) -> str:
        return format_decimal(value or 0, locale=_babel_locale())

    env.filters.update(when=format_when, ago=format_ago, number=number, text=render_text, safe_html=render_html)
    env.globals.update(locales=i18n.LOCALES, current_locale=i18n.get_locale, now=utcnow)
    from kapwa.inbox.sla_badge import register as register_sla_filter  # the `sla` filter (service levels)

    register_sla_filter(env)
    env.globals["unread_notifications"] = _unread_notifications
    from kapwa.inbox.live_hub import register as register_live  # live_event_id() (live updates)

    register_live(env)
    return templates


@jinja2.pass_context
def _unread_notifications(ctx) -> int:
    """The header bell's count for the signed-in teammate (one indexed COUNT per page)."""
    viewer, request = ctx.get("viewer"), ctx.get("request")
    if viewer is None or request is None:
        return 0
    from kapwa.team.notifications import unread_count

    with request.app.state.rt.db.sessions() as s:
        return unread_count(s, viewer.user.id)


_BABEL_LOCALES = {"fil": Locale.parse("fil_PH"), "en": Locale.parse("en_PH")}


def _babel_locale() -> Locale:
    """The UI language's Babel locale (parsed once: babel re-parses a locale name on every call)."""
    return _BABEL_LOCALES["fil" if i18n.get_locale() == "fil" else "en"]


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200):
    templates: Jinja2Templates = request.app.state.templates
    from kapwa.web.forms import FLASH_COOKIE, take_flash

    ctx = {
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "flash": take_flash(request),
        "path": request.url.path,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if ctx["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
