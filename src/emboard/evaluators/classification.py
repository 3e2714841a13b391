"""Classification: logistic regression on few-shot undersampled embeddings (main: accuracy).

MTEB's protocol (``AbsTaskClassification``): ``n_experiments`` experiments, each training
``LogisticRegression(max_iter=100, random_state=seed)`` on at most ``samples_per_label`` rows per
label drawn by a fresh ``RandomState(seed)`` shuffle, scored on the whole evaluation split. The
cross-validation variant (``is_cross_validation``) runs a seeded 5-fold split of one split instead.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from emboard.data.records import ClassificationData
from emboard.errors import TaskDefinitionError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.classification import (
    ClassificationMetrics,
    average_experiments,
    first_per_label,
    prediction_metrics,
    undersample,
    undersample_orders,
)
from emboard.types import FloatArray, IntArray, JSONValue, ScoreDict


def int_param(ctx: EvalContext, key: str, default: int) -> int:
    """An integer task parameter, MTEB's class default when absent or null."""
    value = ctx.params.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TaskDefinitionError(
            f"{ctx.task_name}: evaluation parameter {key}={value!r}; expected a positive integer"
        )
    return value


def _fit_predict(
    x_train: FloatArray, y_train: NDArray[Any], x_test: FloatArray, seed: int
) -> NDArray[Any]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=100, random_state=seed)
    clf.fit(x_train, y_train)
    pred: NDArray[Any] = clf.predict(x_test)
    return pred


def _result(
    per_experiment: list[ClassificationMetrics], correct: NDArray[np.bool_]
) -> SubsetResult:
    scores: ScoreDict = {
        "scores_per_experiment": [cast("dict[str, JSONValue]", dict(s)) for s in per_experiment],
    }
    averages: dict[str, JSONValue] = dict(average_experiments(per_experiment))
    scores.update(averages)
    outcomes = {
        "accuracy_per_experiment": np.asarray(
            [s["accuracy"] for s in per_experiment], dtype=np.float64
        ),
        "correct": correct.astype(np.float64),
    }
    return SubsetResult(scores=scores, outcomes=outcomes)


class ClassificationEvaluator:
    """MTEB's protocol: n experiments, each a seeded undersample of the train split."""

    def evaluate(self, data: ClassificationData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        if bool(ctx.params.get("is_cross_validation", False)):
            return self._cross_validate(data, embed, ctx)
        n_exp = int_param(ctx, "n_experiments", 10)
        per_label = int_param(ctx, "samples_per_label", 8)
        train_labels = np.asarray(data.train_labels)
        test_labels = np.asarray(data.test_labels)
        selected = undersample(train_labels, n_exp, per_label, ctx.seed)
        union = np.unique(np.concatenate(selected))
        union_emb = embed([data.train_texts[i] for i in union])
        test_emb = embed(data.test_texts)
        position = np.full(len(data.train_texts), -1, dtype=np.int64)
        position[union] = np.arange(len(union))
        per_experiment: list[ClassificationMetrics] = []
        correct: list[NDArray[np.bool_]] = []
        for rows in selected:
            pred = _fit_predict(union_emb[position[rows]], train_labels[rows], test_emb, ctx.seed)
            per_experiment.append(prediction_metrics(test_labels, pred))
            correct.append(pred == test_labels)
        return _result(per_experiment, np.vstack(correct))

    def _cross_validate(
        self, data: ClassificationData, embed: Embed, ctx: EvalContext
    ) -> SubsetResult:
        """``is_cross_validation``: KFold(5, shuffle, seed) over the train split (= eval split).

        As MTEB, the shuffled index list of fold 0 is re-shuffled for every next fold, so all
        folds walk indices below the size of fold 0's training part.
        """
        from sklearn.model_selection import KFold

        per_label = int_param(ctx, "samples_per_label", 8)
        n_splits = int_param(ctx, "n_splits", 5)
        labels = np.asarray(data.train_labels)
        emb = embed(data.train_texts)
        folds = list(KFold(n_splits=n_splits, shuffle=True, random_state=ctx.seed).split(labels))
        orders: list[IntArray] = undersample_orders(len(folds[0][0]), n_splits, ctx.seed)
        per_experiment: list[ClassificationMetrics] = []
        correct = np.zeros(len(labels), dtype=np.bool_)
        for (train_idx, val_idx), order in zip(folds, orders, strict=True):
            rows = train_idx[first_per_label(order, labels[train_idx], per_label)]
            pred = _fit_predict(emb[rows], labels[rows], emb[val_idx], ctx.seed)
            per_experiment.append(prediction_metrics(labels[val_idx], pred))
            correct[val_idx] = pred == labels[val_idx]
        return _result(per_experiment, correct)
