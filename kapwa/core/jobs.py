"""Background jobs on Huey. Jobs carry ids and JSON only — never pickled objects.

* Declare a job with ``@job("area.name")``: a function ``fn(rt, **payload)``.
* Declare periodic jobs in :data:`PERIODIC` (the one place they are listed).
* ``JobQueue(rt).enqueue("area.name", id=5)`` puts a job on the queue.

Without ``KAPWA_REDIS_URL`` the queue is a SQLite file in the data directory and ``kapwa serve`` runs the
consumer in-process; with it, the queue is Redis and ``kapwa worker`` processes run the jobs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
from collections.abc import Callable
from typing import Any

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.registry import Message
from huey.serializer import Serializer

log = logging.getLogger("kapwa.jobs")

JobFn = Callable[..., Any]
_JOBS: dict[str, JobFn] = {}

# Modules that declare jobs; imported when a queue is built.
JOB_MODULES = ("kapwa.core.builtin_jobs", "kapwa.inbox.sla_jobs", "kapwa.inbox.replies.send")

# Every periodic job, in one place: (job name, crontab arguments).
PERIODIC: list[tuple[str, dict[str, str]]] = [
    ("team.purge_expired_sessions", {"minute": "17", "hour": "*/6"}),
    ("members.refresh_all_stats", {"minute": "5", "hour": "3"}),
    ("sources.sync_due", {"minute": "*"}),
    ("members.auto_merge", {"minute": "*/15"}),
    ("analysis.reanalyze_stale", {"minute": "40", "hour": "2"}),
    ("inbox.rescore_open", {"minute": "*/10"}),
    ("inbox.sla_notify", {"minute": "*/5"}),
    ("replies.sweep", {"minute": "*"}),
]


def job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        if name in _JOBS and _JOBS[name] is not fn:
            raise ValueError(f"job {name!r} is declared twice")
        _JOBS[name] = fn
        return fn

    return register


def registered() -> dict[str, JobFn]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_JOBS)


class JsonSerializer(Serializer):
    """Huey messages and results as JSON; anything that is not plain JSON is refused at enqueue time."""

    def _serialize(self, data: Any) -> bytes:
        if isinstance(data, Message):
            d = data._asdict()
            if d["on_complete"] or d["on_error"] or d["chord_config"]:
                raise TypeError("Kapwa jobs do not use pipelines or chords")
            for key in ("eta", "expires_resolved"):
                if isinstance(d[key], dt.datetime):
                    d[key] = d[key].isoformat()
            if isinstance(d["expires"], dt.timedelta):
                d["expires"] = d["expires"].total_seconds()
            d["args"] = list(d["args"] or ())
            payload = {"message": d}
        else:
            payload = {"value": data}
        try:
            return json.dumps(payload, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"job data must be plain JSON (ids, strings, numbers): {exc}") from None

    def _deserialize(self, data: bytes) -> Any:
        payload = json.loads(data)
        if "message" not in payload:
            return payload.get("value")
        d = payload["message"]
        for key in ("eta", "expires_resolved"):
            if d.get(key):
                d[key] = dt.datetime.fromisoformat(d[key])
        d["args"] = tuple(d.get("args") or ())
        return Message(**d)


def make_huey(settings, immediate: bool = False) -> Huey:
    common = {"name": "kapwa", "serializer": JsonSerializer(), "utc": True, "immediate": immediate}
    if settings.redis_url:
        return RedisHuey(url=settings.redis_url, **common)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(filename=str((settings.data_dir / "jobs.db").resolve()), **common)


class JobQueue:
    """The queue bound to a runtime: registers every declared job as a Huey task that receives ``rt``."""

    def __init__(self, rt, immediate: bool = False):
        self.rt = rt
        self.huey = make_huey(rt.settings, immediate=immediate)
        self._tasks: dict[str, Any] = {}
        jobs = registered()
        for name, fn in jobs.items():
            self._tasks[name] = self.huey.task(name=name)(self._runner(name, fn))
        for name, cron in PERIODIC:
            if name not in jobs:
                raise ValueError(f"periodic job {name!r} is not declared with @job")
            self.huey.periodic_task(crontab(**cron), name=f"periodic:{name}")(self._runner(name, jobs[name]))

    def _runner(self, name: str, fn: JobFn) -> Callable[..., Any]:
        rt = self.rt

        def run(**payload: Any) -> Any:
            log.info("job %s %s", name, payload)
            return fn(rt, **payload)

        run.__name__ = name.replace(".", "_")
        return run

    def enqueue(self, name: str, **payload: Any):
        if name not in self._tasks:
            raise KeyError(f"no job named {name!r}; known: {', '.join(sorted(self._tasks))}")
        json.dumps(payload)  # refuse non-JSON payloads here, with a clear error
        return self._tasks[name](**payload)

    def consumer(self, workers: int | None = None):
        return self.huey.create_consumer(workers=workers or self.rt.settings.worker_threads, worker_type="thread",
                                         periodic=True, check_worker_health=False)


class InProcessWorker:
    """Runs the Huey consumer inside ``kapwa serve`` (threads; no signal handlers)."""

    def __init__(self, queue: JobQueue):
        self.consumer = queue.consumer()
        self.consumer._set_signal_handlers = lambda: None

    def start(self) -> None:
        self.consumer.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)
