"""UI translations (Babel/gettext). English is the source language; Filipino is `fil`."""

from __future__ import annotations

import contextvars
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = {"en": "English", "fil": "Filipino"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("kapwa_locale", default="en")


@cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def set_locale(locale: str) -> contextvars.Token:
    return _current.set(locale if locale in LOCALES else "en")


def get_locale() -> str:
    return _current.get()


def gettext(message: str, **variables) -> str:
    text = translations(_current.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext
