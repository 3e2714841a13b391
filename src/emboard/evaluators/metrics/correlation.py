"""Correlations as MTEB 2.26.24 computes them (scipy ``pearsonr`` / ``spearmanr``).

STS correlates all pairs at once; summarization correlates each source text's machine summaries
separately and averages the per-text values (``SummEval`` keeps MTEB's deprecated average of
whole ``(statistic, p-value)`` pairs, mteb issue #1156).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import pearsonr, spearmanr

CorrelationKind = Literal["pearson", "spearman"]


def _as_float64(values: ArrayLike) -> NDArray[np.float64]:
    # float32 → float64 is exact, so ranks, ties and sums are those of MTEB's Python floats
    return np.asarray(values, dtype=np.float64)


def pearson_spearman(gold: ArrayLike, pred: ArrayLike) -> tuple[float, float]:
    """(Pearson r, Spearman rho) of predictions against gold scores."""
    x, y = _as_float64(gold), _as_float64(pred)
    return float(pearsonr(x, y)[0]), float(spearmanr(x, y)[0])


def correlation_with_pvalue(
    gold: Sequence[float], pred: Sequence[float], kind: CorrelationKind
) -> tuple[float, float]:
    """``(statistic, p-value)`` of one correlation, on Python lists as MTEB passes them."""
    result = pearsonr(gold, pred) if kind == "pearson" else spearmanr(gold, pred)
    return float(result[0]), float(result[1])


def mean_statistic(per_row: Sequence[tuple[float, float]]) -> float:
    """Mean over rows of the correlation statistic (MTEB's current summarization score)."""
    return float(np.mean([statistic for statistic, _ in per_row]))


def mean_statistic_and_pvalue(per_row: Sequence[tuple[float, float]]) -> float:
    """Mean of all statistics and p-values together, i.e. (mean r + mean p) / 2: the score of
    MTEB's ``DeprecatedSummarizationEvaluator`` (``np.mean`` over a list of scipy results)."""
    return float(np.mean(np.array(per_row, dtype=np.float64)))
