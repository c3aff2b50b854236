"""PII step: ``pii`` = list of ``{"type": "email"|"phone", "start", "end"}`` character spans.

Conservative on purpose: a phone must look like a Philippine mobile (09XX XXX XXXX, 09XXXXXXXXX,
+63 9XX XXX XXXX, +639XXXXXXXXX, 639XXXXXXXXX), a Philippine landline with its area code marked
((02) 8XXX XXXX, 02-8XXX-XXXX, (032) 234 5678, +63 2 8XXX XXXX) or an international number written with
"+". Spaces, dashes and dots between groups are allowed. Amounts (₱2,000), dates, times, and digit runs
preceded by a reference/transaction/account label ("Ref No. 09171234567") are not phones. ``mask``
replaces spans with "[email]" / "[phone]".
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w@])")

_S = r"[ .-]?"  # one optional separator between digit groups
PHONE = re.compile(
    r"(?<![\w₱$#/.,+])(?:"
    # mobile: 09XX XXX XXXX / +63 9XX XXX XXXX / 639XXXXXXXXX (also +63 (917) ...)
    rf"(?:\+63{_S}|\b63|\b0)\(?9\d{{2}}\)?{_S}\d{{3}}{_S}\d{{4}}"
    # Metro Manila landline: (02) 8XXX XXXX, 02-8XXX-XXXX, 0288881234
    rf"|\(02\){_S}8\d{{3}}{_S}\d{{4}}|\b02{_S}8\d{{3}}{_S}\d{{4}}"
    # provincial landline, area code in parentheses: (032) 234 5678
    rf"|\(0\d{{2,3}}\){_S}\d{{3}}{_S}\d{{4}}"
    # +63 landline: +63 2 8XXX XXXX, +63 32 234 5678
    rf"|\+63{_S}\(?[2-8]\d{{0,2}}\)?{_S}\d{{3,4}}{_S}\d{{4}}"
    # other international numbers, written with "+": +1 415 555 0100, +65 6123 4567
    rf"|\+(?!63)[1-9]\d{{0,2}}{_S}\(?\d{{1,4}}\)?(?:{_S}\d{{2,4}}){{2,4}}"
    r")(?![\d₱]|[,.-]\d)"
)
# A digit run right after one of these is a reference, not a phone.
NOT_PHONE_BEFORE = re.compile(
    r"\b(?:ref(?:erence)?|txn|trans(?:action)?|trace|order|invoice|inv|acct|account|card|tracking|ticket|"
    r"control|batch|id|no|number|num|#)\W{0,6}(?:no\.?|number|num|#)?\W{0,4}$",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")
_PHONE_CONTEXT = re.compile(r"(?:phone|mobile|cell|cp|tel|contact|call|text)\W{0,6}(?:no\.?|number|#)?\W{0,4}$", re.IGNORECASE)
MIN_DIGITS = 9  # the fewest digits of a phone number


def find(text: str) -> list[dict[str, Any]]:
    """PII spans in ``text``, sorted by start, not overlapping."""
    # cheap exits first: an e-mail needs "@", a phone needs 9 digits
    if not text or ("@" not in text and (not _DIGIT.search(text) or len(_DIGIT.findall(text)) < MIN_DIGITS)):
        return []
    return _spans(text, phones=True)


def _spans(text: str, *, phones: bool) -> list[dict[str, Any]]:
    """find() past its cheap exits; ``phones=False`` when ``text`` has fewer than MIN_DIGITS digits (then every
    phone-like match would be rejected for having too few digits)."""
    spans: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for m in EMAIL.finditer(text) if "@" in text else ():
        spans.append({"type": "email", "start": m.start(), "end": m.end()})
        taken.append((m.start(), m.end()))
    for m in PHONE.finditer(text) if phones else ():
        s, e = m.start(), m.end()
        if any(s < te and ts < e for ts, te in taken):
            continue
        digits = sum(c.isdigit() for c in m.group())
        if not MIN_DIGITS <= digits <= 15:
            continue
        before = text[max(0, s - 24):s]
        if NOT_PHONE_BEFORE.search(before) and not _PHONE_CONTEXT.search(before):
            continue
        spans.append({"type": "phone", "start": s, "end": e})
        taken.append((s, e))
    spans.sort(key=lambda sp: sp["start"])
    return spans


def mask(text: str, spans: list[dict[str, Any]]) -> str:
    """``text`` with every span replaced by "[email]" or "[phone]"."""
    out = []
    pos = 0
    for sp in sorted(spans, key=lambda sp: sp["start"]):
        if sp["start"] < pos:
            continue
        out.append(text[pos:sp["start"]])
        out.append(f"[{sp['type']}]")
        pos = sp["end"]
    out.append(text[pos:])
    return "".join(out)


class PiiStep:
    name: ClassVar[str] = "pii"
    version: ClassVar[str] = "regex-ph-kapwa-1"
    order: ClassVar[int] = 50

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        texts = [t or "" for t in texts]
        for text, r, (at, digits) in zip(texts, results, _counts(texts), strict=True):
            r["pii"] = _spans(text, phones=digits >= MIN_DIGITS) if at or digits >= MIN_DIGITS else []


def _counts(texts: list[str]) -> list[tuple[int, int]]:
    """Per text, (number of "@", number of characters that might be digits: 0-9 or anything outside ASCII,
    where the other Unicode digits are) — counted for the whole batch at once, so the texts that cannot have
    PII skip the per-text checks, and those without enough digits the phone pattern."""
    if not texts:
        return []
    c = np.frombuffer("".join(texts).encode("utf-32-le"), np.uint32)
    lens = np.fromiter(map(len, texts), np.int64, len(texts))
    ends = np.cumsum(lens)
    out = []
    for mask in (c == 64, ((c >= 48) & (c <= 57)) | (c > 127)):
        sums = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
        out.append((sums[ends] - sums[ends - lens]).tolist())
    return list(zip(*out, strict=True))
