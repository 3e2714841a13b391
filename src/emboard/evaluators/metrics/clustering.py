"""Clustering scores as MTEB computes them: bootstrapped k-means per label level (fast protocol)
and one k-means per cluster set (legacy protocol), plus the seeded draws the fast protocol takes
from the task's ``random.Random`` stream.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics.cluster import adjusted_mutual_info_score, v_measure_score

from emboard.errors import DataError

LevelScores = dict[str, list[float]]
"""``{"Level 0": [...], "Level 1": [...]}``: one value per bootstrap draw."""


def downsample_indices(
    n_docs: int, fraction: float | None, limit: int | None, rng: random.Random
) -> list[int] | None:
    """Documents to embed, drawn with ``rng.sample`` (None = all, no draw).

    MTEB draws only when a limit is set: ``int(fraction * n)`` or ``limit`` documents, at most
    ``n``, as ``rng.sample(range(n), k)`` (in draw order, not sorted).
    """
    if fraction is None and limit is None:
        return None
    k = int(fraction * n_docs) if fraction is not None else int(limit)  # type: ignore[arg-type]
    return rng.sample(range(n_docs), k=min(n_docs, k))


def label_depth(labels: Sequence[Sequence[Any]], max_depth: int | None) -> int:
    """Number of levels scored: the longest label path, capped by ``max_depth``."""
    if not labels:
        raise DataError("clustering: no documents to cluster")
    depth = max(map(len, labels))
    return min(max_depth, depth) if max_depth is not None else depth


def level_labels(labels: Sequence[Sequence[Any]], level: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """Gold labels at one level of the label paths, and which documents have that level.

    Built exactly as MTEB builds them: ``-1`` for a missing level, one NumPy array, then
    ``value != -1``. With string labels the ``-1`` becomes the string ``"-1"`` and compares
    unequal, so documents lacking the level are kept with the label ``"-1"``; with integer labels
    they are dropped.
    """
    raw = [label[level] if len(label) > level else -1 for label in labels]
    arr = np.array(raw)
    valid = np.array([value != -1 for value in arr], dtype=bool)
    return arr[valid], valid


def _n_clusters(gold: NDArray[Any]) -> int:
    return int(np.unique(gold).size)


def bootstrapped_scores(
    embeddings: NDArray[np.floating[Any]],
    labels: Sequence[Sequence[Any]],
    *,
    n_draws: int,
    draw_size: int,
    batch_size: int,
    max_depth: int | None,
    rng: random.Random,
    seed: int,
) -> dict[str, LevelScores]:
    """``{"v_measure": {level: [...]}, "ami": {level: [...]}}`` with ``n_draws`` draws per level.

    Per level: one ``MiniBatchKMeans(k = #gold labels, batch_size, k-means++, n_init=1,
    random_state=seed)``; each draw takes ``draw_size`` documents with replacement
    (``rng.choices``) and fits it on them.
    """
    scores: dict[str, LevelScores] = {"v_measure": {}, "ami": {}}
    for level in range(label_depth(labels, max_depth)):
        gold, valid = level_labels(labels, level)
        level_emb = embeddings[valid]
        model = MiniBatchKMeans(
            n_clusters=_n_clusters(gold),
            batch_size=batch_size,
            init="k-means++",
            n_init=1,
            random_state=seed,
        )
        key = f"Level {level}"
        v_list: list[float] = []
        ami_list: list[float] = []
        for _ in range(n_draws):
            idx = rng.choices(range(len(level_emb)), k=draw_size)
            assignment = model.fit_predict(level_emb[idx])
            v_list.append(float(v_measure_score(gold[idx], assignment)))
            ami_list.append(float(adjusted_mutual_info_score(gold[idx], assignment)))
        scores["v_measure"][key] = v_list
        scores["ami"][key] = ami_list
    return scores


def advance_bootstrap_rng(
    labels: Sequence[Sequence[Any]],
    *,
    n_draws: int,
    draw_size: int,
    max_depth: int | None,
    rng: random.Random,
) -> None:
    """Draw from ``rng`` exactly what :func:`bootstrapped_scores` draws, without clustering."""
    for level in range(label_depth(labels, max_depth)):
        n_valid = int(level_labels(labels, level)[1].sum())
        for _ in range(n_draws):
            rng.choices(range(n_valid), k=draw_size)


def summarize_levels(per_metric: dict[str, LevelScores]) -> dict[str, Any]:
    """MTEB's result keys: ``v_measures``/``v_measure``/``v_measure_std`` and
    ``ami_scores``/``ami``/``ami_std`` (means and population stds over all levels pooled)."""
    out: dict[str, Any] = {}
    for metric, by_level in per_metric.items():
        flat = [v for values in by_level.values() for v in values]
        out["v_measures" if metric == "v_measure" else f"{metric}_scores"] = by_level
        out[metric] = float(np.mean(flat))
        out[f"{metric}_std"] = float(np.std(flat))
    return out


def kmeans_v_measure(
    embeddings: NDArray[np.floating[Any]], labels: Sequence[Any], seed: int = 42
) -> float:
    """Legacy protocol for one cluster set: MiniBatchKMeans(k = #labels, batch 500) V-measure."""
    model = MiniBatchKMeans(
        n_clusters=len(set(labels)),
        batch_size=500,
        n_init="auto",
        compute_labels=True,
        random_state=seed,
    )
    model.fit(embeddings)
    return float(v_measure_score(labels, model.labels_.tolist()))


def flatten_cluster_sets(
    sets: Sequence[tuple[Sequence[str], Sequence[Any]]],
    rng: random.Random,
    max_size: int = 100_000,
) -> tuple[list[str], list[Any]]:
    """MTEB's ``_convert_to_fast`` for one split: concatenate the sets, keep the first occurrence
    of each text, then keep ``rng.sample(range(n), max_size)`` rows (in draw order) if longer.

    MTEB creates ``rng = random.Random(seed)`` once per dataset and reuses it for every split in
    the dataset's split order: do the same.
    """
    seen: set[str] = set()
    texts: list[str] = []
    labels: list[Any] = []
    for set_texts, set_labels in sets:
        for text, label in zip(set_texts, set_labels, strict=True):
            if text not in seen:
                seen.add(text)
                texts.append(text)
                labels.append(label)
    if len(texts) > max_size:
        idx = rng.sample(range(len(texts)), max_size)
        return [texts[i] for i in idx], [labels[i] for i in idx]
    return texts, labels
