"""From result rows to a benchmark's long table, with MTEB's validation and revision choice.

Mirrors ``ModelResult.select_tasks`` (``TaskResult.validate_and_filter_scores``) followed by
``BenchmarkResults.join_revisions`` of mteb 2.26.24:

* a result keeps only the benchmark task's eval splits and hf_subsets (aggregate tasks such as
  CQADupstackRetrieval only their ``default`` subset); every subset missing from a split it has,
  and every subset of a split it lacks, is added with a null score (and the languages the task
  metadata gives that subset);
* then one result per (model, experiment, task) is kept: the highest priority
  ``1000·[revision is the registry's] + 100·[mteb_version parses] + 10·[revision is not
  None/"external"/"no_revision_available"]``, then the newest mteb version, then the first one
  seen (lower ``source_rank`` first). Different tasks of a model may come from different revisions.

The work is per task result (candidate) and vectorised over rows: rows are grouped once into
candidates, split/subset validity is a table lookup, and the null padding is a grid difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from emboard.leaderboard.entries import (
    BoolArray,
    EntryColumns,
    IntArray,
    factorize,
    first_positions,
)
from emboard.leaderboard.rows import ResultRow
from emboard.tasks.metadata import BenchmarkMetadata, TaskMetadata

if TYPE_CHECKING:
    from packaging.version import Version

_NO_REVISION = frozenset({"external", "no_revision_available"})
_H = TypeVar("_H")


def _getter(*fields: str) -> Callable[[ResultRow], tuple[Any, ...]]:
    """Fields of a row as a tuple (by position: rows are named tuples)."""
    return itemgetter(*(ResultRow._fields.index(f) for f in fields))


_CANDIDATE = _getter("model_name", "experiment", "task_name", "revision", "source_rank")
_SPLIT_SUBSET = _getter("split", "subset")
_Candidate = tuple[str, str | None, str, str | None, int]
"""(model, experiment, task, revision, source_rank): one task result."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A benchmark task as the tables use it: its splits, subsets and task facts."""

    name: str
    type: str
    splits: tuple[str, ...]
    subsets: tuple[str, ...]
    aggregate: bool
    is_public: bool
    subset_languages: Mapping[str, tuple[str, ...]]
    """MTEB's ``hf_subsets_to_langscripts`` (list ``eval_langs`` → only ``default``)."""
    subset_set: frozenset[str] = frozenset()

    @property
    def languages(self) -> frozenset[str]:
        """ISO 639-3 codes of the benchmark's subsets (MTEB's ``AbsTask.languages``)."""
        return frozenset(
            lang.split("-")[0] for s in self.subsets for lang in self.subset_languages.get(s, ())
        )


def task_specs(
    benchmark: BenchmarkMetadata, tasks: Mapping[str, TaskMetadata]
) -> dict[str, TaskSpec]:
    """The benchmark's tasks by name, in benchmark order, narrowed to its splits/subsets."""
    from emboard.errors import TaskDefinitionError, unknown_name_message

    specs: dict[str, TaskSpec] = {}
    for bt in benchmark.tasks:
        meta = tasks.get(bt.name)
        if meta is None:
            raise TaskDefinitionError(
                f"benchmark {benchmark.name!r}: "
                + unknown_name_message("task", bt.name, tasks.keys())
            )
        if isinstance(meta.eval_langs, dict):
            langs = {k: tuple(v) for k, v in meta.eval_langs.items()}
        else:
            langs = {"default": tuple(meta.eval_langs)}
        specs[bt.name] = TaskSpec(
            name=bt.name,
            type=meta.type,
            splits=tuple(bt.eval_splits),
            subsets=tuple(bt.hf_subsets),
            aggregate=meta.is_aggregate,
            is_public=meta.is_public,
            subset_languages=langs,
            subset_set=frozenset(bt.hf_subsets),
        )
    return specs


