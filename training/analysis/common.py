"""Shared training helpers: features.py → scipy CSR (identical features by construction), fitting, export."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from kapwa.analysis import features as F

SEED = 20240601


def matrix(texts: list[str]) -> sp.csr_matrix:
    """Rows of features.featurize (binary n-gram buckets, L2-normalised) as a CSR matrix."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for t in texts:
        idx, inv = F.featurize.__wrapped__(t)[:2]
        indices.extend(idx)
        data.extend([inv] * len(idx))
        indptr.append(len(indices))
    return sp.csr_matrix((np.asarray(data, np.float64), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
                         shape=(len(texts), F.N_BUCKETS))


def check_identical(texts: list[str]) -> None:
    """Assert the CSR rows equal what the runtime featuriser produces (guards against drift)."""
    X = matrix(texts)
    for i, t in enumerate(texts):
        idx, inv = F.featurize(t)[:2]
        row = X.getrow(i)
        assert sorted(idx) == sorted(row.indices.tolist()) and np.allclose(row.data, inv), t


def fit_lr(X, y, C: float, sample_weight=None, class_weight=None, tol: float = 1e-4):
    """Multinomial (or binary) logistic regression, lbfgs. Shipped models: tol 1e-4 (converged, ~2 min);
    bench/quality.py's CV refits pass tol 1e-3 to keep the run short."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=500, tol=tol, class_weight=class_weight, random_state=SEED)
    clf.fit(X, y, sample_weight=sample_weight)
    return clf
