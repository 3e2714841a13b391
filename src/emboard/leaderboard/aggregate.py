"""MTEB's aggregation rules on the long table (``mteb/benchmarks/_create_table.py``, 2.26.24).

* A (model, experiment, task) score is the mean of its non-null entries, nulled when it covers
  fewer (subset, split) pairs than ``#subsets × #splits`` with any non-null score for that task.
* Means over columns are *skip-na false*: null when any input is null.
* Borda: per partition (task, language, task::subset) rank the models' raw means (pooled over
  experiments) descending with average ranks; points ``n − rank`` (0 without a score); final
  rank = ``min`` rank of the point sums, descending. ``n`` is the number of table rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emboard.leaderboard.select import Entry, TaskSpec

Variant = tuple[str, str]
"""(model name, experiment name; "" for the default run)."""

FloatMatrix = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TaskMatrix:
    """Per-task scores, one row per variant with at least one non-null (complete) task score."""

    tasks: tuple[str, ...]
    """Task columns: tasks with any entry, in benchmark order."""
    variants: tuple[Variant, ...]
    values: FloatMatrix
    """variants × tasks; NaN where MTEB has null (missing or incomplete)."""
    raw_means: dict[str, dict[str, float]]
    """task → model → mean of the non-null entries (pooled over experiments): Borda's input."""
    models: tuple[str, ...]
    """Every model of the long table (Borda ranks them all, kept rows or not)."""


