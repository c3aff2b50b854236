"""The Filipino catalogue is complete, compiled, wired into kapwa.core.i18n, and up to date with the templates.

When a test here fails because of a new or changed UI string:

    scripts/i18n.sh extract update     # refresh messages.pot and merge it into fil/LC_MESSAGES/messages.po
    (translate the new entries in kapwa/locale/fil/LC_MESSAGES/messages.po, remove '#, fuzzy' flags)
    scripts/i18n.sh compile check      # rebuild messages.mo and verify
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kapwa.core import i18n
from kapwa.core.models import ActivityType, ConversationStatus, MessageKind, Priority, Role, SourceHealth

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "kapwa" / "locale"
POT = LOCALE_DIR / "messages.pot"
PO = LOCALE_DIR / "fil" / "LC_MESSAGES" / "messages.po"
MO = LOCALE_DIR / "fil" / "LC_MESSAGES" / "messages.mo"
TEMPLATES = ROOT / "kapwa" / "web" / "templates"

HOW_TO_FIX = (
    "run `scripts/i18n.sh extract update`, translate the new entries in "
    "kapwa/locale/fil/LC_MESSAGES/messages.po, then `scripts/i18n.sh compile`"
)

# %(name)s style placeholders, and any other %-directive (to catch a stray "%" in a translation).
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")
# `_("…")` / `_('…')` with a string literal as first argument, in a Jinja template.
TEMPLATE_CALL = re.compile(r"""(?<![\w.])_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture(scope="module")
def pot():
    with POT.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as f:
        return read_po(f, locale="fil")


@pytest.fixture(scope="module")
def pot_ids(pot) -> set[str]:
    return {_key(m.id) for m in pot if m.id}


@pytest.fixture
def locale():
    """Set the UI locale for one test and restore the previous one afterwards."""
    tokens = []

    def use(code: str) -> None:
        tokens.append(i18n.set_locale(code))

    yield use
    for token in reversed(tokens):
        i18n._current.reset(token)


def test_catalogue_files_exist():
    for path in (POT, PO, MO):
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing: {HOW_TO_FIX}"


def test_every_message_has_a_filipino_translation(pot, po):
    problems = []
    for pot_msg in pot:
        if not pot_msg.id:
            continue
        name = _key(pot_msg.id)
        msg = po.get(pot_msg.id, pot_msg.context)
        if msg is None:
            problems.append(f"missing in messages.po: {name!r}")
        elif not all(s.strip() for s in _strings(msg.string)):
            problems.append(f"not translated: {name!r}")
        elif msg.fuzzy:
            problems.append(f"fuzzy (check it, then remove '#, fuzzy'): {name!r}")
    assert not problems, f"{len(problems)} Filipino catalogue problem(s); {HOW_TO_FIX}:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(po):
    problems = []
    for msg in po:
        if not msg.id or not msg.string:
            continue
        source = " ".join(_strings(msg.id))
        wanted = sorted(set(NAMED.findall(source)))
        for text in _strings(msg.string):
            if text and sorted(set(NAMED.findall(text))) != wanted:
                problems.append(f"{_key(msg.id)!r} → {text!r}: placeholders {wanted}")
                continue
            # Jinja's new-style gettext always %-formats the result, so every "%" must be a valid directive.
            try:
                text % {name: 1 for name in wanted}  # 1 fits %s and %d alike
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{_key(msg.id)!r} → {text!r}: not a valid format string ({exc})")
    assert not problems, "translations must keep %(name)s placeholders exactly:\n" + "\n".join(problems)


def test_plural_forms_header(po):
    assert po.num_plurals == 2
    assert po.plural_expr.replace(" ", "") == "(n>1)"


