"""Multilabel classification: k-nearest-neighbours on few-shot samples (main: accuracy).

As MTEB: each experiment shuffles the train rows with the task's ``np_rng`` stream and keeps a
row while any of its labels has fewer than ``samples_per_label`` rows; a
``KNeighborsClassifier(n_neighbors=5)`` predicts the binarised label set.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score, label_ranking_average_precision_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from emboard.data.records import MultilabelClassificationData
from emboard.errors import TaskDefinitionError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult

MAX_EVAL_SAMPLES = 3000


def sample_rows(labels: list[list[str]], per_label: int, np_rng: np.random.Generator) -> list[int]:
    """One experiment's training rows (draws one shuffle from ``np_rng``)."""
    order = list(range(len(labels)))
    np_rng.shuffle(order)
    counts: dict[str, int] = defaultdict(int)
    kept = []
    for i in order:
        if any(counts[label] < per_label for label in labels[i]):
            kept.append(i)
            for label in labels[i]:
                counts[label] += 1
    return kept


def hamming_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean per-row |true ∩ pred| / |true ∪ pred| (1.0 where both are empty)."""
    t, p = y_true.astype(bool), y_pred.astype(bool)
    inter, union = (t & p).sum(axis=1), (t | p).sum(axis=1)
    return float(np.where(union == 0, 1.0, inter / np.maximum(union, 1)).mean())


class MultilabelClassificationEvaluator:
    """MTEB's multilabel protocol."""

    def evaluate(
        self, data: MultilabelClassificationData, embed: Embed, ctx: EvalContext
    ) -> SubsetResult:
        """Score one (split, subset)."""
        limit = ctx.params.get("max_eval_samples", MAX_EVAL_SAMPLES)
        if isinstance(limit, int) and len(data.test_texts) > limit:
            raise TaskDefinitionError(
                f"{ctx.task_name}: {len(data.test_texts)} evaluation rows exceed max_eval_samples="
                f"{limit}; MTEB's iterative-stratification subsampling is not supported yet"
            )
        n_exp = int(ctx.params.get("n_experiments", 10) or 10)  # type: ignore[arg-type]
        per_label = int(ctx.params.get("samples_per_label", 8) or 8)  # type: ignore[arg-type]
        samples = [sample_rows(data.train_labels, per_label, ctx.np_rng) for _ in range(n_exp)]
        union = sorted({i for s in samples for i in s})
        emb = dict(zip(union, embed([data.train_texts[i] for i in union]), strict=True))
        x_test = embed(data.test_texts)
        binarizer = MultiLabelBinarizer()
        y_test = binarizer.fit_transform(data.test_labels)
        per_experiment: list[dict[str, float]] = []
        for rows in samples:
            clf = clone(KNeighborsClassifier(n_neighbors=5))
            clf.fit(
                np.stack([emb[i] for i in rows]),
                binarizer.transform([data.train_labels[i] for i in rows]),
            )
            y_pred = clf.predict(x_test)
            per_experiment.append(
                {
                    "accuracy": float(clf.score(x_test, y_test)),
                    "lrap": float(label_ranking_average_precision_score(y_test, y_pred)),
                    "f1": float(f1_score(y_test, y_pred, average="macro")),
                    "hamming": hamming_score(y_test, y_pred),
                }
            )
        scores: dict[str, Any] = {"scores_per_experiment": per_experiment}
        scores.update(
            {k: float(np.mean([s[k] for s in per_experiment])) for k in per_experiment[0]}
        )
        outcomes = {"accuracy_per_experiment": np.array([s["accuracy"] for s in per_experiment])}
        return SubsetResult(scores=scores, outcomes=outcomes)

    def advance_rng(self, data: MultilabelClassificationData, ctx: EvalContext) -> None:
        """Consume the task's ``np_rng`` as ``evaluate`` would (used when a split is resumed)."""
        n_exp = int(ctx.params.get("n_experiments", 10) or 10)  # type: ignore[arg-type]
        for _ in range(n_exp):
            ctx.np_rng.shuffle(list(range(len(data.train_labels))))