@dataclass(frozen=True, slots=True)
class Entry:
    """One (split, subset) score of the long table; ``score`` None is MTEB's null/NaN."""

    model: str
    experiment: str
    """The table variant (MTEB's ``_experiment_id``), "" for the default run."""
    task: str
    split: str
    subset: str
    languages: tuple[str, ...]
    score: float | None


@lru_cache(maxsize=10000)
def _parse_version(version: str | None) -> Version | None:
    if version is None:
        return None
    from packaging.version import InvalidVersion
    from packaging.version import Version as _Version

    try:
        return _Version(version)
    except (InvalidVersion, TypeError):
        return None


def _priority(revision: str | None, version: str | None, main_revision: str | None) -> int:
    p = 0
    if revision is not None and revision == main_revision:
        p += 1000
    if _parse_version(version) is not None:
        p += 100
    if revision is not None and revision not in _NO_REVISION:
        p += 10
    return p


def _winner(
    ids: list[int],
    cands: list[_Candidate],
    version_of: Callable[[int], str | None],
    main: str | None,
) -> int:
    """MTEB's choice: priority, then newest mteb version (unparsable last), then first seen."""
    ordered = sorted(ids, key=lambda c: (cands[c][4], c))
    versions = {c: version_of(c) for c in ordered}
    best = ordered[0]
    best_p = _priority(cands[best][3], versions[best], main)
    for cand in ordered[1:]:
        p = _priority(cands[cand][3], versions[cand], main)
        if p < best_p:
            continue
        if p > best_p:
            best, best_p = cand, p
            continue
        v, bv = _parse_version(versions[cand]), _parse_version(versions[best])
        if v is not None and (bv is None or v > bv):
            best = cand
    return best


def _winners(
    cands: list[_Candidate],
    cand_task: IntArray,
    versions: Callable[[int], str | None],
    main_revisions: Mapping[str, str | None],
) -> IntArray:
    """The chosen candidate of each (model, experiment, task), in first-seen order."""
    keys, key_of = factorize([c[:3] for c in cands])
    has_revision = np.array([c[3] is not None for c in cands], dtype=bool)
    counts = np.bincount(key_of, minlength=len(keys))
    ok = cand_task >= 0
    # a lone result is chosen; mteb's regrouping by revision drops one without a revision
    chosen = [np.flatnonzero(ok & (counts[key_of] == 1) & has_revision)]
    by_key: dict[int, list[int]] = {}
    for c in np.flatnonzero(ok & (counts[key_of] > 1)).tolist():
        by_key.setdefault(int(key_of[c]), []).append(c)
    picked = []
    for key, ids in by_key.items():
        best = _winner(ids, cands, versions, main_revisions.get(keys[key][0]))
        if cands[best][3] is None and all(cands[c][3] is None for c in ids):
            continue
        picked.append(best)
    chosen.append(np.array(picked, dtype=np.int64))
    out = np.concatenate(chosen)
    return out[np.argsort(key_of[out], kind="stable")]


class _Vocab(Generic[_H]):
    """Values → indices: the rows' values in first-seen order, then added (spec) ones."""

    def __init__(self) -> None:
        self.index: dict[_H, int] = {}

    def add(self, value: _H) -> int:
        return self.index.setdefault(value, len(self.index))

    def encode(self, values: Sequence[_H]) -> IntArray:
        """The indices of ``values`` (new ones added)."""
        uniq, codes = factorize(values)
        return np.array([self.add(u) for u in uniq], dtype=np.int64)[codes]

    def values(self) -> tuple[_H, ...]:
        return tuple(self.index)


@dataclass(frozen=True, slots=True)
class _Grid:
    """Each benchmark task's (split, subset) grid, split-major, and its validity tables."""

    offset: IntArray
    length: IntArray
    split: IntArray
    subset: IntArray
    langset: IntArray
    split_ok: BoolArray
    """task × split: the split is one of the task's eval splits."""
    subset_ok: BoolArray
    """task × subset: a kept subset (aggregate tasks: ``default`` only)."""
    aggregate: BoolArray


