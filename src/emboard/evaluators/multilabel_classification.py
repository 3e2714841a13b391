"""Multilabel classification: k-nearest-neighbours on few-shot samples (main: accuracy).

As MTEB (``AbsTaskMultilabelClassification``): each experiment shuffles the train rows with the
task's ``np_rng`` stream and keeps a row while any of its labels has fewer than
``samples_per_label`` rows; evaluation splits longer than ``max_eval_samples`` (default 3000,
``None`` = no limit) are cut by iterative stratification; a ``KNeighborsClassifier(n_neighbors=5)``
predicts the binarised label set (columns = labels of the evaluated rows).
"""

from __future__ import annotations

import itertools
from typing import cast

import numpy as np

from emboard.data.records import MultilabelClassificationData
from emboard.errors import TaskDefinitionError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.classification import int_param
from emboard.evaluators.metrics.multilabel import (
    MultilabelMetrics,
    binarize,
    iterative_stratified_subsample,
    multilabel_metrics,
    sorted_labels,
    undersample_multilabel,
)
from emboard.types import IntArray, JSONValue, ScoreDict

MAX_EVAL_SAMPLES = 3000
METRIC_KEYS = ("accuracy", "lrap", "f1", "hamming")


def _eval_limit(ctx: EvalContext) -> int | None:
    value = ctx.params.get("max_eval_samples", MAX_EVAL_SAMPLES)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TaskDefinitionError(
            f"{ctx.task_name}: evaluation parameter max_eval_samples={value!r}; "
            "expected a positive integer or null"
        )
    return value


def _eval_rows(data: MultilabelClassificationData, ctx: EvalContext) -> IntArray:
    """Rows of the evaluation split MTEB scores (all, or a stratified ``max_eval_samples``)."""
    limit = _eval_limit(ctx)
    if limit is None or len(data.test_texts) <= limit:
        return np.arange(len(data.test_texts), dtype=np.int64)
    return iterative_stratified_subsample(data.test_labels, limit, ctx.seed)


class MultilabelClassificationEvaluator:
    """MTEB's multilabel protocol."""

    def _samples(self, data: MultilabelClassificationData, ctx: EvalContext) -> list[list[int]]:
        n_exp = int_param(ctx, "n_experiments", 10)
        per_label = int_param(ctx, "samples_per_label", 8)
        return [
            undersample_multilabel(data.train_labels, per_label, ctx.np_rng) for _ in range(n_exp)
        ]

    def evaluate(
        self, data: MultilabelClassificationData, embed: Embed, ctx: EvalContext
    ) -> SubsetResult:
        """Score one (split, subset)."""
        from sklearn.neighbors import KNeighborsClassifier

        samples = self._samples(data, ctx)
        union = np.asarray(sorted(set(itertools.chain.from_iterable(samples))), dtype=np.int64)
        union_emb = embed([data.train_texts[i] for i in union])
        position = np.full(len(data.train_texts), -1, dtype=np.int64)
        position[union] = np.arange(len(union))
        rows = _eval_rows(data, ctx)
        x_test = embed([data.test_texts[i] for i in rows])
        test_labels = [data.test_labels[i] for i in rows]
        classes = sorted_labels(itertools.chain.from_iterable(test_labels))
        y_test = binarize(test_labels, classes)
        per_experiment: list[MultilabelMetrics] = []
        exact = []
        for sample in samples:
            clf = KNeighborsClassifier(n_neighbors=5)
            clf.fit(
                union_emb[position[sample]],
                binarize([data.train_labels[i] for i in sample], classes),
            )
            y_pred = clf.predict(x_test)
            per_experiment.append(multilabel_metrics(y_test, y_pred))
            exact.append(np.all(y_pred == y_test, axis=1))
        scores: ScoreDict = {
            "scores_per_experiment": [cast("dict[str, JSONValue]", dict(s)) for s in per_experiment]
        }
        means: dict[str, JSONValue] = {
            k: float(np.mean([s[k] for s in per_experiment]))  # type: ignore[literal-required]
            for k in METRIC_KEYS
        }
        scores.update(means)
        outcomes = {
            "accuracy_per_experiment": np.array([s["accuracy"] for s in per_experiment]),
            "correct": np.vstack(exact).astype(np.float64),
        }
        return SubsetResult(scores=scores, outcomes=outcomes)

    def advance_rng(self, data: MultilabelClassificationData, ctx: EvalContext) -> None:
        """Consume the task's ``np_rng`` as ``evaluate`` would (used when a split is resumed)."""
        n_exp = int_param(ctx, "n_experiments", 10)
        for _ in range(n_exp):
            ctx.np_rng.permutation(len(data.train_labels))
