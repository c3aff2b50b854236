"""The service-level badge built in Python (kapwa/inbox/sla_badge.py) gives exactly the markup the per-row
template include gave before it (kept below as the reference), in English and Filipino, for every state."""

from __future__ import annotations

import datetime as dt

import pytest

from kapwa.core import i18n
from kapwa.inbox.sla_badge import Badge, badge_html
from kapwa.web.templating import make_templates

# conversations/_sla_badge.html as it was, with `st` given instead of computed from `c`.
REFERENCE = """\
{% if st %}
{% set what = _("First response") if st.target == 'first_response' else _("Resolution") %}
{% if st.state == 'breached' %}
<span class="sla sla-breached" data-sla="breached" title="{{ _('%(what)s target breached %(d)s ago; it was due %(when)s', what=what, d=st.text, when=st.due_at|when(st.tz)) }}"><span aria-hidden="true">{{ _("breached %(d)s", d=st.text) }}</span><span class="visually-hidden">{{ _('%(what)s target breached %(d)s ago', what=what, d=st.text) }}</span></span>
{% else %}
<span class="sla sla-{{ st.state }}" data-sla="{{ st.state }}" title="{{ _('%(what)s due in %(d)s of business time, at %(when)s', what=what, d=st.text, when=st.due_at|when(st.tz)) }}"><span aria-hidden="true">{{ _("due in %(d)s", d=st.text) }}</span><span class="visually-hidden">{{ _('%(what)s due in %(d)s of business time', what=what, d=st.text) }}</span></span>
{% endif %}
{% endif %}"""

DUE = dt.datetime(2026, 3, 2, 1, 5, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("locale", ["en", "fil"])
@pytest.mark.parametrize("state", ["ok", "due_soon", "breached"])
@pytest.mark.parametrize("target", ["first_response", "resolution"])
@pytest.mark.parametrize("text", ["25 min", "3 d 4 h", "<1 min & \"more\""])
def test_badge_markup_matches_the_template(locale, state, target, text):
    env = make_templates().env
    badge = Badge(state, target, DUE, 1500, text, "Asia/Manila")
    token = i18n.set_locale(locale)
    try:
        expected = env.from_string(REFERENCE).render(st=badge).strip()
        assert str(badge_html(badge)) == expected
        assert str(env.from_string("{{ c|sla_badge }}").render(c=None)) == ""
    finally:
        i18n._current.reset(token)


def test_no_badge_is_empty():
    assert badge_html(None) == ""
