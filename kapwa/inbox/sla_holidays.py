"""Philippine regular holidays, hard-coded per year for the one-click preset on the service-levels page.

Sources (see docs/service-levels.md):

* 2026 — Proclamation No. 1006, s. 2025 ("Declaring the regular holidays and special (non-working) days for the
  year 2026"), signed 3 September 2025: the ten regular holidays below.
* 2027 — the proclamation for 2027 had not been published when this table was written. The dates are the
  ones fixed by law — Executive Order No. 292 (Administrative Code of 1987) Book I §26 as amended by
  Republic Act No. 9492 (National Heroes Day on the last Monday of August) — with Maundy Thursday and Good
  Friday from the 2027 Easter date (28 March). Check them against the proclamation once it is out.

Eid'l Fitr and Eid'l Adha are regular holidays too, but their dates are proclaimed separately each year
(after the National Commission on Muslim Filipinos reports the Hijra dates), so they are not in the preset:
add them by hand. Special (non-working) days are not regular holidays and are left out as well.
"""

from __future__ import annotations

import datetime as dt

from kapwa.core.i18n_terms import N_

PH_REGULAR_HOLIDAYS: dict[int, list[tuple[str, str]]] = {
    2026: [
        ("2026-01-01", N_("New Year's Day")),
        ("2026-04-02", N_("Maundy Thursday")),
        ("2026-04-03", N_("Good Friday")),
        ("2026-04-09", N_("Araw ng Kagitingan")),
        ("2026-05-01", N_("Labor Day")),
        ("2026-06-12", N_("Independence Day")),
        ("2026-08-31", N_("National Heroes Day")),
        ("2026-11-30", N_("Bonifacio Day")),
        ("2026-12-25", N_("Christmas Day")),
        ("2026-12-30", N_("Rizal Day")),
    ],
    2027: [
        ("2027-01-01", N_("New Year's Day")),
        ("2027-03-25", N_("Maundy Thursday")),
        ("2027-03-26", N_("Good Friday")),
        ("2027-04-09", N_("Araw ng Kagitingan")),
        ("2027-05-01", N_("Labor Day")),
        ("2027-06-12", N_("Independence Day")),
        ("2027-08-30", N_("National Heroes Day")),
        ("2027-11-30", N_("Bonifacio Day")),
        ("2027-12-25", N_("Christmas Day")),
        ("2027-12-30", N_("Rizal Day")),
    ],
}
SOURCES = {
    2026: "Proclamation No. 1006, s. 2025",
    2027: "dates fixed by law (EO 292 §26, RA 9492); the 2027 proclamation was not yet published",
}


def preset_year(today: dt.date) -> int | None:
    """The year the preset offers: next year when the table has it, else this year, else None."""
    for year in (today.year + 1, today.year):
        if year in PH_REGULAR_HOLIDAYS:
            return year
    return None


def ph_regular_holidays(year: int) -> list[str]:
    """ISO dates of the Philippine regular holidays of ``year`` (empty when the table has no such year)."""
    return [d for d, _ in PH_REGULAR_HOLIDAYS.get(year, [])]


def holiday_name(date: str) -> str | None:
    for days in PH_REGULAR_HOLIDAYS.values():
        for d, name in days:
            if d == date:
                return name
    return None
