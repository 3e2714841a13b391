"""Pair classification: how well a score threshold separates paraphrases (main: max_ap).

As MTEB 2.26.24's ``AbsTaskPairClassification``: both sides are encoded separately (with the
task's input prompt types), five score families are computed per pair, and for each the best
accuracy, best F1 (with its precision and recall) and average precision are reported, then
``max_*`` = each metric's maximum over the families.
"""

from __future__ import annotations

import numpy as np

from emboard.data.records import PairClassificationData
from emboard.errors import DataError
from emboard.evaluators._pairs import embed_pairs
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.pair_scores import PairScores, pair_scores
from emboard.evaluators.metrics.threshold import THRESHOLD_KEYS, threshold_metrics
from emboard.types import FloatArray


def _families(ps: PairScores) -> list[tuple[str, FloatArray, bool]]:
    """(key prefix, scores, higher = more similar) in MTEB's order."""
    return [
        ("similarity", ps.similarity, True),
        ("cosine", ps.cosine, True),
        ("manhattan", ps.manhattan, False),
        ("euclidean", ps.euclidean, False),
        ("dot", ps.dot, True),
    ]


class PairClassificationEvaluator:
    """Best accuracy / F1 / AP for five score families, and their maxima."""

    def evaluate(
        self, data: PairClassificationData, embed: Embed, ctx: EvalContext
    ) -> SubsetResult:
        """Score one (split, subset)."""
        n = len(data.labels)
        if not len(data.sentence1) == len(data.sentence2) == n:
            raise DataError(
                f"{ctx.task_name} [{ctx.subset}/{ctx.split}]: sentence1, sentence2 and labels "
                f"have {len(data.sentence1)}, {len(data.sentence2)} and {n} rows; expected equal"
            )
        labels = np.asarray(data.labels, dtype=np.int64)
        emb1, emb2 = embed_pairs(data.sentence1, data.sentence2, embed, ctx)
        families = _families(pair_scores(emb1, emb2, ctx.similarity))
        scores: dict[str, float] = {}
        for name, values, descending in families:
            metrics = threshold_metrics(values, labels, descending)
            for metric in THRESHOLD_KEYS:
                scores[f"{name}_{metric}"] = metrics[metric]
        for metric in THRESHOLD_KEYS:
            scores[f"max_{metric}"] = max(scores[f"{name}_{metric}"] for name, _, _ in families)
        outcomes = {"labels": labels.astype(np.float64)} | {
            name: values.astype(np.float64) for name, values, _ in families
        }
        return SubsetResult(scores=dict(scores), outcomes=outcomes)
