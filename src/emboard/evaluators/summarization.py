"""Summarization: do embedding similarities to human summaries rank machine summaries like
human judges do? (main: cosine_spearman, a mean of per-text correlations).

``SummEval`` keeps MTEB's deprecated evaluator, which averages whole (statistic, p-value) pairs
(mteb issue #1156); ``SummEvalSummarization.v2`` uses the corrected mean of statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import pearsonr, spearmanr

from emboard.data.records import SummarizationData
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray

KEYS = ("pearson", "spearman", "cosine_spearman", "cosine_pearson", "dot_pearson", "dot_spearman")


@dataclass
class _Predictions:
    gold: list[list[float]] = field(default_factory=list)
    cosine: list[list[float]] = field(default_factory=list)
    dot: list[list[float]] = field(default_factory=list)
    similarity: list[list[float]] = field(default_factory=list)
    kept_rows: list[int] = field(default_factory=list)


def _row_scores(
    machine: FloatArray, human: FloatArray, similarity: str
) -> tuple[list[float], list[float], list[float]]:
    """Per machine summary: max cosine, max dot and max model similarity over human summaries.

    Computed one machine summary (and for the model similarity one pair) at a time, as MTEB
    does: a batched product rounds differently in float32, and Spearman is sensitive to ties.
    """
    cos = [float(similarity_matrix(m[None, :], human, "cosine").max()) for m in machine]
    dot = [float(similarity_matrix(m[None, :], human, "dot").max()) for m in machine]
    sim = [
        max(float(similarity_matrix(m[None, :], h[None, :], similarity)[0, 0]) for h in human)
        for m in machine
    ]
    return cos, dot, sim


def _predictions(data: SummarizationData, embed: Embed, ctx: EvalContext) -> _Predictions:
    lo = ctx.params.get("min_score", 0)
    hi = ctx.params.get("max_score", 5)
    lo_f = float(lo) if isinstance(lo, (int, float)) else 0.0
    hi_f = float(hi) if isinstance(hi, (int, float)) else 5.0
    human_all = embed([s for row in data.human_summaries for s in row])
    machine_all = embed([s for row in data.machine_summaries for s in row])
    human_rows = np.split(human_all, np.cumsum([len(r) for r in data.human_summaries])[:-1])
    machine_rows = np.split(machine_all, np.cumsum([len(r) for r in data.machine_summaries])[:-1])
    out = _Predictions()
    for i, (human, machine) in enumerate(zip(human_rows, machine_rows, strict=True)):
        gold = ((np.array(data.relevance[i]) - lo_f) / (hi_f - lo_f)).tolist()
        cos, dot, sim = _row_scores(machine, human, ctx.similarity)
        if len(set(gold)) == 1 or len(set(dot)) == 1 or len(set(cos)) == 1:
            continue
        out.gold.append(gold)
        out.cosine.append(cos)
        out.dot.append(dot)
        out.similarity.append(sim)
        out.kept_rows.append(i)
    return out


def _per_row(pred: _Predictions) -> dict[str, list[tuple[float, float]]]:
    """(statistic, p-value) per kept row, for every key."""
    rows: dict[str, list[tuple[float, float]]] = {k: [] for k in KEYS}
    for gold, cos, dot, sim in zip(pred.gold, pred.cosine, pred.dot, pred.similarity, strict=True):
        for key, fn, x in (
            ("cosine_spearman", spearmanr, cos),
            ("cosine_pearson", pearsonr, cos),
            ("dot_spearman", spearmanr, dot),
            ("dot_pearson", pearsonr, dot),
            ("spearman", spearmanr, sim),
            ("pearson", pearsonr, sim),
        ):
            res = fn(gold, x)
            rows[key].append((float(res.statistic), float(res.pvalue)))
    return rows


class SummarizationEvaluator:
    """Mean over source texts of the per-text correlations."""

    deprecated = False

    def evaluate(self, data: SummarizationData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        pred = _predictions(data, embed, ctx)
        rows = _per_row(pred)
        if self.deprecated:
            scores = {k: float(np.mean(np.array(rows[k]))) for k in KEYS}
        else:
            scores = {k: float(np.mean([stat for stat, _ in rows[k]])) for k in KEYS}
        outcomes = {
            "cosine_spearman_per_text": np.array([stat for stat, _ in rows["cosine_spearman"]]),
            "kept_rows": np.array(pred.kept_rows, dtype=np.float64),
        }
        return SubsetResult(scores=dict(scores), outcomes=outcomes)


class DeprecatedSummarizationEvaluator(SummarizationEvaluator):
    """MTEB's deprecated scoring: the mean of whole (statistic, p-value) pairs."""

    deprecated = True