def test_compiled_mo_matches_the_po(po):
    with MO.open("rb") as f:
        mo = read_mo(f)
    def freeze(v):  # plural messages come back as lists
        return tuple(v) if isinstance(v, (list, tuple)) else v

    expected = {freeze(m.id): freeze(m.string) for m in po if m.id and m.string and not m.fuzzy}
    compiled = {freeze(m.id): freeze(m.string) for m in mo if m.id}
    missing = sorted(_key(k) for k in expected.keys() - compiled.keys())
    extra = sorted(_key(k) for k in compiled.keys() - expected.keys())
    changed = sorted(_key(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not (missing or extra or changed), (
        "kapwa/locale/fil/LC_MESSAGES/messages.mo is out of date with messages.po; run `scripts/i18n.sh compile`"
        f"\nnot in .mo: {missing}\nonly in .mo: {extra}\ndiffering: {changed}"
    )


def test_gettext_follows_the_locale(locale, po):
    filipino = po.get("Members").string
    assert filipino and filipino != "Members"

    locale("fil")
    assert i18n.get_locale() == "fil"
    assert i18n.gettext("Members") == filipino
    assert i18n.gettext("Page %(page)s of %(pages)s", page=2, pages=5) == (
        po.get("Page %(page)s of %(pages)s").string % {"page": 2, "pages": 5}
    )
    assert i18n.gettext("a string nobody translated") == "a string nobody translated"

    locale("en")
    assert i18n.gettext("Members") == "Members"
    assert i18n.gettext("Page %(page)s of %(pages)s", page=2, pages=5) == "Page 2 of 5"

    locale("xx")  # unknown locales fall back to English
    assert i18n.get_locale() == "en"
    assert i18n.gettext("Members") == "Members"


def test_templates_render_in_filipino(locale, po):
    from kapwa.web.templating import make_templates

    env = make_templates().env
    template = env.from_string('{{ _("Sign in") }} | {{ _("Page %(page)s of %(pages)s", page=1, pages=3) }}')
    locale("fil")
    assert template.render() == f"{po.get('Sign in').string} | " + (
        po.get("Page %(page)s of %(pages)s").string % {"page": 1, "pages": 3}
    )
    locale("en")
    assert template.render() == "Sign in | Page 1 of 3"


def _template_literals() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(ast.literal_eval(match.group(1)), set()).add(str(path.relative_to(ROOT)))
    return found


def test_template_strings_are_in_the_pot(pot_ids):
    literals = _template_literals()
    assert len(literals) > 50, "the template scan found suspiciously few _() strings"
    missing = {text: files for text, files in literals.items() if text not in pot_ids}
    assert not missing, (
        f"{len(missing)} template string(s) are not in kapwa/locale/messages.pot; {HOW_TO_FIX}:\n"
        + "\n".join(f"{text!r} ({', '.join(sorted(files))})" for text, files in sorted(missing.items()))
    )


@pytest.mark.parametrize(
    "enum", [ConversationStatus, Priority, Role, SourceHealth, ActivityType, MessageKind], ids=lambda e: e.__name__
)
def test_enum_values_shown_in_the_ui_are_translatable(enum, pot_ids):
    """Templates show these through `_(value)`; new values must be added to kapwa/core/i18n_terms.py."""
    missing = sorted(v.value for v in enum if v.value not in pot_ids)
    assert not missing, f"{enum.__name__} values {missing} are not in the catalogue: add N_() entries to " \
        f"kapwa/core/i18n_terms.py, then {HOW_TO_FIX}"


def test_generated_error_messages_are_translatable(pot_ids):
    """Errors built at run time whose every value is known are listed, rendered, in i18n_terms.py."""
    from kapwa.core.security import password_problem

    messages = [password_problem("short")]
    messages += [f"this needs the {r.value} role" for r in Role if r is not Role.analyst]
    messages += [f"this page needs the {r.value} role or higher" for r in Role if r is not Role.analyst]
    missing = [m for m in messages if m not in pot_ids]
    assert not missing, f"{missing} are not in the catalogue: update kapwa/core/i18n_terms.py, then {HOW_TO_FIX}"


# Static messages people see: flash messages (`redirect(url, "Saved")`) and ActionError-family messages.
FLASH_CALL = re.compile(r"""\bredirect\([^,()]+(?:\([^()]*\))?[^,()]*,\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
ERROR_CALL = re.compile(
    r"""\b(?:ActionError|NotFound|Forbidden|TooManyAttempts)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
)


def test_static_flash_and_error_messages_are_translatable(pot_ids):
    """Templates show these through `_(flash[1])` / `_(error)`; list new ones in kapwa/core/i18n_terms.py."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "kapwa").rglob("*.py")):
        if path.name == "i18n_terms.py":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (FLASH_CALL, ERROR_CALL):
            for match in pattern.finditer(source):
                found.setdefault(ast.literal_eval(match.group(1)), set()).add(str(path.relative_to(ROOT)))
    assert "Saved" in found and "wrong e-mail or password" in found, "the message scan found too little"
    missing = {text: files for text, files in found.items() if text not in pot_ids}
    assert not missing, (
        "these messages are not in the catalogue: add them with N_() to kapwa/core/i18n_terms.py, then "
        f"{HOW_TO_FIX}:\n" + "\n".join(f"{t!r} ({', '.join(sorted(f))})" for t, f in sorted(missing.items()))
    )
