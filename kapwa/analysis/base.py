"""The analysis step Protocol. A step reads the texts (and what earlier steps found) and fills its fields.

Steps run in ``order`` over batches. Each records its ``name`` and ``version`` on every message it
analysed (``Message.analysis_versions``), so a model change can trigger re-analysis of exactly what it
touched. A step that raises is logged and skipped; the other steps and the ingest go on.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

# The fields a step may fill, as stored on Message (and printed by `kapwa analyze --stdin`).
FIELDS = ("language", "is_taglish", "sentiment_score", "sentiment_label", "toxicity_score", "toxicity_categories",
          "intent", "needs_answer", "pii", "keywords")


@runtime_checkable
class Step(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    order: ClassVar[int]

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        """Fill this step's fields in ``results[i]`` for ``texts[i]``; earlier steps' fields are there."""
        ...
