"""Sentiment step: ``sentiment_label`` (negative / neutral / positive) and ``sentiment_score`` in [−1, 1].

One joint multinomial logistic regression for English, Filipino and Taglish (models/sentiment.json.gz,
trained by training/analysis/train_sentiment.py; see models/MODEL_CARD.md). Joint rather than per
language because Taglish mixes both inside one sentence, the language field is unreliable on short
messages, and the Filipino corpora have no neutral class of their own. The language step's fields are
not needed. score = P(positive) − P(negative); label = the most probable class.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kapwa.analysis.features import artefact_version, load_model

MODEL = "sentiment"


class SentimentStep:
    name: ClassVar[str] = "sentiment"
    order: ClassVar[int] = 20
    version: ClassVar[str] = artefact_version(MODEL, step=1)  # hashes the file; the model loads on first run

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        model = load_model(MODEL)
        neg, pos = model.classes.index("negative"), model.classes.index("positive")
        classes = model.classes
        for text, res in zip(texts, results, strict=True):
            p = model.predict_proba(text or "")
            res["sentiment_score"] = round(max(-1.0, min(1.0, p[pos] - p[neg])), 4)
            res["sentiment_label"] = classes[max(range(len(p)), key=p.__getitem__)]


def analyze(text: str) -> dict[str, Any]:
    """Convenience for one text."""
    res: dict[str, Any] = {}
    SentimentStep().run([text], [res])
    return res