def _grid(
    specs: Mapping[str, TaskSpec],
    splits: _Vocab[str],
    subsets: _Vocab[str],
    langsets: _Vocab[tuple[str, ...]],
) -> _Grid:
    cells: list[tuple[int, int, int]] = []
    lengths, ok_splits, ok_subsets = [], [], []
    for spec in specs.values():
        lengths.append(len(spec.splits) * len(spec.subsets))
        sub_ids = [subsets.add(s) for s in spec.subsets]
        lang_ids = [langsets.add(spec.subset_languages.get(s, ())) for s in spec.subsets]
        for split in spec.splits:
            split_id = splits.add(split)
            cells.extend((split_id, u, ls) for u, ls in zip(sub_ids, lang_ids, strict=True))
        ok_splits.append([splits.add(s) for s in spec.splits])
        ok_subsets.append([subsets.add("default")] if spec.aggregate else sub_ids)
    split_ok = np.zeros((len(specs), len(splits.index)), dtype=bool)
    subset_ok = np.zeros((len(specs), len(subsets.index)), dtype=bool)
    for j, (ss, us) in enumerate(zip(ok_splits, ok_subsets, strict=True)):
        split_ok[j, ss] = True
        subset_ok[j, us] = True
    length = np.array(lengths, dtype=np.int64)
    cell = np.array(cells, dtype=np.int64).reshape(-1, 3)
    return _Grid(
        offset=np.cumsum(length) - length,
        length=length,
        split=cell[:, 0],
        subset=cell[:, 1],
        langset=cell[:, 2],
        split_ok=split_ok,
        subset_ok=subset_ok,
        aggregate=np.array([s.aggregate for s in specs.values()], dtype=bool),
    )


def _spread(lengths: IntArray) -> tuple[IntArray, IntArray]:
    """(owner, position within owner) for ``lengths[i]`` consecutive items per owner ``i``."""
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    pos = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, pos


@dataclass(frozen=True, slots=True)
class _Chosen:
    """The chosen task results: candidate ids, their task, variant; each row's winner."""

    task: IntArray
    variant: IntArray
    variants: list[tuple[str, str]]
    row_winner: IntArray
    """Per row: index of its task result among the chosen ones, -1 when not chosen."""
    row_task: IntArray


