"""Classification scoring as MTEB computes it: seeded undersampling and hard-prediction metrics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
)

METRIC_KEYS = (
    "accuracy",
    "f1",
    "f1_weighted",
    "precision",
    "precision_weighted",
    "recall",
    "recall_weighted",
    "ap",
    "ap_weighted",
)


def undersample_orders(n_train: int, n_experiments: int, seed: int = 42) -> list[NDArray[np.int64]]:
    """The walk order of the training rows in each experiment.

    MTEB shuffles one index list in place with a fresh ``RandomState(seed)`` per experiment, so
    experiment e's order is the previous order permuted by the same permutation ``p``.
    """
    perm = np.random.RandomState(seed).permutation(n_train)
    orders = []
    order = np.arange(n_train)
    for _ in range(n_experiments):
        order = order[perm]
        orders.append(order)
    return orders


def first_per_label(
    order: NDArray[np.int64], labels: NDArray[Any], per_label: int
) -> NDArray[np.int64]:
    """Rows of ``order`` kept by walking it and keeping ≤ ``per_label`` rows of each label."""
    lab = labels[order]
    by_label = np.argsort(lab, kind="stable")
    sorted_lab = lab[by_label]
    starts = np.flatnonzero(np.r_[True, sorted_lab[1:] != sorted_lab[:-1]])
    sizes = np.diff(np.r_[starts, len(lab)])
    rank_sorted = np.arange(len(lab)) - np.repeat(starts, sizes)
    rank = np.empty_like(rank_sorted)
    rank[by_label] = rank_sorted
    kept: NDArray[np.int64] = order[rank < per_label]
    return kept


def prediction_metrics(y_true: NDArray[Any], y_pred: NDArray[Any]) -> dict[str, float | None]:
    """Accuracy, macro/weighted F1, precision, recall; AP on hard predictions when binary."""
    scores: dict[str, float | None] = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "f1": float(f1_score(y_true, y_pred, average="macro")),
        "f1_weighted": float(f1_score(y_true, y_pred, average="weighted")),
        "precision": float(precision_score(y_true, y_pred, average="macro")),
        "precision_weighted": float(precision_score(y_true, y_pred, average="weighted")),
        "recall": float(recall_score(y_true, y_pred, average="macro")),
        "recall_weighted": float(recall_score(y_true, y_pred, average="weighted")),
        "ap": None,
        "ap_weighted": None,
    }
    if len(np.unique(y_true)) == 2:
        scores["ap"] = float(average_precision_score(y_true, y_pred, average="macro"))
        scores["ap_weighted"] = float(average_precision_score(y_true, y_pred, average="weighted"))
    return scores


def average_experiments(per_experiment: list[dict[str, float | None]]) -> dict[str, float]:
    """Mean of each metric over experiments (NaN where no experiment has a value)."""
    out = {}
    for key in per_experiment[0]:
        values = [v for s in per_experiment if (v := s[key]) is not None]
        out[key] = float(np.mean(values)) if values else math.nan
    return out
