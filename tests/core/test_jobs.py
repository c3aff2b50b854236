"""Background jobs: JSON-only payloads, in-process consumer, and Redis with separate `kapwa worker` processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest

from kapwa.core.jobs import PERIODIC, InProcessWorker, JobQueue, JsonSerializer, registered
from kapwa.core.models import Member
from kapwa.core.runtime import Runtime
from kapwa.core.settings import load_settings
from tests.support.services import redis_server


def _member_with_messages(factory, n=3) -> Member:
    member = factory.member("Juan dela Cruz")
    ident = factory.identity(member, factory.source())
    conv = factory.conversation()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        factory.message(conv, text=f"message {i}", identity=ident, created_at=start + dt.timedelta(hours=i))
    return member


def _wait_for_count(rt, member_id, expected, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with rt.db.sessions() as s:
            if s.get(Member, member_id).message_count == expected:
                return True
        time.sleep(0.1)
    return False


def test_job_payloads_must_be_json(rt):
    queue = JobQueue(rt)
    with pytest.raises(TypeError):
        queue.enqueue("members.refresh_stats", member_id=object())
    with pytest.raises(KeyError, match="no job named"):
        queue.enqueue("no.such.job")


def test_json_serializer_round_trips_messages_and_refuses_objects():
    from huey.registry import Message

    ser = JsonSerializer()
    msg = Message(id="abc", name="members.refresh_stats", eta=dt.datetime(2026, 1, 1, 8, 0), retries=0,
                  retry_delay=0, priority=None, args=(), kwargs={"member_id": 5})
    back = ser.deserialize(ser.serialize(msg))
    assert back.kwargs == {"member_id": 5} and back.eta == msg.eta and back.name == msg.name
    assert b"pickle" not in ser.serialize(msg) and ser.serialize(msg).startswith(b"{")
    with pytest.raises(TypeError, match="plain JSON"):
        ser.serialize({"value": object()})


def test_periodic_jobs_are_declared_jobs():
    jobs = registered()
    assert PERIODIC and all(name in jobs for name, _ in PERIODIC)


def test_in_process_worker_runs_jobs(rt, factory):
    member = _member_with_messages(factory)
    queue = JobQueue(rt)
    worker = InProcessWorker(queue)
    worker.start()
    try:
        queue.enqueue("members.refresh_stats", member_id=member.id)
        assert _wait_for_count(rt, member.id, 3), "the in-process consumer did not run the job"
    finally:
        worker.stop()


@pytest.mark.services
def test_redis_queue_with_separate_worker_processes(rt, factory, settings):
    member = _member_with_messages(factory, n=4)
    with redis_server() as redis_url:
        env = {**os.environ, "KAPWA_REDIS_URL": redis_url, "KAPWA_SECRET_KEY": settings.secret_key,
               "KAPWA_DATA_DIR": str(settings.data_dir), "KAPWA_DATABASE_URL": settings.sqlalchemy_url}
        workers = [
            subprocess.Popen([sys.executable, "-m", "kapwa.cli", "worker", "--threads", "1"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        try:
            producer = Runtime.from_settings(load_settings(
                secret_key=settings.secret_key, data_dir=settings.data_dir,
                database_url=settings.sqlalchemy_url, redis_url=redis_url))
            queue = JobQueue(producer)
            assert queue.rt.settings.jobs_in_process is False
            queue.enqueue("members.refresh_stats", member_id=member.id)
            ok = _wait_for_count(rt, member.id, 4, timeout=30)
            producer.close()
        finally:
            for w in workers:
                w.terminate()
            logs = [w.communicate(timeout=15)[0].decode(errors="replace") for w in workers]
        assert ok, "no worker ran the job:\n" + "\n---\n".join(logs)
        assert any("Redis" in log for log in logs)
