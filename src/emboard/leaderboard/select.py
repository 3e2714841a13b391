"""From stored results to a benchmark's long table, with MTEB's validation and revision choice.

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

The work is per task result (candidate) and vectorised over the entries: split/subset validity
is a table lookup over the distinct (split, subset) keys, the null padding a grid difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from operator import is_not, itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from emboard.leaderboard.entries import (
    BoolArray,
    Codes,
    EntryColumns,
    IntArray,
    LanguageSets,
    Vocabulary,
    factorize,
    first_positions,
    first_seen,
)
from emboard.leaderboard.grid import padding, task_grid
from emboard.leaderboard.rows import (
    EntryKey,
    ResultColumns,
    ResultMeta,
    ResultRow,
    columns_from_rows,
)
from emboard.tasks.metadata import BenchmarkMetadata, TaskMetadata

if TYPE_CHECKING:
    from packaging.version import Version

_NO_REVISION = frozenset({"external", "no_revision_available"})


def _getter(*fields: str) -> Callable[[ResultMeta], tuple[Any, ...]]:
    """Fields of a result as a tuple (by position: results are named tuples)."""
    return itemgetter(*(ResultMeta._fields.index(f) for f in fields))


_CANDIDATE = _getter("model_name", "experiment", "task_name", "revision", "source_rank")
_VARIANT = _getter("model_name", "variant")
_Candidate = tuple[str, str | None, str, str | None, int]
"""(model, experiment, task, revision, source_rank): one task result."""
_KEY, _EXPERIMENT, _TASK, _REVISION = (
    itemgetter(0, 1, 2),
    itemgetter(1),
    itemgetter(2),
    itemgetter(3),
)


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
    languages: frozenset[str] = field(init=False)
    """ISO 639-3 codes of the benchmark's subsets (MTEB's ``AbsTask.languages``)."""

    def __post_init__(self) -> None:
        lists = map(self.subset_languages.get, self.subsets, repeat(()))
        codes = frozenset(lang.split("-")[0] for lang in set(chain.from_iterable(lists)))
        object.__setattr__(self, "languages", codes)


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
    keys, key_of = factorize(list(map(_KEY, cands)))
    has_revision = np.fromiter(
        map(is_not, map(_REVISION, cands), repeat(None)), dtype=bool, count=len(cands)
    )
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


@dataclass(frozen=True, slots=True)
class _Chosen:
    """The chosen task results: their task and variant; each result's winner."""

    task: IntArray
    variant: IntArray
    variants: list[tuple[str, str]]
    result_winner: IntArray
    """Per result: index of its candidate among the chosen ones, -1 when not chosen."""
    result_task: IntArray
    models: list[str]
    variant_model: IntArray

    def shared(self, n_tasks: int) -> BoolArray:
        """Per chosen result: another one has the same variant and task (pooled experiments)."""
        group = self.variant * n_tasks + self.task
        return np.bincount(group)[group] > 1 if len(group) else np.zeros(0, dtype=bool)


