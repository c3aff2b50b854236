"""The service-level badge of a conversation row, from the row's own columns, with the workspace's policies
loaded once per request (never a query per row).

In Python (the inbox builds its rows this way, kapwa/inbox/inbox_views.py)::

    badge = sla_badge_of(conv, policy_map, now)     # a Badge, or None when no target is running
    html = badge_html(badge)                       # the <span class="sla …"> markup, in the UI language

In templates: ``{{ c|sla_badge }}`` (conversations/_sla_badge.html) gives the same markup, and
``{% set st = c|sla %}`` (or ``c|sla(now())``) the :class:`Badge`:

    st.state  "ok" | "due_soon" | "breached";  st.target  "first_response" | "resolution"
    st.text   "25 min": business time left, or how long ago it breached;  st.due_at  the due time (UTC)

A page may pass its own ``sla_policies`` (a :class:`~kapwa.inbox.sla.PolicyMap`) in the context.

The markup is built here rather than in a template because it is on every row of the inbox: a template
include per row, with its four gettext calls and a date filter, was about 40% of the page's render time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import jinja2
from markupsafe import Markup, escape

from kapwa.core import i18n
from kapwa.core.i18n_terms import N_
from kapwa.core.models import utcnow
from kapwa.inbox.sla import PolicyMap, SlaStatus, format_duration, sla_state

log = logging.getLogger("kapwa.inbox")


@dataclass(frozen=True)
class Badge:
    state: str
    target: str
    due_at: dt.datetime
    seconds: int
    text: str
    tz: str

    @classmethod
    def of(cls, st: SlaStatus, tz: str) -> Badge:
        # Time left is business time (the team's working time); a breach is told by how long ago it happened.
        shown = st.wall_seconds if st.state == "breached" else st.seconds
        return cls(st.state, st.target, st.due_at, st.seconds, format_duration(shown), tz)


def policy_map(ctx, workspace_id: int) -> PolicyMap | None:
    given = ctx.get("sla_policies")
    if isinstance(given, PolicyMap):
        return given
    request = ctx.get("request")
    if request is None:
        return None
    cache = getattr(request.state, "sla_policy_maps", None)
    if cache is None:
        cache = request.state.sla_policy_maps = {}
    if workspace_id not in cache:
        with request.app.state.rt.db.sessions() as s:
            cache[workspace_id] = PolicyMap.load(s, workspace_id)
    return cache[workspace_id]


def sla_badge_of(conv, pm: PolicyMap | None, now: dt.datetime) -> Badge | None:
    """The badge of one conversation row (None: no target running, or no policy)."""
    if conv is None or (conv.first_response_due_at is None and conv.resolution_due_at is None):
        return None
    try:
        rules = pm.for_source(conv.source_id) if pm is not None else None
        st = sla_state(conv, now, rules)
    except Exception:  # a badge never takes the page down
        log.exception("service-level badge failed for conversation %s", getattr(conv, "id", None))
        return None
    return Badge.of(st, pm.timezone) if st is not None else None


# The badge's words, as the template had them (translated once per language, see _strings).
_WHAT = {"first_response": N_("First response"), "resolution": N_("Resolution")}
_BREACHED = (N_("%(what)s target breached %(d)s ago; it was due %(when)s"), N_("breached %(d)s"),
             N_("%(what)s target breached %(d)s ago"))
_RUNNING = (N_("%(what)s due in %(d)s of business time, at %(when)s"), N_("due in %(d)s"),
            N_("%(what)s due in %(d)s of business time"))
_HTML = ('<span class="sla sla-{state}" data-sla="{state}" title="{title}"><span aria-hidden="true">{shown}</span>'
         '<span class="visually-hidden">{hidden}</span></span>')
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_CACHE: dict[str, tuple[object, dict]] = {}


def _strings(locale: str) -> dict:
    """The badge's messages in one UI language; rebuilt if that language's catalogue is reloaded."""
    catalogue = i18n.translations(locale)
    hit = _CACHE.get(locale)
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    # Plain strings when they only hold %(name)s placeholders (the values are escaped already); Markup, which
    # escapes whatever else a translation might format, otherwise. Both give the text Jinja's gettext gives.
    def tr(message: str) -> str:
        text = catalogue.gettext(message)
        return text if "%" not in _PLACEHOLDER.sub("", text) else Markup(text)

    strings = {"what": {k: Markup(catalogue.gettext(m)) for k, m in _WHAT.items()},
               "breached": tuple(tr(m) for m in _BREACHED), "running": tuple(tr(m) for m in _RUNNING)}
    _CACHE[locale] = (catalogue, strings)
    return strings


def badge_html(badge: Badge | None) -> Markup:
    """The badge's markup in the current UI language ("" for no badge).

    The same text as ``{{ _(message, what=what, d=st.text, when=st.due_at|when(st.tz)) }}`` gives in a template:
    Jinja's gettext keeps the translation as it is and escapes the values put into it (``what`` is itself a
    translation, so it is not escaped); here the values are escaped once and put in with ``%``.
    """
    if badge is None:
        return Markup("")
    from kapwa.web.templating import format_when  # the `when` filter's formatting (cached)

    strings = _strings(i18n.get_locale())
    values = {"what": strings["what"]["first_response" if badge.target == "first_response" else "resolution"],
              "d": escape(badge.text), "when": escape(format_when(badge.due_at, badge.tz))}
    title, shown, hidden = strings["breached" if badge.state == "breached" else "running"]
    return Markup(_HTML.format(state=escape(badge.state), title=title % values, shown=shown % values,
                               hidden=hidden % values))


@jinja2.pass_context
def sla_filter(ctx, conv, now: dt.datetime | None = None) -> Badge | None:
    if conv is None or (conv.first_response_due_at is None and conv.resolution_due_at is None):
        return None
    try:
        pm = policy_map(ctx, conv.workspace_id)
    except Exception:  # a badge never takes the page down
        log.exception("service-level badge failed for conversation %s", getattr(conv, "id", None))
        return None
    return sla_badge_of(conv, pm, now or utcnow())


@jinja2.pass_context
def sla_badge_filter(ctx, conv, now: dt.datetime | None = None) -> Markup:
    return badge_html(sla_filter(ctx, conv, now))


def register(env: jinja2.Environment) -> None:
    env.filters["sla"] = sla_filter
    env.filters["sla_badge"] = sla_badge_filter
