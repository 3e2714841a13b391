"""Classification metrics and evaluator against mteb 2.26.24's own code on synthetic data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from emboard.data.records import ClassificationData
from emboard.evaluators.base import EvalContext
from emboard.evaluators.classification import ClassificationEvaluator
from emboard.evaluators.metrics.classification import (
    METRIC_KEYS,
    average_experiments,
    class_encode,
    first_per_label,
    prediction_metrics,
    random_subsample,
    stratified_subsample,
    undersample,
)
from tests.unit.evaluators._fake_mteb_model import FakeEncoder, assert_same, fresh_task, run_mteb


def _labels(n: int, weights: list[float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(len(weights), size=n, p=np.asarray(weights) / sum(weights)).astype(np.int64)


def _data(n_train: int, n_test: int, weights: list[float], seed: int) -> ClassificationData:
    return ClassificationData(
        [f"train {i}" for i in range(n_train)],
        _labels(n_train, weights, seed),
        [f"test {i}" for i in range(n_test)],
        _labels(n_test, weights, seed + 1),
    )


def _encoder(data: ClassificationData, seed: int) -> FakeEncoder:
    """Embeddings with a weak class signal, so classifiers disagree across experiments."""
    centroids = np.random.default_rng(seed + 100).standard_normal((10, 16))
    texts = data.train_texts + data.test_texts
    labels = np.concatenate([data.train_labels, data.test_labels])
    spread = {t: 0.8 * centroids[y] for t, y in zip(texts, labels, strict=True)}
    return FakeEncoder(texts, seed=seed, spread=spread)


def _ctx(**params: Any) -> EvalContext:
    return EvalContext("T", "Classification", "test", "default", params)


def _dataset(data: ClassificationData) -> Any:
    from datasets import Dataset, DatasetDict

    return DatasetDict(
        {
            "train": Dataset.from_dict({"text": data.train_texts, "label": data.train_labels}),
            "test": Dataset.from_dict({"text": data.test_texts, "label": data.test_labels}),
        }
    )


def test_first_per_label_by_hand() -> None:
    order = np.array([4, 0, 3, 1, 2, 5])
    labels = np.array([7, 7, 9, 7, 7, 9])
    assert first_per_label(order, labels, 2).tolist() == [4, 0, 2, 5]
    assert first_per_label(order, labels, 1).tolist() == [4, 2]


def test_prediction_metrics_by_hand() -> None:
    s = prediction_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
    assert s["accuracy"] == 0.75
    assert s["recall"] == 0.75  # (0.5 + 1) / 2
    assert s["precision"] == pytest.approx((1 + 2 / 3) / 2, abs=1e-15)
    assert s["ap"] == pytest.approx(2 / 3, abs=1e-15)  # hard 0/1 predictions as scores
    multi = prediction_metrics(np.array([0, 1, 2]), np.array([0, 1, 1]))
    assert multi["ap"] is None and multi["ap_weighted"] is None
    assert math.isnan(average_experiments([multi, multi])["ap"])


@pytest.mark.oracle
@pytest.mark.parametrize(("weights", "per_label"), [([5, 1, 1, 3], 8), ([1, 9], 16), ([1] * 7, 3)])
def test_undersample_equals_mteb(weights: list[float], per_label: int) -> None:
    from datasets import Dataset

    labels = _labels(700, weights, 3)
    task = fresh_task("Banking77Classification")
    task.samples_per_label = per_label
    ds = Dataset.from_dict({"text": [str(i) for i in range(700)], "label": labels})
    ours = undersample(labels, 10, per_label, seed=42)
    idxs = None
    for e in range(10):
        _, idxs, selected = task._undersample_data(ds, e, idxs)
        assert ours[e].tolist() == selected


@pytest.mark.oracle
@pytest.mark.parametrize("n_classes", [2, 3, 6])
def test_prediction_metrics_equal_mteb(n_classes: int) -> None:
    task = fresh_task("Banking77Classification")
    rng = np.random.default_rng(n_classes)
    y_true = rng.integers(0, n_classes, 200)
    preds = [rng.integers(0, n_classes - (e % 2), 200) for e in range(4)]  # some never predicted
    preds.append(rng.integers(0, n_classes + 1, 200))  # a label the truth never has
    ours = [prediction_metrics(y_true, p) for p in preds]
    theirs = [task._calculate_scores(y_true.tolist(), p) for p in preds]
    assert_same(ours, theirs, tol=0.0)
    avg = task._calculate_avg_scores(theirs)
    assert_same(average_experiments(ours), {k: avg[k] for k in METRIC_KEYS}, tol=0.0)


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("weights", "per_label", "n_exp"),
    [([3, 1], 8, 10), ([1, 1, 4, 2, 2], 16, 10), ([2, 1, 1], 4, 3)],
)
def test_evaluator_equals_mteb(weights: list[float], per_label: int, n_exp: int) -> None:
    data = _data(400, 150, weights, seed=len(weights))
    enc = _encoder(data, seed=per_label)
    task = fresh_task("Banking77Classification")
    task.samples_per_label, task.n_experiments = per_label, n_exp
    theirs = run_mteb(task, _dataset(data), enc, "test")
    params = {"samples_per_label": per_label, "n_experiments": n_exp}
    result = ClassificationEvaluator().evaluate(data, enc, _ctx(**params))
    assert_same(result.scores, theirs, tol=0.0)
    assert set(result.scores) == {"scores_per_experiment", *METRIC_KEYS}
    assert result.outcomes["correct"].shape == (n_exp, len(data.test_texts))
    assert result.outcomes["correct"].mean(axis=1) == pytest.approx(
        [s["accuracy"] for s in theirs["scores_per_experiment"]], abs=1e-15
    )
    assert len(enc.calls) == 2  # the union of train rows once, the test split once


@pytest.mark.oracle
def test_cross_validation_equals_mteb() -> None:
    from datasets import Dataset, DatasetDict

    data = _data(203, 0, [2, 1, 1], seed=5)  # 203 rows: folds of unequal size
    data = ClassificationData(
        data.train_texts, data.train_labels, data.train_texts, data.train_labels
    )
    enc = _encoder(data, seed=9)
    task = fresh_task("Banking77Classification")
    task.is_cross_validation = True
    ds = DatasetDict(
        {"train": Dataset.from_dict({"text": data.train_texts, "label": data.train_labels})}
    )
    theirs = run_mteb(task, ds, enc, "train")
    result = ClassificationEvaluator().evaluate(data, enc, _ctx(is_cross_validation=True))
    assert_same(result.scores, theirs, tol=0.0)
    assert len(result.scores["scores_per_experiment"]) == 5  # type: ignore[arg-type]


@pytest.mark.oracle
@pytest.mark.parametrize("n_samples", [64, 500])
def test_stratified_subsample_equals_mteb(n_samples: int) -> None:
    from datasets import Dataset, DatasetDict
    from mteb.abstasks.abstask import AbsTask

    rng = np.random.default_rng(11)
    raw = {
        s: rng.choice(12, size=n, p=np.r_[5, np.ones(11)] / 16)
        for s, n in (("train", 300), ("test", 200))
    }
    texts = {s: [f"{s} {i}" for i in range(len(v))] for s, v in raw.items()}
    dd = DatasetDict(
        {s: Dataset.from_dict({"text": texts[s], "label": raw[s].tolist()}) for s in raw}
    )
    out = AbsTask.stratified_subsampling(dd, seed=42, splits=["test"], n_samples=n_samples)
    train_ids, test_ids = class_encode(raw["train"].tolist(), raw["test"].tolist())
    rows = stratified_subsample(test_ids, n_samples, seed=42)
    assert [texts["test"][i] for i in rows] == out["test"]["text"]
    assert test_ids[rows].tolist() == out["test"]["label"]
    assert train_ids.tolist() == out["train"]["label"]  # labels re-encoded as str-sorted ids


@pytest.mark.oracle
def test_random_subsample_equals_datasets() -> None:
    from datasets import Dataset

    ds = Dataset.from_dict({"i": list(range(3000))})
    expected = ds.train_test_split(test_size=2048, seed=42)["test"]["i"]
    assert random_subsample(3000, 2048, seed=42).tolist() == expected
