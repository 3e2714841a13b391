"""Pure scoring functions against mteb 2.26.24's own code on synthetic inputs (ties included)."""

from __future__ import annotations

import numpy as np
import pytest

from emboard.evaluators.metrics.classification import first_per_label, undersample_orders
from emboard.evaluators.metrics.threshold import best_accuracy, best_f1

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("seed", range(5))
def test_threshold_metrics_equal_mteb(seed: int) -> None:
    from mteb.abstasks.pair_classification import AbsTaskPairClassification

    rng = np.random.default_rng(seed)
    scores = np.round(rng.random(300), 2)  # many ties
    labels = rng.integers(0, 2, 300)
    task = AbsTaskPairClassification.__new__(AbsTaskPairClassification)
    for descending in (True, False):
        acc, _ = task._find_best_acc_and_threshold(scores.tolist(), labels, descending)
        f1, p, r, _ = task._find_best_f1_and_threshold(scores.tolist(), labels, descending)
        assert best_accuracy(scores, labels, descending) == acc
        assert best_f1(scores, labels, descending) == (f1, p, r)


def test_undersampling_equals_mteb() -> None:
    import mteb

    task = mteb.get_task("Banking77Classification")
    labels = np.random.default_rng(3).integers(0, 7, 500)

    class Rows(list):  # type: ignore[type-arg]
        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            return labels if key == "label" else super().__getitem__(key)

        def select(self, idx):  # type: ignore[no-untyped-def]
            return idx

    idxs = None
    orders = undersample_orders(len(labels), 10, 42)
    for e in range(10):
        _, idxs, selected = task._undersample_data(Rows(range(500)), e, idxs)
        assert list(first_per_label(orders[e], labels, 8)) == selected