def _choose(
    rows: Sequence[ResultRow],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> _Chosen:
    cands, cand_row = factorize(list(map(_CANDIDATE, rows)))
    if any(c[1] == "" for c in cands):  # experiment "" and None are one group
        cands, remap = factorize([(m, e or None, t, r, s) for m, e, t, r, s in cands])
        cand_row = remap[cand_row]
    task_index = {name: j for j, name in enumerate(specs)}
    cand_task = np.array([task_index.get(c[2], -1) for c in cands], dtype=np.int64)
    first = first_positions(cand_row, len(cands))

    def version(c: int) -> str | None:
        return rows[int(first[c])].mteb_version

    chosen = _winners(cands, cand_task, version, main_revisions)
    firsts = [rows[i] for i in first[chosen].tolist()]
    variants, variant = factorize([(r.model_name, r.variant or "") for r in firsts])
    winner_of = np.full(len(cands), -1, dtype=np.int64)
    winner_of[chosen] = np.arange(len(chosen), dtype=np.int64)
    return _Chosen(
        task=cand_task[chosen],
        variant=variant,
        variants=variants,
        row_winner=winner_of[cand_row],
        row_task=np.maximum(cand_task[cand_row], 0),
    )


def select_columns(
    rows: Iterable[ResultRow],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> EntryColumns:
    """The benchmark's long table: validated, null-padded, one revision per model and task.

    ``main_revisions`` maps registered model names to their registry revision.
    """
    rows = rows if isinstance(rows, Sequence) else list(rows)
    chosen = _choose(rows, specs, main_revisions)
    splits, subsets, langsets = _Vocab[str](), _Vocab[str](), _Vocab[tuple[str, ...]]()
    pairs, pair_code = factorize(list(map(_SPLIT_SUBSET, rows)))
    row_split = splits.encode([p[0] for p in pairs])[pair_code]
    row_subset = subsets.encode([p[1] for p in pairs])[pair_code]
    grid = _grid(specs, splits, subsets, langsets)
    won, task = chosen.row_winner >= 0, chosen.row_task
    split_valid = won & grid.split_ok[task, row_split]
    rpos = np.flatnonzero(split_valid & grid.subset_ok[task, row_subset])
    kept = [rows[i] for i in rpos.tolist()]
    pad_win, pad_cell, pad_pos = _padding(
        chosen,
        grid,
        (len(splits.index), len(subsets.index)),
        (row_split, row_subset),
        rpos,
        split_valid,
    )
    winner = np.concatenate((chosen.row_winner[rpos], pad_win))
    order = np.lexsort(
        (
            np.concatenate((rpos, pad_pos)),
            np.concatenate((np.zeros(len(rpos), dtype=np.int64), np.ones(len(pad_win), np.int64))),
            winner,
        )
    )
    row_langset = langsets.encode([r.languages for r in kept])
    score = np.array([r.score for r in kept], dtype=np.float64)
    models, variant_model = factorize([v[0] for v in chosen.variants])
    return EntryColumns(
        models=tuple(models),
        variants=tuple(chosen.variants),
        tasks=tuple(specs),
        splits=splits.values(),
        subsets=subsets.values(),
        langsets=langsets.values(),
        variant=chosen.variant[winner][order],
        task=chosen.task[winner][order],
        split=np.concatenate((row_split[rpos], grid.split[pad_cell]))[order],
        subset=np.concatenate((row_subset[rpos], grid.subset[pad_cell]))[order],
        langset=np.concatenate((row_langset, grid.langset[pad_cell]))[order],
        score=np.concatenate((score, np.full(len(pad_win), np.nan)))[order],
        variant_model=variant_model,
    )


def _padding(
    chosen: _Chosen,
    grid: _Grid,
    sizes: tuple[int, int],
    row_cells: tuple[IntArray, IntArray],
    rpos: IntArray,
    split_valid: BoolArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """The null entries: (chosen result, grid cell, position in its grid) of each.

    A result gets every grid cell it has no kept row for, except (aggregate tasks) in the
    splits it has: mteb pads only a split it lacks there.
    """
    owner, pos = _spread(grid.length[chosen.task])
    cell = grid.offset[chosen.task][owner] + pos
    (n_split, n_subset), (row_split, row_subset) = sizes, row_cells
    row_win = chosen.row_winner
    have = (row_win[rpos] * n_split + row_split[rpos]) * n_subset + row_subset[rpos]
    want = (owner * n_split + grid.split[cell]) * n_subset + grid.subset[cell]
    present = np.isin(want, have)
    sp = np.flatnonzero(split_valid)
    has_split = np.isin(owner * n_split + grid.split[cell], row_win[sp] * n_split + row_split[sp])
    pad = np.flatnonzero(~present & ~(grid.aggregate[chosen.task][owner] & has_split))
    return owner[pad], cell[pad], pos[pad]


def select_entries(
    rows: Iterable[ResultRow],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> list[Entry]:
    """:func:`select_columns` as a list of :class:`Entry` (for inspection and tests)."""
    cols = select_columns(rows, specs, main_revisions)
    return [
        Entry(
            cols.models[cols.variant_model[v]],
            cols.variants[v][1],
            cols.tasks[t],
            cols.splits[sp],
            cols.subsets[su],
            cols.langsets[ls],
            None if math.isnan(sc) else sc,
        )
        for v, t, sp, su, ls, sc in zip(
            cols.variant.tolist(),
            cols.task.tolist(),
            cols.split.tolist(),
            cols.subset.tolist(),
            cols.langset.tolist(),
            cols.score.tolist(),
            strict=True,
        )
    ]
