"""Classification: logistic regression on few-shot undersampled embeddings (main: accuracy)."""

from __future__ import annotations

from typing import Any

import numpy as np

from emboard.data.records import ClassificationData
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.classification import (
    average_experiments,
    first_per_label,
    prediction_metrics,
    undersample_orders,
)


def _int_param(ctx: EvalContext, key: str, default: int) -> int:
    value = ctx.params.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


class ClassificationEvaluator:
    """MTEB's protocol: n experiments, each a seeded undersample of the train split."""

    def evaluate(self, data: ClassificationData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        from sklearn.linear_model import LogisticRegression

        n_exp = _int_param(ctx, "n_experiments", 10)
        per_label = _int_param(ctx, "samples_per_label", 8)
        orders = undersample_orders(len(data.train_texts), n_exp, ctx.seed)
        selected = [first_per_label(o, data.train_labels, per_label) for o in orders]
        union = np.unique(np.concatenate(selected))
        union_emb = embed([data.train_texts[i] for i in union])
        position = np.full(len(data.train_texts), -1, dtype=np.int64)
        position[union] = np.arange(len(union))
        test_emb = embed(data.test_texts)
        per_experiment: list[dict[str, Any]] = []
        correct = []
        for rows in selected:
            clf = LogisticRegression(max_iter=100, random_state=ctx.seed)
            clf.fit(union_emb[position[rows]], data.train_labels[rows])
            y_pred = clf.predict(test_emb)
            per_experiment.append(prediction_metrics(data.test_labels, y_pred))
            correct.append((y_pred == data.test_labels).astype(np.float64))
        scores: dict[str, Any] = {"scores_per_experiment": per_experiment}
        scores.update(average_experiments(per_experiment))
        outcomes = {
            "accuracy_per_experiment": np.asarray([s["accuracy"] for s in per_experiment]),
            "correct": np.vstack(correct),
        }
        return SubsetResult(scores=scores, outcomes=outcomes)
