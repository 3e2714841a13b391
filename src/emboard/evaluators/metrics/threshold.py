"""Best-threshold metrics of pair classification, vectorised, equal to MTEB 2.26.24.

Rows are sorted by score (descending when higher = more similar); a cut after row ``i`` predicts
rows ``0..i`` positive. Cuts between tied scores are skipped (so the order inside a tie never
matters), the first strict maximum wins, and the all-positive / all-negative cuts are never
evaluated. Average precision is scikit-learn's (tied scores form one threshold).
"""

from __future__ import annotations

from typing import Literal, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import average_precision_score

ThresholdKey = Literal["accuracy", "f1", "precision", "recall", "ap"]
THRESHOLD_KEYS: tuple[ThresholdKey, ...] = ("accuracy", "f1", "precision", "recall", "ap")
"""MTEB's key order per family; ``max_<key>`` is each key's maximum over families."""


class ThresholdMetrics(TypedDict):
    """What MTEB reports per score family, in MTEB's key order."""

    accuracy: float
    f1: float
    precision: float
    recall: float
    ap: float


class _Cuts:
    """Labels in score order and which cut points (after row i, i < n-1) split no tie."""

    def __init__(self, scores: ArrayLike, labels: ArrayLike, descending: bool) -> None:
        s = np.asarray(scores, dtype=np.float64)
        order = np.argsort(-s if descending else s, kind="stable")
        s = s[order]
        self.labels: NDArray[np.int64] = np.asarray(labels, dtype=np.int64)[order]
        self.n = len(s)
        self.valid: NDArray[np.bool_] = s[:-1] != s[1:]


def _first_max(values: NDArray[np.float64], valid: NDArray[np.bool_]) -> int | None:
    """Index of the first strict maximum above 0 among valid cuts (MTEB starts from best = 0)."""
    if not valid.any():
        return None
    masked = np.where(valid, values, -np.inf)
    best = int(np.argmax(masked))
    return best if masked[best] > 0 else None


def _best_accuracy(cuts: _Cuts) -> float:
    if cuts.n < 2:
        return 0.0
    head = cuts.labels[:-1]
    positives_so_far = np.cumsum(head == 1)
    remaining_negatives = int(np.sum(cuts.labels == 0)) - np.cumsum(head == 0)
    accuracy = (positives_so_far + remaining_negatives) / cuts.n
    best = _first_max(accuracy, cuts.valid)
    return 0.0 if best is None else float(accuracy[best])


def _best_f1(cuts: _Cuts) -> tuple[float, float, float]:
    total_positives = int(np.sum(cuts.labels))
    if cuts.n < 2 or total_positives == 0:
        return 0.0, 0.0, 0.0
    true_positives = np.cumsum(cuts.labels[:-1] == 1)
    precision = true_positives / np.arange(1, cuts.n)
    recall = true_positives / total_positives
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    best = _first_max(f1, cuts.valid & (true_positives > 0))
    if best is None:
        return 0.0, 0.0, 0.0
    return float(f1[best]), float(precision[best]), float(recall[best])


def best_accuracy(scores: ArrayLike, labels: ArrayLike, descending: bool) -> float:
    """Best accuracy over cut points."""
    return _best_accuracy(_Cuts(scores, labels, descending))


def best_f1(scores: ArrayLike, labels: ArrayLike, descending: bool) -> tuple[float, float, float]:
    """(F1, precision, recall) at the best-F1 cut point."""
    return _best_f1(_Cuts(scores, labels, descending))


def average_precision(scores: ArrayLike, labels: ArrayLike, descending: bool) -> float:
    """scikit-learn's average precision, negating distances so higher = more similar."""
    signed = np.asarray(scores, dtype=np.float64) * (1 if descending else -1)
    return float(average_precision_score(np.asarray(labels, dtype=np.int64), signed))


def threshold_metrics(scores: ArrayLike, labels: ArrayLike, descending: bool) -> ThresholdMetrics:
    """Accuracy, F1 (with its precision and recall) and average precision for one family."""
    cuts = _Cuts(scores, labels, descending)
    f1, precision, recall = _best_f1(cuts)
    return ThresholdMetrics(
        accuracy=_best_accuracy(cuts),
        f1=f1,
        precision=precision,
        recall=recall,
        ap=average_precision(scores, labels, descending),
    )
