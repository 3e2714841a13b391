"""Multilabel classification scoring as MTEB computes it.

Undersampling of the train split with the task's ``np_rng``, label binarisation, the four
metrics MTEB writes (subset accuracy, LRAP, macro F1, Hamming score) and the iterative
stratification (Sechidis et al. 2011, scikit-multilearn's algorithm as copied into MTEB) that cuts
large evaluation splits to ``max_eval_samples`` rows.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, f1_score, label_ranking_average_precision_score

from emboard.types import IntArray

Label = Hashable


class MultilabelMetrics(TypedDict):
    """One experiment's scores, MTEB's keys."""

    accuracy: float
    lrap: float
    f1: float
    hamming: float


def _is_int_text(value: object) -> bool:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    try:
        return str(int(value)) == value
    except ValueError:
        return False


def sorted_labels(values: Iterable[Label]) -> list[Label]:
    """Distinct labels in MultiLabelBinarizer's column order.

    MTEB binarises the raw Hub values, which are integers for most tasks: labels that are all
    integers (or their decimal spelling, as a data source that stringifies them hands over)
    are ordered numerically, any other labels as sorted strings.
    """
    distinct = set(values)
    if distinct and all(_is_int_text(v) for v in distinct):
        return sorted(distinct, key=int)  # type: ignore[arg-type]
    return sorted(distinct, key=str)


def binarize(rows: Sequence[Sequence[Label]], classes: Sequence[Label]) -> IntArray:
    """``MultiLabelBinarizer(classes).transform(rows)``: labels outside ``classes`` are ignored."""
    column = {label: j for j, label in enumerate(classes)}
    out = np.zeros((len(rows), len(classes)), dtype=np.int64)
    for i, row in enumerate(rows):
        for label in row:
            j = column.get(label)
            if j is not None:
                out[i, j] = 1
    return out


def undersample_multilabel(
    labels: Sequence[Sequence[Label]], per_label: int, np_rng: np.random.Generator
) -> list[int]:
    """One experiment's training rows; draws one shuffle of the row indices from ``np_rng``.

    Walking the shuffled rows, a row is kept while any of its labels has been kept fewer than
    ``per_label`` times (rows without labels are never kept).
    """
    order = np_rng.permutation(len(labels))
    n_distinct = len({label for row in labels for label in row})
    counts: dict[Label, int] = defaultdict(int)
    saturated = 0
    kept: list[int] = []
    for i in order.tolist():
        if saturated == n_distinct:
            break  # no later row can be kept: every label is full
        row = labels[i]
        if any(counts[label] < per_label for label in row):
            kept.append(i)
            for label in row:
                counts[label] += 1
                saturated += counts[label] == per_label
    return kept


def hamming_score(y_true: NDArray[Any], y_pred: NDArray[Any]) -> float:
    """Mean per-row |true ∩ pred| / |true ∪ pred| (1.0 where both are empty)."""
    t, p = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    inter, union = (t & p).sum(axis=1), (t | p).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_row = np.where(union == 0, 1.0, inter / union)
    return float(per_row.mean())


def multilabel_metrics(y_true: IntArray, y_pred: NDArray[Any]) -> MultilabelMetrics:
    """MTEB's scores for hard multilabel predictions of a non-probabilistic classifier (kNN)."""
    return MultilabelMetrics(
        accuracy=float(accuracy_score(y_true, y_pred)),
        lrap=float(label_ranking_average_precision_score(y_true, y_pred)),
        f1=float(f1_score(y_true, y_pred, average="macro")),
        hamming=hamming_score(y_true, y_pred),
    )


# --- iterative stratification ----------------------------------------------------------------

Combination = tuple[int, ...]


class _Stratifier:
    """Iterative stratification of order 2 into two folds (test, rest), MTEB's variant.

    Same choices and the same ``RandomState`` draws as MTEB's ``IterativeStratification``; rows
    are removed from combination lists lazily (skipped when popped) and supports are counted.
    """

    def __init__(self, y: NDArray[Any], test_size: float, seed: int) -> None:
        self.rng = np.random.RandomState(seed)
        n = y.shape[0]
        self.pct = [test_size, 1.0 - test_size]
        self.desired_fold = [p * n for p in self.pct]
        self.used = [False] * n
        self.row_combos: list[list[Combination]] = []
        self.members: dict[Combination, list[int]] = {}
        for i in range(n):
            labels = np.flatnonzero(y[i]).tolist()
            combos: list[Combination] = list(itertools.combinations_with_replacement(labels, 2))
            self.row_combos.append(combos)
            for c in combos:
                self.members.setdefault(c, []).append(i)
        self.support = {c: len(rows) for c, rows in self.members.items()}
        self.desired = {c: [len(rows) * p for p in self.pct] for c, rows in self.members.items()}
        self.active = list(self.members)
        self.folds: list[list[int]] = [[], []]

    def _most_desired(self) -> Combination | None:
        self.active = [c for c in self.active if self.support[c] > 0]
        chosen: Combination | None = None
        best_n, best_support = 0, 0
        for c in self.active:
            n_labels, support = len(set(c)), self.support[c]
            if chosen is None or (best_n < n_labels and best_support > support):
                chosen, best_n, best_support = c, n_labels, support
        return chosen

    def _assign(self, row: int, fold: int) -> None:
        self.folds[fold].append(row)
        self.used[row] = True
        for c in self.row_combos[row]:
            self.support[c] -= 1
            self.desired[c][fold] -= 1
        self.desired_fold[fold] -= 1

    def _pick_fold(self, combo: Combination) -> int:
        desired = np.array(self.desired[combo])
        tied = np.where(desired == max(self.desired[combo]))[0]
        if len(tied) == 1:
            return int(tied[0])
        # MTEB passes the combination's desired counts as the "fold" counts: a draw among ties
        best = np.where(desired == max(desired[tied]))[0]
        candidates = np.array([x for x in best if x in tied])
        return int(self.rng.choice(candidates, 1)[0])

    def run(self) -> list[int]:
        combo = self._most_desired()
        while combo is not None:
            rows = self.members[combo]
            while self.support[combo] > 0:
                row = rows.pop()
                if not self.used[row]:
                    self._assign(row, self._pick_fold(combo))
            combo = self._most_desired()
        for row in reversed([i for i, u in enumerate(self.used) if not u]):
            open_folds = np.where(np.array(self.desired_fold) > 0)[0]
            fold = int(self.rng.choice(open_folds, 1)[0])
            self.desired_fold[fold] -= 1
            self.folds[fold].append(row)
        return self.folds[0]


def iterative_stratified_subsample(
    labels: Sequence[Sequence[Label]], n_samples: int, seed: int = 42
) -> IntArray:
    """Rows MTEB's ``_multilabel_subsampling`` keeps (ascending), for one split's label lists.

    ``test_size = n_samples / len(labels)``; labels binarised in :func:`sorted_labels` order.
    """
    y = binarize(labels, sorted_labels(label for row in labels for label in row))
    test = _Stratifier(y, n_samples / len(labels), seed).run()
    return np.sort(np.asarray(test, dtype=np.int64))
