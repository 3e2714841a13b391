"""Clustering scores as MTEB computes them: bootstrapped k-means per label level (fast) and
one k-means per cluster set (legacy)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics.cluster import adjusted_mutual_info_score, v_measure_score


def level_labels(labels: list[list[str]], level: int) -> tuple[NDArray[Any], NDArray[np.bool_]]:
    """Gold labels at one level of the label paths, and which documents have that level.

    Built exactly as MTEB builds them (a mixed list with -1 for missing levels, then a
    NumPy array), so documents without the level are treated as MTEB treats them.
    """
    raw: list[str | int] = [label[level] if len(label) > level else -1 for label in labels]
    arr = np.array(raw)
    valid = np.array([value != -1 for value in arr])
    return arr[valid], valid


def bootstrapped_scores(
    embeddings: NDArray[np.floating],
    labels: list[list[str]],
    *,
    n_draws: int,
    draw_size: int,
    batch_size: int,
    max_depth: int | None,
    rng: random.Random,
    seed: int,
) -> dict[str, dict[str, list[float]]]:
    """v_measure and AMI per level (``"Level i"``), ``n_draws`` bootstrap draws each."""
    depth = max(map(len, labels))
    depth = min(max_depth, depth) if max_depth is not None else depth
    scores: dict[str, dict[str, list[float]]] = {"v_measure": {}, "ami": {}}
    for level in range(depth):
        gold, valid = level_labels(labels, level)
        level_emb = embeddings[valid]
        model = MiniBatchKMeans(
            n_clusters=np.unique(gold).size,
            batch_size=batch_size,
            init="k-means++",
            n_init=1,
            random_state=seed,
        )
        key = f"Level {level}"
        scores["v_measure"][key], scores["ami"][key] = [], []
        for _ in range(n_draws):
            idx = rng.choices(range(len(level_emb)), k=draw_size)
            assignment = model.fit_predict(level_emb[idx])
            scores["v_measure"][key].append(float(v_measure_score(gold[idx], assignment)))
            scores["ami"][key].append(float(adjusted_mutual_info_score(gold[idx], assignment)))
    return scores


def advance_bootstrap_rng(
    labels: list[list[str]],
    *,
    n_draws: int,
    draw_size: int,
    max_depth: int | None,
    rng: random.Random,
) -> None:
    """Draw from ``rng`` exactly what ``bootstrapped_scores`` draws, without clustering."""
    depth = max(map(len, labels))
    depth = min(max_depth, depth) if max_depth is not None else depth
    for level in range(depth):
        _, valid = level_labels(labels, level)
        n = int(valid.sum())
        for _ in range(n_draws):
            rng.choices(range(n), k=draw_size)


def kmeans_v_measure(embeddings: NDArray[np.floating], labels: list[str], seed: int = 42) -> float:
    """Legacy protocol for one cluster set: MiniBatchKMeans with k = number of labels."""
    model = MiniBatchKMeans(
        n_clusters=len(set(labels)),
        batch_size=500,
        n_init="auto",
        compute_labels=True,
        random_state=seed,
    )
    model.fit(embeddings)
    return float(v_measure_score(labels, model.labels_.tolist()))
