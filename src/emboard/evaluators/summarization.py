"""Summarization: do embedding similarities to human summaries rank machine summaries like
human judges do? (main: cosine_spearman, a mean of per-text correlations).

``SummEval`` keeps MTEB's deprecated evaluator, which averages whole (statistic, p-value) pairs
(mteb issue #1156); ``SummEvalSummarization.v2`` uses the corrected mean of statistics.
"""

from __future__ import annotations

import numpy as np

from emboard.data.records import SummarizationData
from emboard.errors import DataError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.summarization import (
    RowCorrelations,
    is_degenerate,
    row_predictions,
)
from emboard.evaluators.sts import normalise, score_bounds
from emboard.types import FloatArray


def _split(flat: FloatArray, rows: list[list[str]]) -> list[FloatArray]:
    return np.split(flat, np.cumsum([len(r) for r in rows])[:-1])


def _check(data: SummarizationData, ctx: EvalContext) -> None:
    where = f"{ctx.task_name} [{ctx.subset}/{ctx.split}]"
    if not len(data.human_summaries) == len(data.machine_summaries) == len(data.relevance):
        raise DataError(
            f"{where}: human_summaries, machine_summaries and relevance have "
            f"{len(data.human_summaries)}, {len(data.machine_summaries)} and "
            f"{len(data.relevance)} rows; expected equal"
        )
    for i, (machine, gold) in enumerate(zip(data.machine_summaries, data.relevance, strict=True)):
        if len(machine) != len(gold):
            raise DataError(
                f"{where}: row {i} has {len(machine)} machine summaries but {len(gold)} "
                "relevance scores; expected one score per machine summary"
            )


class SummarizationEvaluator:
    """Mean over source texts of the per-text correlations."""

    deprecated = False

    def evaluate(self, data: SummarizationData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        _check(data, ctx)
        bounds = score_bounds(ctx, None)
        human = _split(
            embed([s for row in data.human_summaries for s in row]), data.human_summaries
        )
        machine = _split(
            embed([s for row in data.machine_summaries for s in row]), data.machine_summaries
        )
        correlations = RowCorrelations()
        kept: list[int] = []
        for i, relevance in enumerate(data.relevance):
            gold = normalise(np.asarray(relevance, dtype=np.float64), bounds).tolist()
            pred = row_predictions(machine[i], human[i], ctx.similarity)
            if is_degenerate(gold, pred):
                continue
            correlations.add(gold, pred)
            kept.append(i)
        outcomes = {"kept_rows": np.asarray(kept, dtype=np.float64)} | {
            f"{key}_per_text": np.asarray([stat for stat, _ in rows], dtype=np.float64)
            for key, rows in correlations.rows.items()
        }
        return SubsetResult(scores=dict(correlations.scores(self.deprecated)), outcomes=outcomes)


class DeprecatedSummarizationEvaluator(SummarizationEvaluator):
    """MTEB's deprecated scoring (task ``SummEval``): the mean of whole (statistic, p-value)
    pairs, i.e. (mean r + mean p) / 2."""

    deprecated = True