def _choose(
    results: Sequence[ResultMeta],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> _Chosen:
    """MTEB's revision choice over the results (candidates: results with one key pooled)."""
    cands, cand_of = factorize(list(map(_CANDIDATE, results)))
    if "" in set(map(_EXPERIMENT, cands)):  # experiment "" and None are one group
        cands, remap = factorize([(m, e or None, t, r, s) for m, e, t, r, s in cands])
        cand_of = remap[cand_of]
    task_index = {name: j for j, name in enumerate(specs)}
    tasks = map(task_index.get, map(_TASK, cands), repeat(-1))
    cand_task = np.fromiter(tasks, dtype=np.int64, count=len(cands))
    first = first_positions(cand_of, len(cands))

    def version(c: int) -> str | None:
        return results[int(first[c])].mteb_version

    chosen = _winners(cands, cand_task, version, main_revisions)
    firsts = list(map(results.__getitem__, first[chosen].tolist()))
    raw_variants, variant = factorize(list(map(_VARIANT, firsts)))
    variants, remap = factorize([(m, v or "") for m, v in raw_variants])  # None and "" pool
    variant = remap[variant] if len(variant) else variant
    winner_of = np.full(len(cands), -1, dtype=np.int64)
    winner_of[chosen] = np.arange(len(chosen), dtype=np.int64)
    models, variant_model = factorize([v[0] for v in variants])
    return _Chosen(
        task=cand_task[chosen],
        variant=variant,
        variants=variants,
        result_winner=winner_of[cand_of],
        result_task=np.maximum(cand_task[cand_of], 0),
        models=models,
        variant_model=variant_model,
    )


def select_columns(
    data: ResultColumns | Iterable[ResultRow],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> EntryColumns:
    """The benchmark's long table: validated, null-padded, one revision per model and task.

    ``main_revisions`` maps registered model names to their registry revision.
    """
    if not isinstance(data, ResultColumns):
        data = columns_from_rows(data)
    splits, subsets, langsets = Vocabulary[str](), Vocabulary[str](), Vocabulary[tuple[str, ...]]()
    chosen = _choose(data.results, specs, main_revisions)
    owner, task = chosen.result_winner[data.result], chosen.result_task[data.result]
    of_chosen = np.flatnonzero(owner >= 0)  # rows of other revisions and tasks play no part
    owner, task, key = owner[of_chosen], task[of_chosen], data.key[of_chosen]
    row_split = _encode_keys(data.keys, key, 0, splits)[key]
    row_subset = _encode_keys(data.keys, key, 1, subsets)[key]
    grid = task_grid(specs, splits, subsets, langsets)
    in_split = np.flatnonzero(grid.split_ok[task, row_split])
    kept = in_split[grid.subset_ok[task[in_split], row_subset[in_split]]]
    kept = kept[np.argsort(owner[kept], kind="stable")]  # by chosen result, then row order
    pad = padding(
        grid,
        chosen.task,
        (owner[kept], row_split[kept], row_subset[kept]),
        (owner[in_split], row_split[in_split]),
        len(splits),
    )
    slots = _Slots.of(owner[kept], pad.owner, len(chosen.task))
    score = np.full(slots.size, np.nan)
    score[slots.rows] = data.score[of_chosen[kept]]
    kept_keys = key[kept]
    key_langset = _encode_keys(data.keys, kept_keys, 2, langsets)
    result = np.asarray(slots.fill(owner[kept], pad.owner), dtype=np.int64)
    return EntryColumns(
        models=tuple(chosen.models),
        variants=tuple(chosen.variants),
        tasks=tuple(specs),
        splits=splits.values(),
        subsets=subsets.values(),
        langsets=LanguageSets.of(langsets.values()),
        variant=chosen.variant[result].astype(np.int32),
        task=chosen.task[result].astype(np.int32),
        split=slots.fill(row_split[kept], grid.split[pad.cell]),
        subset=slots.fill(row_subset[kept], grid.subset[pad.cell]),
        langset=slots.fill(key_langset[kept_keys], grid.langset[pad.cell]),
        score=score,
        variant_model=chosen.variant_model.astype(np.int32),
        shared=(chosen.shared(len(specs)) | pad.repeats)[result],
    )


def _encode_keys(
    keys: Sequence[EntryKey], used: IntArray, field: int, vocabulary: Vocabulary[Any]
) -> IntArray:
    """Per key: the index of its ``field`` in ``vocabulary``, values added in the order the
    ``used`` keys first show them (as a pass over the rows would add them); -1 for unused."""
    order = first_seen(used, len(keys))
    out = np.full(len(keys), -1, dtype=np.int64)
    out[order] = vocabulary.encode([keys[k][field] for k in order.tolist()])
    return out


@dataclass(frozen=True, slots=True)
class _Slots:
    """Where kept rows and null entries go: per result its rows (in order), then its nulls."""

    rows: IntArray
    nulls: IntArray
    size: int

    @staticmethod
    def of(row_owner: IntArray, null_owner: IntArray, n_owners: int) -> _Slots:
        """``row_owner`` grouped by owner (ascending), ``null_owner`` too."""
        n_rows = np.bincount(row_owner, minlength=n_owners)
        n_nulls = np.bincount(null_owner, minlength=n_owners)
        start = np.cumsum(n_rows + n_nulls) - (n_rows + n_nulls)
        row_rank = np.arange(len(row_owner)) - (np.cumsum(n_rows) - n_rows)[row_owner]
        null_rank = np.arange(len(null_owner)) - (np.cumsum(n_nulls) - n_nulls)[null_owner]
        return _Slots(
            rows=start[row_owner] + row_rank,
            nulls=start[null_owner] + n_rows[null_owner] + null_rank,
            size=len(row_owner) + len(null_owner),
        )

    def fill(self, at_rows: IntArray, at_nulls: IntArray) -> Codes:
        out = np.empty(self.size, dtype=np.int32)
        out[self.rows] = at_rows
        out[self.nulls] = at_nulls
        return out


def select_entries(
    rows: ResultColumns | Iterable[ResultRow],
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
            cols.langsets.sets[ls],
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
