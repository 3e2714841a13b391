"""Summarization scoring, equal to MTEB 2.26.24's ``SummarizationEvaluator``.

Each machine summary is predicted by its best match among the same text's human summaries
(max cosine, max dot product, max model similarity). Per text, these predictions are
correlated with the gold relevance scores; texts whose gold scores, dot or cosine predictions
are all equal are skipped. The reported value is the mean over texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from emboard.evaluators.metrics.correlation import (
    CorrelationKind,
    correlation_with_pvalue,
    mean_statistic,
    mean_statistic_and_pvalue,
)
from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray

SummarizationKey = Literal[
    "pearson", "spearman", "cosine_spearman", "cosine_pearson", "dot_pearson", "dot_spearman"
]
KEYS: tuple[SummarizationKey, ...] = (
    "pearson",
    "spearman",
    "cosine_spearman",
    "cosine_pearson",
    "dot_pearson",
    "dot_spearman",
)
"""MTEB's key order in ``SummarizationMetrics``."""

_PREDICTORS: tuple[tuple[SummarizationKey, str, CorrelationKind], ...] = (
    ("pearson", "similarity", "pearson"),
    ("spearman", "similarity", "spearman"),
    ("cosine_spearman", "cosine", "spearman"),
    ("cosine_pearson", "cosine", "pearson"),
    ("dot_pearson", "dot", "pearson"),
    ("dot_spearman", "dot", "spearman"),
)


@dataclass(frozen=True, slots=True)
class RowPredictions:
    """One source text's predicted quality per machine summary."""

    cosine: list[float]
    dot: list[float]
    similarity: list[float]


def row_predictions(machine: FloatArray, human: FloatArray, similarity: str) -> RowPredictions:
    """Max cosine, max dot and max model similarity of each machine summary over the human ones.

    One machine summary at a time (and for the model similarity one pair at a time), as MTEB
    does: a batched product rounds differently in float32, and Spearman is sensitive to ties.
    Rows are taken as ``[j : j + 1]`` slices: a ``[None, :]`` view has a zero stride that sends
    torch's matmul down another kernel, which rounds differently from MTEB's 1-D inputs.
    """
    singles = [machine[j : j + 1] for j in range(len(machine))]
    humans = [human[k : k + 1] for k in range(len(human))]
    cosine = [float(similarity_matrix(m, human, "cosine").max()) for m in singles]
    dot = [float(similarity_matrix(m, human, "dot").max()) for m in singles]
    model = [max(float(similarity_matrix(m, h, similarity)[0, 0]) for h in humans) for m in singles]
    return RowPredictions(cosine, dot, model)


def is_degenerate(gold: Sequence[float], pred: RowPredictions) -> bool:
    """MTEB skips a text whose gold scores, dot or cosine predictions are all equal."""
    return len(set(gold)) == 1 or len(set(pred.dot)) == 1 or len(set(pred.cosine)) == 1


@dataclass(slots=True)
class RowCorrelations:
    """``(statistic, p-value)`` per kept text, for every key."""

    rows: dict[SummarizationKey, list[tuple[float, float]]] = field(
        default_factory=lambda: {key: [] for key in KEYS}
    )

    def add(self, gold: list[float], pred: RowPredictions) -> None:
        """Correlate one kept text's predictions with its gold scores."""
        for key, family, kind in _PREDICTORS:
            values: list[float] = getattr(pred, family)
            self.rows[key].append(correlation_with_pvalue(gold, values, kind))

    def scores(self, deprecated: bool) -> dict[str, float]:
        """Mean per-text statistic; ``deprecated``: mean of statistics and p-values together."""
        mean = mean_statistic_and_pvalue if deprecated else mean_statistic
        return {key: mean(self.rows[key]) for key in KEYS}
