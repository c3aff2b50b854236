"""Sentiment step: ``sentiment_label`` (negative / neutral / positive) and ``sentiment_score`` in [−1, 1].

One joint multinomial logistic regression for English, Filipino and Taglish (models/sentiment.bin.gz,
trained by training/analysis/train_sentiment.py; see models/MODEL_CARD.md). Joint rather than per
language because Taglish mixes both inside one sentence, the language field is unreliable on short
messages, and the Filipino corpora have no neutral class of their own; texts with Filipino function words
get a second, Filipino-only copy of their features (see features.py), so the model can weigh a word
differently in Filipino without a separate model. The language step's fields are not needed.
score = P(positive) − P(negative); label = the most probable class. The whole batch is scored at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kapwa.analysis.features import artefact_version, featurize, load_model

MODEL = "sentiment"


class SentimentStep:
    name: ClassVar[str] = "sentiment"
    order: ClassVar[int] = 20
    version: ClassVar[str] = artefact_version(MODEL, step=1)  # hashes the file; the model loads on first run

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        if not texts:
            return
        model = load_model(MODEL)
        p = model.predict_proba(featurize(texts))
        neg, pos = model.classes.index("negative"), model.classes.index("positive")
        scores = np.round(np.clip(p[:, pos] - p[:, neg], -1.0, 1.0), 4).tolist()
        labels = [model.classes[j] for j in p.argmax(axis=1).tolist()]
        for res, score, label in zip(results, scores, labels, strict=True):
            res["sentiment_score"] = score
            res["sentiment_label"] = label


def analyze(text: str) -> dict[str, Any]:
    """Convenience for one text."""
    res: dict[str, Any] = {}
    SentimentStep().run([text], [res])
    return res
