"""Pair classification: how well a similarity threshold separates paraphrases (main: max_ap)."""

from __future__ import annotations

import numpy as np

from emboard.data.records import PairClassificationData
from emboard.evaluators._pairs import embed_pairs
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.pair_scores import pair_scores
from emboard.evaluators.metrics.threshold import threshold_metrics

MAX_METRICS = ("accuracy", "f1", "precision", "recall", "ap")


class PairClassificationEvaluator:
    """Best accuracy / F1 / AP for five score families, and their maxima."""

    def evaluate(
        self, data: PairClassificationData, embed: Embed, ctx: EvalContext
    ) -> SubsetResult:
        """Score one (split, subset)."""
        emb1, emb2 = embed_pairs(data.sentence1, data.sentence2, embed, ctx)
        ps = pair_scores(emb1, emb2, ctx.similarity)
        families = (
            ("similarity", ps.similarity, True),
            ("cosine", ps.cosine, True),
            ("manhattan", ps.manhattan, False),
            ("euclidean", ps.euclidean, False),
            ("dot", ps.dot, True),
        )
        scores: dict[str, float] = {}
        for name, values, descending in families:
            for metric, value in threshold_metrics(values, data.labels, descending).items():
                scores[f"{name}_{metric}"] = float(value)  # type: ignore[arg-type]
        for metric in MAX_METRICS:
            scores[f"max_{metric}"] = max(scores[f"{name}_{metric}"] for name, _, _ in families)
        outcomes = {
            "labels": data.labels.astype(np.float64),
            "cosine": ps.cosine.astype(np.float64),
            "similarity": ps.similarity.astype(np.float64),
        }
        return SubsetResult(scores=scores, outcomes=outcomes)  # type: ignore[arg-type]
