"""Classification scoring as MTEB computes it: seeded undersampling, hard-prediction metrics, and
the seeded test-split subsampling helpers MTEB's dataset transforms use.

All functions are pure (arrays in, arrays/dicts out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_recall_fscore_support,
)

from emboard.errors import DataError
from emboard.types import IntArray

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
"""The keys MTEB writes per experiment and (as means) per (split, subset), in its order."""


class ClassificationMetrics(TypedDict):
    """One experiment's scores; ``ap``/``ap_weighted`` are None unless the test labels are binary."""

    accuracy: float
    f1: float
    f1_weighted: float
    precision: float
    precision_weighted: float
    recall: float
    recall_weighted: float
    ap: float | None
    ap_weighted: float | None


# --- undersampling of the training split ----------------------------------------------------


def undersample_orders(n_train: int, n_experiments: int, seed: int = 42) -> list[IntArray]:
    """The walk order of the training rows in each experiment.

    MTEB shuffles one index list in place with a fresh ``RandomState(seed)`` per experiment, so
    experiment e's order is the previous order permuted by the same permutation ``p``.
    """
    perm = np.random.RandomState(seed).permutation(n_train).astype(np.int64)
    orders: list[IntArray] = []
    order = np.arange(n_train, dtype=np.int64)
    for _ in range(n_experiments):
        order = order[perm]
        orders.append(order)
    return orders


def first_per_label(order: IntArray, labels: NDArray[Any], per_label: int) -> IntArray:
    """Rows of ``order`` kept by walking it and keeping ≤ ``per_label`` rows of each label.

    Vectorised form of MTEB's loop: a row is kept when fewer than ``per_label`` earlier rows of
    the walk share its label.
    """
    lab = labels[order]
    by_label = np.argsort(lab, kind="stable")
    sorted_lab = lab[by_label]
    starts = np.flatnonzero(np.r_[True, sorted_lab[1:] != sorted_lab[:-1]])
    sizes = np.diff(np.r_[starts, len(lab)])
    rank_sorted = np.arange(len(lab)) - np.repeat(starts, sizes)
    rank = np.empty_like(rank_sorted)
    rank[by_label] = rank_sorted
    kept: IntArray = order[rank < per_label]
    return kept


def undersample(
    labels: NDArray[Any], n_experiments: int, per_label: int, seed: int = 42
) -> list[IntArray]:
    """The training rows of each experiment (MTEB's ``_undersample_data`` repeated)."""
    orders = undersample_orders(len(labels), n_experiments, seed)
    return [first_per_label(order, labels, per_label) for order in orders]


# --- metrics --------------------------------------------------------------------------------


def prediction_metrics(y_true: NDArray[Any], y_pred: NDArray[Any]) -> ClassificationMetrics:
    """Accuracy, macro/weighted F1, precision, recall; AP on hard predictions when binary.

    One ``precision_recall_fscore_support`` call gives the per-class values; the macro and
    weighted means are taken as scikit-learn takes them (``np.nanmean``, and ``np.average``
    weighted by support), so each equals its ``f1_score(average=...)`` etc. to the bit, at a
    sixth of the cost of six calls.
    """
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, average=None)

    def macro(values: NDArray[np.float64]) -> float:
        return float(np.nanmean(values))

    def weighted(values: NDArray[np.float64]) -> float:
        keep = ~np.isnan(values)
        return float(np.average(values[keep], weights=support[keep]))

    scores = ClassificationMetrics(
        accuracy=float(accuracy_score(y_true, y_pred)),
        f1=macro(f1),
        f1_weighted=weighted(f1),
        precision=macro(precision),
        precision_weighted=weighted(precision),
        recall=macro(recall),
        recall_weighted=weighted(recall),
        ap=None,
        ap_weighted=None,
    )
    if len(np.unique(y_true)) == 2:
        scores["ap"] = float(average_precision_score(y_true, y_pred, average="macro"))
        scores["ap_weighted"] = float(average_precision_score(y_true, y_pred, average="weighted"))
    return scores


def average_experiments(per_experiment: Sequence[ClassificationMetrics]) -> dict[str, float]:
    """Mean of each metric over experiments; NaN where no experiment has a value (non-binary AP)."""
    out: dict[str, float] = {}
    for key in METRIC_KEYS:
        values = [v for s in per_experiment if (v := s[key]) is not None]  # type: ignore[literal-required]
        out[key] = float(np.mean(values)) if values else math.nan
    return out


