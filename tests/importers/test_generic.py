"""CSV and JSON Lines imports with a column mapping: parsing, threading, people, idempotence, bad records,
resuming, and the `kapwa import` command."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from kapwa.core.models import Conversation, Member, Message, SourceHealth
from tests.importers import (
    FIXTURES,
    conversation_of,
    copy_fixture,
    count,
    do_import,
    identities,
    member_of,
    messages,
)
from tests.importers import source as stored_source

UTC = dt.UTC
CSV = FIXTURES / "generic" / "messages.csv"
MAPPING = {"id": "post_id", "text": "body", "created_at": "posted", "author_id": "user",
           "author_name": "user_name", "author_email": "email", "thread_id": "thread", "parent_id": "reply_to",
           "title": "subject", "channel": "forum"}


def test_csv_with_a_mapping_becomes_threads_and_members(rt, actor):
    outcome, _, _ = do_import(rt, actor, CSV, "csv", options={"mapping": MAPPING})
    assert outcome.ok, outcome.error
    assert (outcome.result.inserted, outcome.result.members_created) == (6, 3)
    msgs = messages(rt)
    assert set(msgs) == {"p1", "p2", "p3", "p4", "p5", "p6"}  # the byte-order mark did not eat "post_id"
    # A quoted field spanning two lines stays one message, line break kept; doubled quotes are unescaped.
    assert msgs["p2"].text == "Sa app po: Cash In > Over the counter.\nTapos ipakita ang barcode."
    assert msgs["p6"].text == 'Sabi ko na "hindi gumagana" yung QR'
    # Offsets are honoured, epoch seconds read, and a date without an offset is taken as UTC.
    assert msgs["p1"].created_at == dt.datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert msgs["p3"].created_at == dt.datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert msgs["p4"].created_at == dt.datetime(2024, 5, 1, 10, 40, tzinfo=UTC)
    # Threads: t1 by thread id, p4/p5 by parent id, p6 alone.
    t1 = conversation_of(rt, "p1")
    assert t1.title == "Cash-in sa 7-Eleven" and t1.channel == "Help" and t1.message_count == 3
    assert conversation_of(rt, "p3").id == t1.id
    assert conversation_of(rt, "p5").id == conversation_of(rt, "p4").id != t1.id
    assert count(rt, Conversation) == 3
    assert msgs["p3"].parent_id == msgs["p2"].id and msgs["p2"].parent_id == msgs["p1"].id
    assert msgs["p2"].kind == "reply" and msgs["p1"].kind == "post"
    assert t1.first_response_at == dt.datetime(2024, 5, 1, 0, 30, tzinfo=UTC)  # Ben answered Ana
    ana = member_of(rt, "p1")
    assert ana.display_name == "Ana Santos" and ana.message_count == 2
    assert identities(rt)["u1"].email == "ana@example.org" and not identities(rt)["u1"].email_verified


def test_importing_the_same_file_twice_adds_nothing(rt, actor):
    do_import(rt, actor, CSV, "csv", options={"mapping": MAPPING})
    again, _, _ = do_import(rt, actor, CSV, "csv", options={"mapping": MAPPING}, restart=True)
    assert again.ok and again.result.inserted == 0 and again.result.members_created == 0
    assert count(rt, Message) == 6 and count(rt, Member) == 3


def test_a_bad_date_stops_the_import_and_keeps_only_whole_batches(rt, actor, tmp_path):
    path = copy_fixture("generic/messages.csv", tmp_path)
    good = path.read_text(encoding="utf-8-sig")
    path.write_text(good.replace("1714560000", "kahapon"), encoding="utf-8-sig")  # p4, line 6

    outcome, _, src = do_import(rt, actor, path, "csv", options={"mapping": MAPPING}, batch_size=2)
    assert not outcome.ok
    assert "messages.csv, line 6, field 'posted'" in outcome.error and "kahapon" in outcome.error
    # Records 1-2 were one batch and are kept; records 3-4 (p3, then the bad p4) were the failing batch.
    assert set(messages(rt)) == {"p1", "p2"}
    stored = stored_source(rt, src.id)
    assert stored.health == SourceHealth.failing.value and "line 6" in stored.last_error
    assert json.loads(stored.sync_cursor) == {"records": 2}

    path.write_text(good, encoding="utf-8-sig")  # the person fixes the file and runs the import again
    resumed, _, _ = do_import(rt, actor, path, "csv", options={"mapping": MAPPING}, batch_size=2)
    assert resumed.ok and resumed.result.inserted == 4
    assert set(messages(rt)) == {"p1", "p2", "p3", "p4", "p5", "p6"} and count(rt, Message) == 6
    assert stored_source(rt, src.id).health == SourceHealth.ok.value


def test_a_missing_required_column_names_it(rt, actor):
    outcome, _, _ = do_import(rt, actor, CSV, "csv", options={"mapping": {**MAPPING, "created_at": "date"}})
    assert not outcome.ok
    assert "messages.csv, line 1 (header), field 'date'" in outcome.error and "created_at" in outcome.error
    assert count(rt, Message) == 0


def test_an_unknown_mapping_field_is_refused_before_anything_starts(rt, actor):
    with pytest.raises(KeyError, match="unknown Kapwa field 'body'"):
        do_import(rt, actor, CSV, "csv", options={"mapping": {"body": "text"}})


def test_jsonl_skip_bad_imports_the_rest_and_lists_the_bad_ones(rt, actor, tmp_path):
    path = copy_fixture("generic/messages.jsonl", tmp_path)
    lines = path.read_text().splitlines()
    lines.insert(1, '{"id": "broken", "text": "no closing brace"')
    lines.append(json.dumps({"id": "j5", "text": "walang petsa"}))
    path.write_text("\n".join(lines) + "\n")

    outcome, connector, _ = do_import(rt, actor, path, "jsonl", skip_bad=True, batch_size=2)
    assert outcome.ok and outcome.result.inserted == 4
    assert [(b.where, b.field) for b in connector.bad] == [("line 2", None), ("line 7", "created_at")]
    assert "not valid JSON" in connector.bad[0].problem
    msgs = messages(rt)
    assert msgs["j3"].created_at == dt.datetime(2024, 6, 1, 2, 30, tzinfo=UTC)  # no offset: UTC
    assert conversation_of(rt, "j3").id == conversation_of(rt, "j1").id  # j3 → j2 → j1
    fe = member_of(rt, "j4")
    assert fe.display_name == "Fe" and identities(rt)["fe@example.org"].email == "fe@example.org"


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "kapwa.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


@pytest.mark.skipif(bool(os.environ.get("KAPWA_TEST_DATABASE_URL")),
                    reason="the CLI test uses its own SQLite database")
def test_cli_import_with_skip_bad_writes_a_report(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAPWA_")}
    env.update(KAPWA_SECRET_KEY="cli-import-secret-0123456789", KAPWA_DATA_DIR=str(tmp_path / "data"))
    r = _cli("init", "--email", "owner@bayani.example", "--password", "a long password", "--name", "Liza",
             "--workspace", "Bayani Pay", env=env)
    assert r.returncode == 0, r.stderr
    path = copy_fixture("generic/messages.csv", tmp_path)
    text = path.read_text(encoding="utf-8-sig").replace("1714560000", "kahapon").replace("\np6,", "\n,")
    path.write_text(text, encoding="utf-8-sig")
    report = tmp_path / "bad.jsonl"

    r = _cli("import", str(path), "--format", "csv", "--mapping", json.dumps(MAPPING), "--skip-bad",
             "--report", str(report), "--batch-size", "2", env=env)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "2 bad records skipped" in r.stdout and "Imported 4 new messages" in r.stdout
    bad = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(b["where"], b["field"]) for b in bad] == [("line 6", "posted"), ("line 8", "post_id")]
    assert bad[0]["file"].endswith("messages.csv")

    r = _cli("import", str(path), "--format", "csv", "--mapping", json.dumps(MAPPING), "--restart", env=env)
    assert r.returncode == 1 and "line 6, field 'posted'" in r.stderr + r.stdout
    assert "Imported 0 messages before stopping" in r.stdout
