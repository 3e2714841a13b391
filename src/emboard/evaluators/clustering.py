"""Clustering: do k-means clusters of the embeddings recover the gold labels?

``ClusteringEvaluator`` is MTEB's fast protocol (``AbsTaskClustering``; MTEB(eng, v2), MMTEB;
main ``v_measure`` or ``ami``): optional seeded downsampling, then bootstrap draws with
replacement from the task's random stream. ``ClusteringLegacyEvaluator`` is the set protocol of
MTEB(eng, v1) (``AbsTaskClusteringLegacy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emboard.data.records import ClusteringData, ClusteringSetsData
from emboard.errors import DataError, TaskDefinitionError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.clustering import (
    advance_bootstrap_rng,
    bootstrapped_scores,
    downsample_indices,
    kmeans_v_measure,
    summarize_levels,
)
from emboard.types import JSONValue, ScoreDict


def _optional_number(ctx: EvalContext, key: str, default: float | None) -> float | None:
    value = ctx.params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise TaskDefinitionError(
            f"{ctx.task_name}: evaluation parameter {key}={value!r}; expected a positive number"
        )
    return value


def _int(ctx: EvalContext, key: str, default: int | None) -> int | None:
    value = _optional_number(ctx, key, default)
    if value is not None and value != int(value):
        raise TaskDefinitionError(
            f"{ctx.task_name}: evaluation parameter {key}={value!r}; expected an integer"
        )
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class _Settings:
    """The fast protocol's parameters (MTEB's class defaults when absent)."""

    fraction: float | None
    limit: int | None
    n_draws: int
    draw_size: int
    batch_size: int
    max_depth: int | None

    @classmethod
    def from_ctx(cls, ctx: EvalContext) -> _Settings:
        fraction = _optional_number(ctx, "max_fraction_of_documents_to_embed", 0.04)
        limit = _int(ctx, "max_document_to_embed", None)
        if fraction is not None and limit is not None:
            raise TaskDefinitionError(
                f"{ctx.task_name}: both max_document_to_embed={limit} and "
                f"max_fraction_of_documents_to_embed={fraction} are set; set only one"
            )
        return cls(
            fraction=fraction,
            limit=limit,
            n_draws=_int(ctx, "n_clusters", 10) or 10,
            draw_size=_int(ctx, "max_documents_per_cluster", 16_384) or 16_384,
            batch_size=_int(ctx, "k_mean_batch_size", 512) or 512,
            max_depth=_int(ctx, "max_depth", None),
        )


def _downsample(data: ClusteringData, s: _Settings, ctx: EvalContext) -> ClusteringData:
    """The documents MTEB embeds (drawn from the task's stream when a limit is set)."""
    idx = downsample_indices(len(data.texts), s.fraction, s.limit, ctx.rng)
    if idx is None:
        return data
    return ClusteringData([data.texts[i] for i in idx], [data.labels[i] for i in idx])


class ClusteringEvaluator:
    """MTEB's bootstrapped ("fast") clustering."""

    def evaluate(self, data: ClusteringData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        s = _Settings.from_ctx(ctx)
        docs = _downsample(data, s, ctx)
        emb = embed(docs.texts)
        per_metric = bootstrapped_scores(
            emb,
            docs.labels,
            n_draws=s.n_draws,
            draw_size=s.draw_size,
            batch_size=s.batch_size,
            max_depth=s.max_depth,
            rng=ctx.rng,
            seed=ctx.seed,
        )
        scores: ScoreDict = summarize_levels(per_metric)
        outcomes = {
            metric: np.array([v for values in by_level.values() for v in values])
            for metric, by_level in per_metric.items()
        }
        return SubsetResult(scores=scores, outcomes=outcomes)

    def advance_rng(self, data: ClusteringData, ctx: EvalContext) -> None:
        """Consume ``ctx.rng`` exactly as ``evaluate`` would, without encoding or clustering.

        For resuming: when a (split, subset) is skipped, later ones still see MTEB's stream.
        """
        s = _Settings.from_ctx(ctx)
        docs = _downsample(data, s, ctx)
        advance_bootstrap_rng(
            docs.labels,
            n_draws=s.n_draws,
            draw_size=s.draw_size,
            max_depth=s.max_depth,
            rng=ctx.rng,
        )


class ClusteringLegacyEvaluator:
    """MTEB(eng, v1)'s protocol: one k-means per cluster set, mean V-measure (no random stream)."""

    def evaluate(self, data: ClusteringSetsData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        for i, (set_texts, labels) in enumerate(data.sets):
            if len(set_texts) != len(labels):
                raise DataError(
                    f"{ctx.task_name}/{ctx.split}: cluster set {i} has {len(set_texts)} texts "
                    f"but {len(labels)} labels"
                )
        scored = [i for i, (_, labels) in enumerate(data.sets) if len(set(labels)) > 1]
        texts = [t for i in scored for t in data.sets[i][0]]
        emb = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        values = [1.0] * len(data.sets)  # sets with one label score 1.0 without encoding
        start = 0
        for i in scored:
            set_texts, labels = data.sets[i]
            stop = start + len(set_texts)
            values[i] = kmeans_v_measure(emb[start:stop], labels, ctx.seed)
            start = stop
        scores: dict[str, JSONValue] = {
            "v_measure": float(np.mean(values)),
            "v_measure_std": float(np.std(values)),
            "v_measures": list(values),
        }
        return SubsetResult(scores=scores, outcomes={"v_measures": np.array(values)})
