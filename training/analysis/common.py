"""Shared training helpers: features.py → scipy CSR (identical features by construction), fitting, export."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from kapwa.analysis import features as F

SEED = 20240601
CHUNK = 2000


def _csr(ft: F.Feats) -> sp.csr_matrix:
    """One featurised batch as CSR rows: bucket occurrences (repeats summed: count × inv), then their
    Filipino copies — the column layout F.export_model expects."""
    return sp.csr_matrix((ft.inv[ft.doc], (ft.doc, ft.bucket)), shape=(ft.n, F.N_ROWS))


def matrix(texts: list[str]) -> sp.csr_matrix:
    """Rows of features.featurize — the run-time batch function itself — as a CSR matrix."""
    parts = [_csr(F._featurize(texts[i : i + CHUNK])) for i in range(0, len(texts), CHUNK)]
    return sp.vstack(parts).tocsr() if parts else sp.csr_matrix((0, F.N_ROWS))


def check_identical(texts: list[str], model: F.LinearModel | None = None) -> None:
    """Assert the training rows equal the run-time featuriser's, text by text and in another batch (a
    text's features must not depend on its batch); with ``model``, that the run-time scorer equals X @ W."""
    X = matrix(texts)
    for i, t in enumerate(texts):
        diff = X.getrow(i) - _csr(F.featurize([t]))
        assert diff.nnz == 0 or abs(diff).max() < 1e-12, t
    Y = _csr(F.featurize(list(reversed(texts))))[::-1]
    diff = X - Y
    assert diff.nnz == 0 or abs(diff).max() < 1e-12
    if model is not None:
        W = np.stack(model.cols, axis=1).astype(np.float64) * model.scale
        assert np.allclose(X @ W + model.bias, model.logits(F.featurize(texts)), atol=1e-9)


def fit_lr(X, y, C: float, sample_weight=None, class_weight=None, tol: float = 1e-4, init=None):
    """Multinomial (or binary) logistic regression, lbfgs. Shipped models: tol 1e-4 (converged, ~2 min);
    bench/quality.py's CV refits pass tol 1e-3 to keep the run short, and ``init`` (a model fitted on
    the same features) to start lbfgs from its weights — the same convex problem, fewer iterations."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=500, tol=tol, class_weight=class_weight, random_state=SEED,
                             warm_start=init is not None)
    if init is not None:
        clf.coef_, clf.intercept_ = init.coef_.copy(), init.intercept_.copy()
    clf.fit(X, y, sample_weight=sample_weight)
    return clf