class _Acc:
    __slots__ = ("count", "pairs", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0
        self.pairs: set[tuple[str, str]] = set()


def build_task_matrix(entries: Sequence[Entry], task_order: Iterable[str]) -> TaskMatrix:
    """Per-task means with incomplete (model, task) pairs nulled; see the module docstring."""
    by_variant: dict[tuple[str, str, str], _Acc] = {}
    by_model: dict[tuple[str, str], list[float]] = {}
    subsets: dict[str, set[str]] = {}
    splits: dict[str, set[str]] = {}
    seen_variants: dict[Variant, None] = {}
    seen_tasks: set[str] = set()
    models: dict[str, None] = {}
    get_variant, get_model = by_variant.get, by_model.get
    for e in entries:
        key = (e.model, e.experiment, e.task)
        acc = get_variant(key)
        if acc is None:
            acc = by_variant[key] = _Acc()
            seen_variants.setdefault((e.model, e.experiment))
            seen_tasks.add(e.task)
            models.setdefault(e.model)
        score = e.score
        if score is None:
            mkey = (e.model, e.task)
            if get_model(mkey) is None:
                by_model[mkey] = [0.0, 0.0]
            continue
        macc = get_model((e.model, e.task))
        if macc is None:
            macc = by_model[(e.model, e.task)] = [0.0, 0.0]
        acc.total += score
        acc.count += 1
        acc.pairs.add((e.subset, e.split))
        macc[0] += score
        macc[1] += 1
        subsets.setdefault(e.task, set()).add(e.subset)
        splits.setdefault(e.task, set()).add(e.split)
    tasks = tuple(t for t in task_order if t in seen_tasks)
    col = {t: j for j, t in enumerate(tasks)}
    variants = list(seen_variants)
    row = {v: i for i, v in enumerate(variants)}
    values = np.full((len(variants), len(tasks)), np.nan)
    for (model, exp, task), acc in by_variant.items():
        if acc.count == 0:
            continue
        required = len(subsets[task]) * len(splits[task])
        if len(acc.pairs) >= required:
            values[row[(model, exp)], col[task]] = acc.total / acc.count
    keep = ~np.all(np.isnan(values), axis=1) if tasks else np.zeros(len(variants), dtype=bool)
    raw: dict[str, dict[str, float]] = {t: {} for t in tasks}
    for (model, task), (total, count) in by_model.items():
        if count:
            raw[task][model] = total / count
    return TaskMatrix(
        tasks=tasks,
        variants=tuple(v for v, k in zip(variants, keep, strict=True) if k),
        values=values[keep],
        raw_means=raw,
        models=tuple(models),
    )


def skipna_false_mean(values: FloatMatrix, columns: Sequence[int]) -> FloatMatrix:
    """Row means over ``columns``, NaN where any is NaN (all NaN for no columns)."""
    if not columns:
        return np.full(values.shape[0], np.nan)
    return np.asarray(values[:, list(columns)].mean(axis=1), dtype=np.float64)


def average_ranks_descending(scores: Mapping[str, float]) -> dict[str, float]:
    """Rank 1 = highest; ties share the mean of their positions (polars ``average``)."""
    ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    ranks: dict[str, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        rank = (i + j + 2) / 2
        for k in range(i, j + 1):
            ranks[ordered[k][0]] = rank
        i = j + 1
    return ranks


def min_ranks_descending(points: Mapping[str, float]) -> dict[str, int]:
    """Rank 1 = highest; ties share the best rank and the next rank skips (polars ``min``)."""
    ordered = sorted(points.values(), reverse=True)
    first: dict[float, int] = {}
    for i, p in enumerate(ordered):
        first.setdefault(p, i + 1)
    return {m: first[p] for m, p in points.items()}


def borda_ranks(
    partitions: Mapping[str, Mapping[str, float]], models: Iterable[str], n_models: int
) -> dict[str, int]:
    """MTEB's Borda count: ``n_models − rank`` per partition, summed, then ``min``-ranked."""
    points = dict.fromkeys(models, 0.0)
    for scores in partitions.values():
        for model, rank in average_ranks_descending(scores).items():
            points[model] = points.get(model, 0.0) + (n_models - rank)
    return min_ranks_descending(points)


def type_columns(tasks: Sequence[str], specs: Mapping[str, TaskSpec]) -> dict[str, list[int]]:
    """Task type → indices of its task columns; types in order of first appearance."""
    out: dict[str, list[int]] = {}
    for j, task in enumerate(tasks):
        out.setdefault(specs[task].type, []).append(j)
    return out


@dataclass(frozen=True, slots=True)
class SubsetMeans:
    """HUME's subset weighting: per (variant, task, subset) means over splits."""

    mean: dict[Variant, float | None]
    """Mean (Subset) per variant: null if any of its (task, subset) means is null."""
    borda: dict[str, int]


def subset_means(entries: Sequence[Entry], n_models: int) -> SubsetMeans:
    """``Mean (Subset)`` and its Borda over ``task::subset`` partitions (nulled values)."""
    groups: dict[tuple[str, str, str, str], list[float]] = {}
    splits_have: dict[tuple[str, str, str, str], set[str]] = {}
    task_splits: dict[str, set[str]] = {}
    for e in entries:
        key = (e.model, e.experiment, e.task, e.subset)
        acc = groups.setdefault(key, [])
        splits_have.setdefault(key, set())
        if e.score is not None:
            acc.append(e.score)
            splits_have[key].add(e.split)
            task_splits.setdefault(e.task, set()).add(e.split)
    per_variant: dict[Variant, list[float | None]] = {}
    partitions: dict[str, dict[str, list[float]]] = {}
    models: dict[str, None] = {}
    for (model, exp, task, subset), scores in groups.items():
        value: float | None = sum(scores) / len(scores) if scores else None
        if value is not None and len(splits_have[(model, exp, task, subset)]) < len(
            task_splits[task]
        ):
            value = None
        per_variant.setdefault((model, exp), []).append(value)
        models.setdefault(model)
        if value is not None:
            partitions.setdefault(f"{task}::{subset}", {}).setdefault(model, []).append(value)
    mean: dict[Variant, float | None] = {}
    for variant, vals in per_variant.items():
        present = [v for v in vals if v is not None]
        mean[variant] = sum(present) / len(present) if len(present) == len(vals) else None
    pooled = {p: {m: sum(v) / len(v) for m, v in ms.items()} for p, ms in partitions.items()}
    return SubsetMeans(mean=mean, borda=borda_ranks(pooled, models, n_models))


@dataclass(frozen=True, slots=True)
class LanguageMeans:
    """Per (model, language) means of the entries listing that language."""

    languages: tuple[str, ...]
    models: tuple[str, ...]
    """Models with at least one non-null language mean, in first-seen order."""
    values: dict[str, dict[str, float]]
    """language → model → mean."""
    all_models: tuple[str, ...]


def language_means(entries: Sequence[Entry], view: Sequence[str] | None) -> LanguageMeans:
    """``view`` None is MTEB's ``"all"``; otherwise only those language codes count."""
    wanted = None if view is None else set(view)
    acc: dict[tuple[str, str], list[float]] = {}
    langs: dict[str, None] = {}
    all_models: dict[str, None] = {}
    for e in entries:
        for lang in e.languages:
            if wanted is not None and lang not in wanted:
                continue
            langs.setdefault(lang)
            all_models.setdefault(e.model)
            slot = acc.setdefault((e.model, lang), [0.0, 0.0])
            if e.score is not None:
                slot[0] += e.score
                slot[1] += 1
    values: dict[str, dict[str, float]] = {lang: {} for lang in langs}
    with_score: set[str] = set()
    for (model, lang), (total, count) in acc.items():
        if count:
            values[lang][model] = total / count
            with_score.add(model)
    return LanguageMeans(
        languages=tuple(langs),
        models=tuple(m for m in all_models if m in with_score),
        values=values,
        all_models=tuple(all_models),
    )
