"""The sync engine: crash-safe resume (kill -9 at random points), health, backoff and Retry-After."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from kapwa.connectors.base import AuthError, BaseConnector, Batch, RateLimited, Unreachable
from kapwa.core.models import Conversation, Member, Message, Source, utcnow
from kapwa.ingest.sync import backoff_seconds, sync_source
from tests.ingest.sync_worker import SyntheticPlatform, item

TOTAL = 1200


def _env(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAPWA_")}
    env.update(KAPWA_SECRET_KEY=settings.secret_key, KAPWA_DATA_DIR=str(settings.data_dir),
               KAPWA_DATABASE_URL=settings.sqlalchemy_url, KAPWA_LOG_LEVEL="WARNING")
    return env


@pytest.mark.xdist_group("crash")
def test_kill_9_at_random_points_loses_and_duplicates_nothing(rt, factory, settings):
    src = factory.source("discord", name="Synthetic")
    rng = random.Random(20261125)
    cmd = [sys.executable, "-m", "tests.ingest.sync_worker", str(src.id), str(TOTAL)]
    kills, progress = 0, []
    for attempt in range(13):
        proc = subprocess.Popen(cmd, env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if attempt < 12:  # 12 runs are killed at random points of the sync; the 13th may finish
            assert proc.stdout.readline().strip() in (b"syncing", b""), "worker did not start"
            time.sleep(rng.uniform(0.0, 0.8))
        else:
            proc.wait(timeout=120)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            with rt.db.sessions() as s:
                progress.append(s.scalar(select(func.count()).select_from(Message)))
            continue
        _out, err = proc.communicate()
        assert proc.returncode == 0, err.decode()[-2000:]
        break
    else:
        pytest.fail("the sync never completed")
    assert kills >= 5, f"only {kills} kills happened; the test did not exercise crashes"
    partial = [p for p in progress if 0 < p < TOTAL]
    assert len(set(partial)) >= 3, f"kills did not land mid-sync often enough: {progress}"
    print("messages stored at each kill:", progress)

    with rt.db.sessions() as s:
        stored = list(s.execute(select(Message.platform_message_id, Message.text, Message.parent_id, Message.id,
                                       Message.conversation_id).where(Message.source_id == src.id)))
        conv_counts = dict(s.execute(select(Conversation.id, Conversation.message_count)).all())
        actual_per_conv = Counter(row.conversation_id for row in stored)
        member_counts = {m.id: m.message_count for m in s.scalars(select(Member))}
        actual_per_member = Counter(s.scalars(select(Message.member_id).where(Message.source_id == src.id)))
        cursor = s.get(Source, src.id).sync_cursor
    expected = {item(n).platform_message_id: item(n).text for n in range(TOTAL)}
    ids = [row.platform_message_id for row in stored]
    assert len(ids) == len(set(ids)) == TOTAL, "duplicated or lost messages"
    assert {row.platform_message_id: row.text for row in stored} == expected
    by_db_id = {row.id: row.platform_message_id for row in stored}
    for row in stored:
        want = item(int(row.platform_message_id[1:])).parent_id
        assert (by_db_id.get(row.parent_id) if row.parent_id else None) == want
    assert conv_counts == dict(actual_per_conv), "conversation counts drifted from the stored messages"
    assert member_counts == dict(actual_per_member), "member counts drifted from the stored messages"
    assert len(conv_counts) == len({item(n).thread_id for n in range(TOTAL)})
    assert json.loads(cursor) == {"next": TOTAL}


class Failing(BaseConnector):
    kind = "failing"

    def __init__(self, exc, good_batches=0):
        super().__init__({}, {})
        self.exc, self.good = exc, good_batches

    def fetch(self, cursor):
        for n in range(self.good):
            yield Batch([item(n)], cursor=f"after-{n}")
        raise self.exc


def _source(rt, src_id) -> Source:
    with rt.db.sessions() as s:
        return s.get(Source, src_id)


def test_success_marks_the_source_healthy(rt, factory):
    src = factory.source("discord")
    out = sync_source(rt, src.id, connector=SyntheticPlatform(30, page=10))
    got = _source(rt, src.id)
    assert out.ok and got.health == "ok" and got.items_last_sync == 30 and got.last_success_at is not None
    assert got.last_error is None and got.next_sync_at > utcnow()


def test_errors_are_recorded_in_plain_words_with_backoff(rt, factory):
    src = factory.source("slack")
    out = sync_source(rt, src.id, connector=Failing(Unreachable("cannot reach slack.com: connection refused"), 2))
    got = _source(rt, src.id)
    assert not out.ok and got.last_error == "cannot reach slack.com: connection refused"
    assert got.health == "degraded" and got.consecutive_failures == 1 and got.sync_cursor == "after-1"
    assert got.items_last_sync == 2  # the batches before the failure are kept
    first_delay = (got.next_sync_at - utcnow()).total_seconds()
    for _ in range(3):
        sync_source(rt, src.id, connector=Failing(Unreachable("still down")))
    got = _source(rt, src.id)
    assert got.health == "failing" and got.consecutive_failures == 4
    assert (got.next_sync_at - utcnow()).total_seconds() > first_delay * 3


def test_auth_errors_wait_for_a_person(rt, factory):
    src = factory.source("mastodon")
    sync_source(rt, src.id, connector=Failing(AuthError("the access token was revoked")))
    got = _source(rt, src.id)
    assert got.health == "failing" and got.last_error == "the access token was revoked"
    assert got.next_sync_at - utcnow() >= dt.timedelta(minutes=59)


def test_retry_after_is_honoured(rt, factory):
    src = factory.source("reddit")
    sync_source(rt, src.id, connector=Failing(RateLimited("Reddit asked us to slow down", retry_after=5000)))
    assert (_source(rt, src.id).next_sync_at - utcnow()).total_seconds() >= 4990


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(1)
    delays = [backoff_seconds(n, rng=rng) for n in range(1, 12)]
    assert 45 <= delays[0] <= 75 and delays[3] > delays[0] * 4
    assert max(delays) <= 6 * 3600 * 1.25
    assert len({round(backoff_seconds(3, rng=rng)) for _ in range(20)}) > 5  # jitter
    assert backoff_seconds(1, retry_after=900, rng=rng) >= 900


def test_unexpected_exceptions_do_not_escape(rt, factory):
    src = factory.source("rss")
    out = sync_source(rt, src.id, connector=Failing(KeyError("guid")))
    assert not out.ok and "unexpected error: KeyError" in _source(rt, src.id).last_error


def test_claiming_due_sources_is_exclusive(rt, factory):
    from kapwa.ingest.sync import claim_due_sources

    a = factory.source("discord")
    factory.source("reddit", enabled=False)
    assert claim_due_sources(rt) == [a.id]
    assert claim_due_sources(rt) == []  # claimed: a second worker gets nothing


def test_messages_table_untouched_by_failed_batch(rt, factory):
    src = factory.source("discord")
    sync_source(rt, src.id, connector=Failing(Unreachable("x"), good_batches=3))
    with rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 3


def test_demo_sources_are_never_synced(rt, factory):
    from kapwa.ingest.sync import claim_due_sources

    demo = factory.source("discord", config={"demo": True})
    real = factory.source("reddit")
    assert claim_due_sources(rt) == [real.id]
    out = sync_source(rt, demo.id)
    assert not out.ok and "demo source" in out.error
