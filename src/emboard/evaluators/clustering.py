"""Clustering: do k-means clusters of the embeddings recover the gold labels?

``ClusteringEvaluator`` is MTEB's fast protocol (MTEB(eng, v2), MMTEB; main ``v_measure`` or
``ami``): optional seeded downsampling, then bootstrap draws with replacement from the task's
random stream. ``ClusteringLegacyEvaluator`` is the set protocol of MTEB(eng, v1).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from emboard.data.records import ClusteringData, ClusteringSetsData
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.clustering import (
    advance_bootstrap_rng,
    bootstrapped_scores,
    kmeans_v_measure,
)


def _param(ctx: EvalContext, key: str, default: Any) -> Any:
    return ctx.params.get(key, default)


def _sample(data: ClusteringData, ctx: EvalContext) -> list[int] | None:
    """Indices of the documents to embed (drawn from the task's stream), or None for all."""
    fraction = _param(ctx, "max_fraction_of_documents_to_embed", 0.04)
    limit = _param(ctx, "max_document_to_embed", None)
    if fraction is None and limit is None:
        return None
    n = len(data.texts)
    k = int(fraction * n) if fraction is not None else int(limit)
    return ctx.rng.sample(range(n), k=min(n, k))


class ClusteringEvaluator:
    """MTEB's bootstrapped ("fast") clustering."""

    def _settings(self, ctx: EvalContext) -> dict[str, Any]:
        return {
            "n_draws": int(_param(ctx, "n_clusters", 10)),
            "draw_size": int(_param(ctx, "max_documents_per_cluster", 16_384)),
            "max_depth": _param(ctx, "max_depth", None),
        }

    def evaluate(self, data: ClusteringData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        idx = _sample(data, ctx)
        texts = data.texts if idx is None else [data.texts[i] for i in idx]
        labels = data.labels if idx is None else [data.labels[i] for i in idx]
        emb = embed(texts)
        per_level = bootstrapped_scores(
            emb,
            labels,
            batch_size=int(_param(ctx, "k_mean_batch_size", 512)),
            rng=ctx.rng,
            seed=ctx.seed,
            **self._settings(ctx),
        )
        scores: dict[str, Any] = {}
        for metric, by_level in per_level.items():
            flat = list(itertools.chain.from_iterable(by_level.values()))
            scores["v_measures" if metric == "v_measure" else f"{metric}_scores"] = by_level
            scores[metric] = float(np.mean(flat))
            scores[f"{metric}_std"] = float(np.std(flat))
        outcomes = {
            m: np.array(list(itertools.chain.from_iterable(v.values())))
            for m, v in per_level.items()
        }
        return SubsetResult(scores=scores, outcomes=outcomes)

    def advance_rng(self, data: ClusteringData, ctx: EvalContext) -> None:
        """Consume the task's stream as ``evaluate`` would (used when a split is resumed)."""
        idx = _sample(data, ctx)
        labels = data.labels if idx is None else [data.labels[i] for i in idx]
        advance_bootstrap_rng(labels, rng=ctx.rng, **self._settings(ctx))


class ClusteringLegacyEvaluator:
    """MTEB(eng, v1)'s protocol: one k-means per cluster set, mean V-measure."""

    def evaluate(self, data: ClusteringSetsData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        values = []
        for texts, labels in data.sets:
            if len(set(labels)) <= 1:
                values.append(1.0)
                continue
            values.append(kmeans_v_measure(embed(texts), labels, ctx.seed))
        scores: dict[str, Any] = {
            "v_measure": float(np.mean(values)),
            "v_measure_std": float(np.std(values)),
            "v_measures": values,
        }
        return SubsetResult(scores=scores, outcomes={"v_measures": np.array(values)})
