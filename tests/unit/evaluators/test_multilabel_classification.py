"""Multilabel classification (kNN, np_rng undersampling, iterative stratification) against
mteb 2.26.24's own code on synthetic data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emboard.data.records import MultilabelClassificationData
from emboard.evaluators.base import EvalContext
from emboard.evaluators.metrics.multilabel import (
    binarize,
    hamming_score,
    iterative_stratified_subsample,
    multilabel_metrics,
    sorted_labels,
    undersample_multilabel,
)
from emboard.evaluators.multilabel_classification import MultilabelClassificationEvaluator
from tests.unit.evaluators._fake_mteb_model import FakeEncoder, assert_same, fresh_task, run_mteb


def _label_rows(n: int, n_labels: int, seed: int, empty: float = 0.05) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    popularity = np.linspace(3, 1, n_labels) / np.linspace(3, 1, n_labels).sum()
    rows = []
    for _ in range(n):
        k = 0 if rng.random() < empty else int(rng.integers(1, 4))
        rows.append(sorted(set(rng.choice(n_labels, size=k, p=popularity).tolist())))
    return rows


def _data(n_train: int, n_test: int, n_labels: int, seed: int) -> tuple[Any, Any]:
    train, test = _label_rows(n_train, n_labels, seed), _label_rows(n_test, n_labels, seed + 1)
    data = MultilabelClassificationData(
        [f"train {i}" for i in range(n_train)],
        [[str(x) for x in r] for r in train],  # a data source hands labels over as strings
        [f"test {i}" for i in range(n_test)],
        [[str(x) for x in r] for r in test],
    )
    return data, (train, test)


def test_hamming_and_binarize_by_hand() -> None:
    y = binarize([["a"], ["b", "z"], []], ["a", "b"])  # "z" unknown: ignored
    assert y.tolist() == [[1, 0], [0, 1], [0, 0]]
    assert hamming_score(y, np.array([[1, 1], [0, 1], [0, 0]])) == pytest.approx((0.5 + 1 + 1) / 3)
    assert sorted_labels(["10", "9", "2"]) == ["2", "9", "10"]  # integers: numeric order
    assert sorted_labels(["b10", "b9"]) == ["b10", "b9"]


@pytest.mark.oracle
def test_metrics_equal_mteb() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    task = fresh_task("CEDRClassification")
    rng = np.random.default_rng(0)
    y_true = (rng.random((80, 6)) < 0.3).astype(np.int64)
    x = rng.standard_normal((80, 4))
    clf = KNeighborsClassifier(n_neighbors=5).fit(x, (rng.random((80, 6)) < 0.3).astype(np.int64))
    y_pred = clf.predict(x)
    assert_same(
        multilabel_metrics(y_true, y_pred), task._calculate_scores(y_true, y_pred, x, clf), tol=0.0
    )


@pytest.mark.oracle
def test_undersampling_shares_np_rng_like_mteb() -> None:
    rows = _label_rows(500, 12, seed=4)
    task = fresh_task("CEDRClassification")
    ours_rng = np.random.default_rng(42)
    for per_label in (8, 8, 3, 20):  # consecutive draws from one stream
        theirs, _ = task._undersample_data_indices(rows, per_label, None)
        assert undersample_multilabel(rows, per_label, ours_rng) == theirs


@pytest.mark.oracle
@pytest.mark.parametrize(("n", "n_labels", "keep"), [(300, 5, 100), (400, 12, 150), (120, 3, 61)])
def test_iterative_stratification_equals_mteb(n: int, n_labels: int, keep: int) -> None:
    from mteb.abstasks._stratification import _iterative_train_test_split
    from sklearn.preprocessing import MultiLabelBinarizer

    rows = _label_rows(n, n_labels, seed=n)
    y = MultiLabelBinarizer().fit_transform(rows)
    _, theirs = _iterative_train_test_split(np.arange(n).reshape(-1, 1), y, keep / n, 42)
    ours = iterative_stratified_subsample([[str(x) for x in r] for r in rows], keep, seed=42)
    assert ours.tolist() == theirs.tolist()


@pytest.mark.oracle
@pytest.mark.parametrize(("limit", "n_labels"), [(3000, 5), (90, 11)])
def test_evaluator_equals_mteb(limit: int, n_labels: int) -> None:
    from datasets import Dataset, DatasetDict

    data, (train, test) = _data(400, 200, n_labels, seed=n_labels)
    enc = FakeEncoder(data.train_texts + data.test_texts, seed=1)
    task = fresh_task("CEDRClassification")
    task.max_eval_samples = limit
    ds = DatasetDict(
        {
            "train": Dataset.from_dict({"text": data.train_texts, "label": train}),
            "test": Dataset.from_dict({"text": data.test_texts, "label": test}),
        }
    )
    ctx = EvalContext(
        "T", "MultilabelClassification", "test", "default", {"max_eval_samples": limit}
    )
    ours = MultilabelClassificationEvaluator().evaluate(data, enc, ctx)
    theirs = run_mteb(task, ds, enc, "test")
    assert_same(ours.scores, theirs, tol=0.0)
    n_rows = 200 if limit >= 200 else ours.outcomes["correct"].shape[1]
    assert ours.outcomes["correct"].shape == (10, n_rows)
    assert abs(n_rows - min(limit, 200)) <= 2  # the stratified cut is approximate
    # a second split continues both np_rng streams identically
    theirs2 = run_mteb(task, ds, enc, "test")
    ours2 = MultilabelClassificationEvaluator().evaluate(data, enc, ctx)
    assert_same(ours2.scores, theirs2, tol=0.0)


@pytest.mark.oracle
def test_advance_rng_equals_evaluate() -> None:
    data, _ = _data(300, 50, 4, seed=2)
    enc = FakeEncoder(data.train_texts + data.test_texts, seed=1)
    evaluated = EvalContext("T", "MultilabelClassification", "test", "default", {})
    advanced = EvalContext("T", "MultilabelClassification", "test", "default", {})
    MultilabelClassificationEvaluator().evaluate(data, enc, evaluated)
    MultilabelClassificationEvaluator().advance_rng(data, advanced)
    assert evaluated.np_rng.random() == advanced.np_rng.random()
