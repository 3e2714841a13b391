"""STS: correlation of embedding similarity with graded human similarity (main: cosine_spearman)."""

from __future__ import annotations

import numpy as np

from emboard.data.records import STSData
from emboard.evaluators._pairs import embed_pairs
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.correlation import pearson_spearman
from emboard.evaluators.metrics.pair_scores import pair_scores


def _bounds(ctx: EvalContext) -> tuple[float, float]:
    lo, hi = ctx.params.get("min_score", 0), ctx.params.get("max_score", 5)
    return float(lo) if isinstance(lo, (int, float)) else 0.0, float(hi) if isinstance(
        hi, (int, float)
    ) else 5.0


class STSEvaluator:
    """Pearson and Spearman of gold scores vs. cosine, -L1, -L2 and the model's similarity."""

    def evaluate(self, data: STSData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        lo, hi = _bounds(ctx)
        gold = [(float(s) - lo) / (hi - lo) for s in data.scores]
        emb1, emb2 = embed_pairs(data.sentence1, data.sentence2, embed, ctx)
        ps = pair_scores(emb1, emb2, ctx.similarity)
        families = {
            "cosine": ps.cosine,
            "manhattan": -ps.manhattan,
            "euclidean": -ps.euclidean,
            "": ps.similarity,
        }
        scores: dict[str, float] = {}
        for name, pred in families.items():
            pearson, spearman = pearson_spearman(gold, pred.tolist())
            prefix = f"{name}_" if name else ""
            scores[f"{prefix}pearson"] = pearson
            scores[f"{prefix}spearman"] = spearman
        ordered = {
            k: scores[k]
            for k in (
                "pearson",
                "spearman",
                "cosine_pearson",
                "cosine_spearman",
                "manhattan_pearson",
                "manhattan_spearman",
                "euclidean_pearson",
                "euclidean_spearman",
            )
        }
        outcomes = {
            "gold": np.asarray(gold, dtype=np.float64),
            "cosine": ps.cosine.astype(np.float64),
            "similarity": ps.similarity.astype(np.float64),
        }
        return SubsetResult(scores=ordered, outcomes=outcomes)  # type: ignore[arg-type]
