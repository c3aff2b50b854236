"""The analysis chain: ordered, pluggable steps (entry point group ``kapwa.analysis_steps``) over batches.

``Chain.analyze(texts)`` returns one dict per text with the fields and ``versions``; ``analyze_messages``
is the ingest hook (entry point ``kapwa.analyzers: chain``) that stores results on messages.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy import bindparam, select

from kapwa.analysis.base import FIELDS
from kapwa.core.models import LabelCorrection, Message, utcnow

log = logging.getLogger("kapwa.analysis")
GROUP = "kapwa.analysis_steps"
BATCH = 500
# A person's correction wins over the model: these message fields are kept when re-analysing.
CORRECTED_FIELDS = {"sentiment_label": ("sentiment_label",), "toxic": ("toxicity_score", "toxicity_categories"),
                    "intent": ("intent",), "language": ("language", "is_taglish")}


class Chain:
    def __init__(self, steps: list | None = None, *, only: set[str] | None = None):
        self.steps = steps if steps is not None else load_steps()
        if only is not None:
            self.steps = [s for s in self.steps if s.name in only]
        self.failures: dict[str, int] = {}

    @property
    def versions(self) -> dict[str, str]:
        return {s.name: s.version for s in self.steps}

    def analyze(self, texts: list[str]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = [{} for _ in texts]
        done: dict[str, str] = {}  # the steps that ran on this batch, with their versions
        for step in self.steps:
            started = time.perf_counter()
            try:
                step.run(texts, results)
            except Exception:  # one failing step degrades the analysis; it never stops it
                self.failures[step.name] = self.failures.get(step.name, 0) + 1
                log.exception("analysis step %s failed on a batch of %d", step.name, len(texts))
                continue
            done[step.name] = step.version
            log.debug("step %s: %d texts in %.3f s", step.name, len(texts), time.perf_counter() - started)
        for r in results:
            r["versions"] = dict(done)
        return results


@lru_cache(maxsize=1)
def load_steps() -> list:
    steps = []
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
            steps.append(cls())
        except Exception as exc:  # a broken plugin is logged and skipped
            log.error("analysis step %s (%s) skipped: %s", ep.name, ep.value, exc)
    return sorted(steps, key=lambda s: (getattr(s, "order", 100), s.name))


@lru_cache(maxsize=1)
def default_chain() -> Chain:
    return Chain()


def analyze_messages(rt, message_ids: list[int], chain: Chain | None = None) -> int:
    """Analyse stored messages and save the results (the ingest hook and the re-analysis job)."""
    chain = chain or default_chain()
    if not chain.steps:
        return 0
    done = 0
    table = Message.__table__
    for i in range(0, len(message_ids), BATCH):
        ids = message_ids[i : i + BATCH]
        with rt.db.sessions() as s:
            rows = s.execute(select(Message.id, Message.text).where(Message.id.in_(ids))).all()
            corrected: dict[int, set[str]] = {}
            for mid, field in s.execute(select(LabelCorrection.message_id, LabelCorrection.field)
                                        .where(LabelCorrection.message_id.in_(ids))):
                corrected.setdefault(mid, set()).update(CORRECTED_FIELDS.get(field, ()))
        results = chain.analyze([text or "" for _, text in rows])
        now = utcnow()
        groups: dict[frozenset, list[dict]] = {}  # one UPDATE shape per set of fields kept from corrections
        for (mid, _), res in zip(rows, results, strict=True):
            keep = frozenset(corrected.get(mid, ()))
            p = {"_id": mid, "_analysis_versions": res["versions"], "_analyzed_at": now}
            for f in FIELDS:
                if f not in keep:
                    p[f"_{f}"] = res.get(f)
            groups.setdefault(keep, []).append(p)
        with rt.db.write_sessions() as s, s.begin():
            for keep, params in groups.items():
                names = [f for f in FIELDS if f not in keep] + ["analysis_versions", "analyzed_at"]
                stmt = table.update().where(table.c.id == bindparam("_id")).values(
                    {name: bindparam(f"_{name}", type_=table.c[name].type) for name in names})
                s.execute(stmt, params)
                done += len(params)
    return done


analyze_messages.order = 10
