"""MTEB's null padding as arrays: each benchmark task's (split, subset) grid, and the cells a
chosen task result has no kept row for.

``TaskResult.validate_and_filter_scores`` adds a null score for every benchmark subset missing
from a split the result has, and for every subset of a split it lacks; aggregate tasks (kept
subset ``default``) are padded only in the splits they lack. Splits and subsets are sets there,
so duplicates in a benchmark's lists count once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

from emboard.leaderboard.entries import BoolArray, IntArray, Vocabulary, spread

if TYPE_CHECKING:
    from emboard.leaderboard.select import TaskSpec


@dataclass(frozen=True, slots=True)
class TaskGrid:
    """Every benchmark task's cells, split-major, with validity tables and a code lookup."""

    offset: IntArray
    length: IntArray
    split: IntArray
    subset: IntArray
    langset: IntArray
    """Language list of each cell's subset (the task metadata's)."""
    split_ok: BoolArray
    """task × split: one of the task's eval splits."""
    subset_ok: BoolArray
    """task × subset: a kept subset (aggregate tasks: ``default`` only)."""
    aggregate: BoolArray
    sorted_codes: IntArray
    """Cell codes ``(task·#splits + split)·#subsets + subset``, sorted."""
    sorted_cells: IntArray
    """The cell of each sorted code."""


def task_grid(
    specs: Mapping[str, TaskSpec],
    splits: Vocabulary[str],
    subsets: Vocabulary[str],
    langsets: Vocabulary[tuple[str, ...]],
) -> TaskGrid:
    """The grid of ``specs`` (in order), their values added to the vocabularies."""
    columns: list[list[IntArray]] = [[], [], [], []]  # task, split, subset, language list
    lengths, ok_splits, ok_subsets = [], [], []
    for j, spec in enumerate(specs.values()):
        task_subsets = dict.fromkeys(spec.subsets)
        sub_ids = subsets.add_all(task_subsets)
        lang_ids = langsets.add_all(map(spec.subset_languages.get, task_subsets, repeat(())))
        split_ids = splits.add_all(dict.fromkeys(spec.splits))
        n = len(split_ids) * len(sub_ids)
        lengths.append(n)
        columns[0].append(np.full(n, j, dtype=np.int64))
        columns[1].append(np.repeat(np.array(split_ids, dtype=np.int64), len(sub_ids)))
        columns[2].append(np.tile(np.array(sub_ids, dtype=np.int64), len(split_ids)))
        columns[3].append(np.tile(np.array(lang_ids, dtype=np.int64), len(split_ids)))
        ok_splits.append(split_ids)
        ok_subsets.append([subsets.add("default")] if spec.aggregate else sub_ids)
    split_ok = np.zeros((len(specs), len(splits)), dtype=bool)
    subset_ok = np.zeros((len(specs), len(subsets)), dtype=bool)
    for j, (ss, us) in enumerate(zip(ok_splits, ok_subsets, strict=True)):
        split_ok[j, ss] = True
        subset_ok[j, us] = True
    length = np.array(lengths, dtype=np.int64)
    cell = np.stack([np.concatenate(c) if c else np.zeros(0, dtype=np.int64) for c in columns], 1)
    codes = (cell[:, 0] * len(splits) + cell[:, 1]) * len(subsets) + cell[:, 2]
    order = np.argsort(codes, kind="stable")
    return TaskGrid(
        offset=np.cumsum(length) - length,
        length=length,
        split=cell[:, 1],
        subset=cell[:, 2],
        langset=cell[:, 3],
        split_ok=split_ok,
        subset_ok=subset_ok,
        aggregate=np.array([s.aggregate for s in specs.values()], dtype=bool),
        sorted_codes=codes[order],
        sorted_cells=order,
    )


@dataclass(frozen=True, slots=True)
class Padding:
    """The null entries of the chosen results, in result then grid order."""

    owner: IntArray
    """Chosen result of each null entry."""
    cell: IntArray
    repeats: BoolArray
    """Per chosen result: it keeps two rows of one (split, subset)."""


def padding(
    grid: TaskGrid,
    task: IntArray,
    kept: tuple[IntArray, IntArray, IntArray],
    with_split: tuple[IntArray, IntArray],
    n_splits: int,
) -> Padding:
    """``task``: each chosen result's task; ``kept``: (result, split, subset) of its kept rows;
    ``with_split``: (result, split) of its rows in an eval split (kept subset or not)."""
    owner, pos = spread(grid.length[task])
    cell = grid.offset[task][owner] + pos
    starts = np.cumsum(grid.length[task]) - grid.length[task]
    row_owner, row_split, row_subset = kept
    n_subsets = int(grid.subset_ok.shape[1])
    codes = (task[row_owner] * n_splits + row_split) * n_subsets + row_subset
    found = np.minimum(np.searchsorted(grid.sorted_codes, codes), len(grid.sorted_codes) - 1)
    hit = grid.sorted_codes[found] == codes if len(grid.sorted_codes) else codes < 0
    hit_owner = row_owner[hit]
    slot = starts[hit_owner] + grid.sorted_cells[found[hit]] - grid.offset[task[hit_owner]]
    marks = np.bincount(slot, minlength=len(owner))
    repeats = np.zeros(len(task), dtype=bool)
    repeats[owner[marks > 1]] = True
    if not hit.all():  # aggregate tasks' ``default`` rows outside their grid
        outside, n = np.unique(
            row_owner[~hit] * (int(codes.max()) + 1) + codes[~hit], return_counts=True
        )
        repeats[outside[n > 1] // (int(codes.max()) + 1)] = True
    has = np.zeros(len(task) * n_splits, dtype=bool)
    has[with_split[0] * n_splits + with_split[1]] = True
    has_split = has[owner * n_splits + grid.split[cell]]
    pad = np.flatnonzero((marks == 0) & ~(grid.aggregate[task][owner] & has_split))
    return Padding(owner=owner[pad], cell=cell[pad], repeats=repeats)