# --- test-split subsampling used by MTEB dataset transforms ---------------------------------


def class_encode(*columns: Sequence[object]) -> list[IntArray]:
    """Label ids as MTEB's ``stratified_subsampling`` assigns them to a non-ClassLabel column.

    One shared mapping for all columns (splits): names are the distinct ``str(label)`` values
    (``None`` excluded) sorted as strings, id = position. Apply it to every split of the task
    (train included) when the task's transform calls ``stratified_subsampling`` on a column
    that is not a Hugging Face ``ClassLabel``.
    """
    names = sorted({str(v) for column in columns for v in column if v is not None})
    index = {name: i for i, name in enumerate(names)}
    return [np.asarray([index[str(v)] for v in column], dtype=np.int64) for column in columns]


def _approximate_mode(counts: IntArray, n_draws: int, rng: np.random.Generator) -> IntArray:
    """Hugging Face ``datasets``' approximate multivariate-hypergeometric mode (ties by ``rng``)."""
    continuous = n_draws * counts / counts.sum()
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need -= add_now
            if need == 0:
                break
    out: IntArray = floored.astype(np.int64)
    return out


def stratified_subsample(labels: NDArray[Any], n_samples: int, seed: int = 42) -> IntArray:
    """Rows of the ``test`` part of ``Dataset.train_test_split(test_size=n_samples, seed=seed,
    stratify_by_column=label)``, in the order Hugging Face ``datasets`` returns them.

    This is MTEB's ``stratified_subsampling`` for one split (``labels`` = ClassLabel ids, see
    :func:`class_encode`). When ``n_samples >= len(labels)`` MTEB leaves the split untouched:
    all rows are returned in order.
    """
    n = len(labels)
    if n_samples >= n:
        return np.arange(n, dtype=np.int64)
    n_test, n_train = int(n_samples), n - int(n_samples)
    rng = np.random.default_rng(seed)
    _, y_idx = np.unique(np.asarray(labels), return_inverse=True)
    counts = np.bincount(y_idx.ravel())
    if counts.min() < 2:
        raise DataError(
            "stratified subsample: the least populated label has only 1 row "
            "(each label needs at least 2)"
        )
    if min(n_train, n_test) < len(counts):
        raise DataError(
            f"stratified subsample: {n_test} test / {n_train} train rows for {len(counts)} labels"
        )
    _, test = stratified_train_test(y_idx, counts, n_train, n_test, rng)
    return test


def stratified_train_test(
    y_idx: IntArray,
    counts: IntArray,
    n_train: int,
    n_test: int,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray]:
    """Train and test rows of ``datasets``' stratified shuffle split (numpy's Generator, as
    ``Dataset.train_test_split`` draws them): ``y_idx`` = label index per row, ``counts`` =
    rows per label index. Both parts come back shuffled, train drawn first."""
    class_rows = np.split(np.argsort(y_idx.ravel(), kind="mergesort"), np.cumsum(counts)[:-1])
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train: list[np.int64] = []
    test: list[np.int64] = []
    for i, rows in enumerate(class_rows):
        shuffled = rows.take(rng.permutation(counts[i]), mode="clip")
        train.extend(shuffled[: n_i[i]])
        test.extend(shuffled[n_i[i] : n_i[i] + t_i[i]])
    train_rows: IntArray = rng.permutation(np.asarray(train, dtype=np.int64))
    test_rows: IntArray = rng.permutation(np.asarray(test, dtype=np.int64))
    return train_rows, test_rows


def random_subsample(n_rows: int, n_samples: int, seed: int = 42) -> IntArray:
    """Rows of the ``test`` part of ``Dataset.train_test_split(test_size=n_samples, seed=seed)``
    (no stratification), in order; used e.g. by ArXivHierarchicalClustering{P2P,S2S}."""
    if not 0 < n_samples < n_rows:
        raise DataError(f"random subsample: test_size={n_samples} for {n_rows} rows")
    perm: IntArray = np.random.default_rng(seed).permutation(n_rows).astype(np.int64)
    return perm[:n_samples]
