"""MTEB's aggregation rules on the long table (``mteb/benchmarks/_create_table.py``, 2.26.24).

* A (model, experiment, task) score is the mean of its non-null entries, nulled when it covers
  fewer (subset, split) pairs than ``#subsets × #splits`` with any non-null score for that task.
* Means over columns are *skip-na false*: null when any input is null.
* Borda: per partition (task, language, task::subset) rank the models' raw means (pooled over
  experiments) descending with average ranks; points ``n − rank`` (0 without a score); final
  rank = ``min`` rank of the point sums, descending. ``n`` is the number of table rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emboard.leaderboard.entries import EntryColumns, FloatArray, IntArray, Variant
from emboard.leaderboard.select import TaskSpec

__all__ = ["Variant"]

FloatMatrix = NDArray[np.float64]
Ids = NDArray[np.int64] | NDArray[np.int32]


@dataclass(frozen=True, slots=True, eq=False)
class TaskMatrix:
    """Per-task scores, one row per variant with at least one non-null (complete) task score."""

    tasks: tuple[str, ...]
    """Task columns: tasks with any entry, in benchmark order."""
    variants: tuple[Variant, ...]
    values: FloatMatrix
    """variants × tasks; NaN where MTEB has null (missing or incomplete)."""
    raw_means: FloatMatrix
    """models × tasks: mean of the non-null entries (pooled over experiments), NaN for none:
    Borda's input."""
    models: tuple[str, ...]
    """Every model of the long table (Borda ranks them all, kept rows or not)."""
    borda: dict[str, int]
    """Borda rank of each of ``models`` over the task partitions (``n`` = kept variants)."""


