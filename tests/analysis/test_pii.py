"""PiiStep and mask: e-mails and Philippine / international phone numbers, conservatively."""

from __future__ import annotations

import pytest

from kapwa.analysis.pii import PiiStep, find, mask


def found(text: str) -> list[tuple[str, str]]:
    return [(sp["type"], text[sp["start"]:sp["end"]]) for sp in find(text)]


@pytest.mark.parametrize(("text", "phone"), [
    ("Text me at 0917 123 4567 po", "0917 123 4567"),
    ("09181234567 yung number ko", "09181234567"),
    ("Call +63 917 123 4567 anytime", "+63 917 123 4567"),
    ("GCash ko: +639171234567.", "+639171234567"),
    ("my number is 0917-123-4567, thanks", "0917-123-4567"),
    ("+63-917-123-4567", "+63-917-123-4567"),
    ("Landline (02) 8123 4567 lang", "(02) 8123 4567"),
    ("hotline 02-8123-4567", "02-8123-4567"),
    ("Cebu office (032) 234 5678", "(032) 234 5678"),
    ("US support +1 415 555 0100", "+1 415 555 0100"),
    ("cp no. 09171234567", "09171234567"),
])
def test_phones(text, phone):
    assert found(text) == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "Nag-send ako ng ₱2,000 noong 2024-01-15 pero wala pa",
    "Earn ₱5,000 daily! DM me on telegram",
    "amount 10,000.00 on 01/15/2024 at 10:30",
    "Ref No. 09171234567 po yung transaction",
    "Ref no: 1234567890123",
    "Order #0917123456789",
    "Transaction ID 8123456789012",
    "balance ₱09171234567",
    "version 2.0.9 build 09171234",
    "May 15, 2024 ako nag-cash-in ng 1500",
    "error 503",
    "",
])
def test_not_pii(text):
    assert find(text) == []


def test_email_and_mask():
    text = "Email me at juan.dela-cruz+kapwa@gmail.com. or text 0917 123 4567"
    spans = find(text)
    assert [sp["type"] for sp in spans] == ["email", "phone"]
    assert text[spans[0]["start"]:spans[0]["end"]] == "juan.dela-cruz+kapwa@gmail.com"
    assert mask(text, spans) == "Email me at [email]. or text [phone]"
    assert mask("no pii here", []) == "no pii here"


def test_step_fills_lists():
    results = [{}, {}]
    PiiStep().run(["maria@bayanipay.ph", "walang pii"], results)
    assert results[0]["pii"] == [{"type": "email", "start": 0, "end": 18}]
    assert results[1]["pii"] == []
    assert PiiStep.order == 50 and PiiStep.name == "pii"


def test_step_equals_find():
    from kapwa.analysis.pii import PiiStep, find

    texts = ["", "call 0917 123 4567", "@juan hi", "a@b.co and +63 917 123 4567", "12345678", "١٢٣٤٥٦٧٨٩",
             "+1 2 34 56 @x", "ref no 09171234567", None, "juan@example.com"]
    results = [{} for _ in texts]
    PiiStep().run(texts, results)
    assert [r["pii"] for r in results] == [find(t or "") for t in texts]
