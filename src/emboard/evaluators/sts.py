"""STS: correlation of embedding similarity with graded human similarity (main: cosine_spearman).

As MTEB 2.26.24's ``AbsTaskSTS`` + ``AnySTSEvaluator``: gold scores are normalised with the
task's ``min_score``/``max_score`` (an affine map, so correlations do not change), both sides
are encoded separately, and Pearson/Spearman are computed for the model similarity
(``pearson``/``spearman``), cosine, and negated Manhattan and Euclidean distances.
"""

from __future__ import annotations

import numpy as np

from emboard.data.records import STSData
from emboard.errors import DataError, TaskDefinitionError
from emboard.evaluators._pairs import embed_pairs
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.correlation import pearson_spearman
from emboard.evaluators.metrics.pair_scores import pair_scores
from emboard.types import Float64Array

STS_DEFAULT_BOUNDS = (0.0, 5.0)
"""``AbsTaskSTS.min_score`` / ``max_score`` when a task does not set them."""


def score_bounds(ctx: EvalContext, default: tuple[float, float] | None) -> tuple[float, float]:
    """The task's ``(min_score, max_score)`` from ``ctx.params`` (``default`` when absent)."""
    bounds: list[float] = []
    for i, key in enumerate(("min_score", "max_score")):
        value = ctx.params.get(key)
        if value is None and default is not None:
            bounds.append(default[i])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            bounds.append(float(value))
        else:
            raise TaskDefinitionError(
                f"{ctx.task_name}: evaluation parameter {key!r} is {value!r}; expected a number"
            )
    if bounds[0] == bounds[1]:
        raise TaskDefinitionError(
            f"{ctx.task_name}: min_score and max_score are both {bounds[0]}; expected a range"
        )
    return bounds[0], bounds[1]


def normalise(scores: Float64Array, bounds: tuple[float, float]) -> Float64Array:
    """``(s - min_score) / (max_score - min_score)``, as MTEB's ``_normalize``."""
    lo, hi = bounds
    out: Float64Array = (np.asarray(scores, dtype=np.float64) - lo) / (hi - lo)
    return out


class STSEvaluator:
    """Pearson and Spearman of gold scores vs. the model's similarity, cosine, -L1 and -L2."""

    def evaluate(self, data: STSData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        n = len(data.scores)
        if not len(data.sentence1) == len(data.sentence2) == n:
            raise DataError(
                f"{ctx.task_name} [{ctx.subset}/{ctx.split}]: sentence1, sentence2 and score "
                f"have {len(data.sentence1)}, {len(data.sentence2)} and {n} rows; expected equal"
            )
        gold = normalise(data.scores, score_bounds(ctx, STS_DEFAULT_BOUNDS))
        emb1, emb2 = embed_pairs(data.sentence1, data.sentence2, embed, ctx)
        ps = pair_scores(emb1, emb2, ctx.similarity)
        predictions = {
            "": ps.similarity,
            "cosine_": ps.cosine,
            "manhattan_": -ps.manhattan,
            "euclidean_": -ps.euclidean,
        }
        scores: dict[str, float] = {}
        for prefix, pred in predictions.items():
            scores[f"{prefix}pearson"], scores[f"{prefix}spearman"] = pearson_spearman(gold, pred)
        outcomes = {"gold": gold} | {
            (prefix.rstrip("_") or "similarity"): pred.astype(np.float64)
            for prefix, pred in predictions.items()
        }
        return SubsetResult(scores=dict(scores), outcomes=outcomes)