def _group_means(groups: IntArray, scores: FloatArray, n: int) -> tuple[FloatArray, IntArray]:
    """(mean, count) per group id < n; sums add in entry order, as a Python loop would."""
    total = np.bincount(groups, weights=scores, minlength=n)
    count = np.bincount(groups, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def _distinct_per(owner: Ids, item: Ids, shape: tuple[int, int]) -> IntArray:
    """The number of distinct ``item`` values per ``owner`` (a dense owner × item table)."""
    seen = np.zeros(shape, dtype=bool)
    seen[owner, item] = True
    return np.asarray(seen.sum(axis=1), dtype=np.int64)


def _seen(ids: Ids, n: int) -> IntArray:
    mask = np.zeros(n, dtype=bool)
    mask[ids] = True
    return np.flatnonzero(mask)


def build_task_matrix(cols: EntryColumns) -> TaskMatrix:
    """Per-task means with incomplete (model, task) pairs nulled; see the module docstring."""
    n_var, n_task, n_model = len(cols.variants), len(cols.tasks), len(cols.models)
    n_split, n_subset = len(cols.splits), len(cols.subsets)
    nn = ~np.isnan(cols.score)
    task, split, subset = (
        np.asarray(c[nn], np.int64) for c in (cols.task, cols.split, cols.subset)
    )
    score = cols.score[nn]
    group = np.asarray(cols.variant[nn], np.int64) * n_task + task
    mean, count = _group_means(group, score, n_var * n_task)
    pairs = count  # (subset, split) cells covered, each once
    shared = cols.shared[nn]
    if shared.any():
        cells = np.unique((group[shared] * n_split + split[shared]) * n_subset + subset[shared])
        pairs = np.bincount(group[~shared], minlength=n_var * n_task) + np.bincount(
            cells // (n_split * n_subset), minlength=n_var * n_task
        )
    required = _distinct_per(task, subset, (n_task, n_subset)) * _distinct_per(
        task, split, (n_task, n_split)
    )
    complete = (count > 0) & (pairs >= np.tile(required, n_var))
    values = np.where(complete, mean, np.nan).reshape(n_var, n_task)
    columns, rows = _seen(cols.task, n_task), _seen(cols.variant, n_var)
    values = values[rows][:, columns]
    keep = ~np.all(np.isnan(values), axis=1) if len(columns) else np.zeros(len(rows), bool)
    raw, _ = _group_means(
        np.asarray(cols.model[nn], np.int64) * n_task + task, score, n_model * n_task
    )
    models = _seen(cols.model, n_model)
    raw_means = raw.reshape(n_model, n_task)[models][:, columns]
    names = tuple(cols.models[m] for m in models.tolist())
    ranks = borda_ranks(raw_means, int(keep.sum())).tolist()
    return TaskMatrix(
        tasks=tuple(cols.tasks[j] for j in columns.tolist()),
        variants=tuple(cols.variants[i] for i in rows[keep].tolist()),
        values=values[keep],
        raw_means=raw_means,
        models=names,
        borda=dict(zip(names, ranks, strict=True)),
    )


def skipna_false_mean(values: FloatMatrix, columns: Sequence[int]) -> FloatMatrix:
    """Row means over ``columns``, NaN where any is NaN (all NaN for no columns)."""
    if not columns:
        return np.full(values.shape[0], np.nan)
    return np.asarray(values[:, list(columns)].mean(axis=1), dtype=np.float64)


def average_ranks_descending(scores: FloatMatrix) -> FloatMatrix:
    """Per column: rank 1 = highest; ties share the mean of their positions (polars
    ``average``); NaN (not ranked in that column) stays NaN."""
    n = scores.shape[0]
    order = np.argsort(-scores, axis=0)  # NaN last; ties' order does not matter
    ordered = np.take_along_axis(scores, order, axis=0)
    index = np.broadcast_to(np.arange(n)[:, None], scores.shape)
    new = np.ones(scores.shape, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    start = np.maximum.accumulate(np.where(new, index, 0), axis=0)
    last = np.ones(scores.shape, dtype=bool)
    last[:-1] = new[1:]
    end = np.minimum.accumulate(np.where(last, index, n)[::-1], axis=0)[::-1]
    ranks = np.empty(scores.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (start + end + 2) / 2, axis=0)
    ranks[np.isnan(scores)] = np.nan
    return ranks


def min_ranks_descending(points: FloatArray) -> IntArray:
    """Rank 1 = highest; ties share the best rank and the next rank skips (polars ``min``)."""
    ascending = np.sort(points)
    return 1 + len(points) - np.searchsorted(ascending, points, side="right")


def borda_ranks(scores: FloatMatrix, n_models: int) -> IntArray:
    """MTEB's Borda count over ``scores`` (items × partitions, NaN = not in that partition):
    ``n_models − rank`` per partition, summed, then ``min``-ranked; one rank per item.
    (Points are multiples of ½, so their sums are exact in any order.)"""
    if not scores.size:
        return min_ranks_descending(np.zeros(scores.shape[0]))
    points = np.where(np.isnan(scores), 0.0, n_models - average_ranks_descending(scores))
    return min_ranks_descending(points.sum(axis=1))


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


def subset_means(cols: EntryColumns, n_models: int) -> SubsetMeans:
    """``Mean (Subset)`` and its Borda over ``task::subset`` partitions (nulled values)."""
    groups: dict[tuple[int, int, int], tuple[list[float], set[int]]] = {}
    task_splits: dict[int, set[int]] = {}
    for v, t, sp, su, sc in zip(
        cols.variant.tolist(),
        cols.task.tolist(),
        cols.split.tolist(),
        cols.subset.tolist(),
        cols.score.tolist(),
        strict=True,
    ):
        scores, have = groups.setdefault((v, t, su), ([], set()))
        if not math.isnan(sc):
            scores.append(sc)
            have.add(sp)
            task_splits.setdefault(t, set()).add(sp)
    per_variant: dict[int, list[float | None]] = {}
    partitions: dict[tuple[int, int], dict[int, list[float]]] = {}
    models: dict[int, None] = {}
    for (v, t, su), (scores, have) in groups.items():
        value: float | None = sum(scores) / len(scores) if scores else None
        if value is not None and len(have) < len(task_splits[t]):
            value = None
        per_variant.setdefault(v, []).append(value)
        model = int(cols.variant_model[v])
        models.setdefault(model)
        if value is not None:
            partitions.setdefault((t, su), {}).setdefault(model, []).append(value)
    mean: dict[Variant, float | None] = {}
    for v, vals in per_variant.items():
        present = [x for x in vals if x is not None]
        mean[cols.variants[v]] = sum(present) / len(present) if len(present) == len(vals) else None
    row = {m: i for i, m in enumerate(models)}
    pooled = np.full((len(row), len(partitions)), np.nan)
    for j, by_model in enumerate(partitions.values()):
        for m, pooled_values in by_model.items():
            pooled[row[m], j] = sum(pooled_values) / len(pooled_values)
    ranks = borda_ranks(pooled, n_models).tolist()
    return SubsetMeans(
        mean=mean, borda={cols.models[m]: r for m, r in zip(row, ranks, strict=True)}
    )


@dataclass(frozen=True, slots=True, eq=False)
class LanguageMeans:
    """Per (model, language) means of the entries listing that language."""

    languages: tuple[str, ...]
    """In first-seen order."""
    models: tuple[str, ...]
    """Every model with an entry listing one of the languages, in first-seen order."""
    values: FloatMatrix
    """models × languages: the mean, NaN for none."""
    has_score: NDArray[np.bool_]
    """Per model: at least one non-null language mean."""


def language_means(cols: EntryColumns, view: Sequence[str] | None) -> LanguageMeans:
    """``view`` None is MTEB's ``"all"``; otherwise only those language codes count."""
    ls, n = cols.langsets, len(cols)
    n_lang, n_model = len(ls.languages), len(cols.models)
    wanted = np.ones(n_lang, dtype=bool)
    if view is not None:
        chosen = set(view)
        wanted = np.array([x in chosen for x in ls.languages], dtype=bool).reshape(n_lang)
    first = np.full(len(ls.sets), n, dtype=np.int64)  # each list's first entry
    np.minimum.at(first, cols.langset, np.arange(n, dtype=np.int64))
    items = np.flatnonzero(wanted[ls.flat] & (first[ls.owner] < n))
    order = np.lexsort((items - ls.offsets[ls.owner[items]], first[ls.owner[items]]))
    listed = ls.flat[items[order]]  # languages by first entry, then list position
    _, at = np.unique(listed, return_index=True)
    columns = listed[np.sort(at)]
    naming = np.zeros(len(ls.sets), dtype=bool)
    naming[ls.owner[items]] = True
    rows = _seen(cols.model[naming[cols.langset]], n_model)
    entry, lang = cols.language_pairs(np.flatnonzero(~np.isnan(cols.score)))
    keep = wanted[lang]
    entry, lang = entry[keep], lang[keep]
    model = np.asarray(cols.model[entry], np.int64)
    means, _ = _group_means(model * n_lang + lang, cols.score[entry], n_model * n_lang)
    values = means.reshape(n_model, n_lang)[rows][:, columns]
    return LanguageMeans(
        languages=tuple(ls.languages[j] for j in columns.tolist()),
        models=tuple(cols.models[m] for m in rows.tolist()),
        values=values,
        has_score=~np.all(np.isnan(values), axis=1) if len(columns) else np.zeros(len(rows), bool),
    )
