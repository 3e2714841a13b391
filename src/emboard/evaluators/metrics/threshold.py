"""Best-threshold metrics of pair classification, vectorised, equal to MTEB 2.26.24.

Rows are stably sorted by score (descending when higher = more similar); a cut after row i
predicts rows 0..i positive. Cuts between tied scores are skipped; the first strict maximum
wins; the all-positive / all-negative cuts are never evaluated.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score


class ThresholdMetrics(TypedDict):
    """What MTEB reports per score family."""

    accuracy: float
    f1: float
    precision: float
    recall: float
    ap: float


def _sorted(
    scores: NDArray[np.floating], labels: NDArray[np.int64], descending: bool
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-s if descending else s, kind="stable")
    return s[order], np.asarray(labels, dtype=np.int64)[order]


def best_accuracy(
    scores: NDArray[np.floating], labels: NDArray[np.int64], descending: bool
) -> float:
    """Best accuracy over cut points."""
    s, y = _sorted(scores, labels, descending)
    n = len(y)
    if n < 2:
        return 0.0
    pos_so_far = np.cumsum(y[:-1] == 1)
    neg_total = int(np.sum(y == 0))
    remaining_neg = neg_total - np.cumsum(y[:-1] == 0)
    acc = (pos_so_far + remaining_neg) / n
    valid = s[:-1] != s[1:]
    acc = np.where(valid, acc, -np.inf)
    best = int(np.argmax(acc))
    return float(acc[best]) if acc[best] > 0 else 0.0


def best_f1(
    scores: NDArray[np.floating], labels: NDArray[np.int64], descending: bool
) -> tuple[float, float, float]:
    """(F1, precision, recall) at the best-F1 cut point."""
    s, y = _sorted(scores, labels, descending)
    n = len(y)
    total_pos = int(np.sum(y))
    if n < 2 or total_pos == 0:
        return 0.0, 0.0, 0.0
    ncorrect = np.cumsum(y[:-1] == 1)
    extracted = np.arange(1, n)
    precision = ncorrect / extracted
    recall = ncorrect / total_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    valid = (s[:-1] != s[1:]) & (ncorrect > 0)
    f1 = np.where(valid, f1, -np.inf)
    best = int(np.argmax(f1))
    if f1[best] <= 0:
        return 0.0, 0.0, 0.0
    return float(f1[best]), float(precision[best]), float(recall[best])


def threshold_metrics(
    scores: NDArray[np.floating], labels: NDArray[np.int64], descending: bool
) -> ThresholdMetrics:
    """Accuracy, F1 (with its precision and recall) and average precision for one family."""
    f1, precision, recall = best_f1(scores, labels, descending)
    ap = average_precision_score(labels, np.asarray(scores) * (1 if descending else -1))
    return ThresholdMetrics(
        accuracy=best_accuracy(scores, labels, descending),
        f1=f1,
        precision=precision,
        recall=recall,
        ap=float(ap),
    )
