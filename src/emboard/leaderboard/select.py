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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from emboard.leaderboard.rows import ResultRow
from emboard.tasks.metadata import BenchmarkMetadata, TaskMetadata

if TYPE_CHECKING:
    from packaging.version import Version

_NO_REVISION = frozenset({"external", "no_revision_available"})


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


@dataclass(slots=True)
class _Candidate:
    revision: str | None
    source_rank: int
    mteb_version: str | None
    order: int
    variant: str = ""
    splits: set[str] = field(default_factory=set)
    rows: list[ResultRow] = field(default_factory=list)

    def priority(self, main_revision: str | None) -> int:
        p = 0
        if self.revision is not None and self.revision == main_revision:
            p += 1000
        if _parse_version(self.mteb_version) is not None:
            p += 100
        if self.revision is not None and self.revision not in _NO_REVISION:
            p += 10
        return p


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


_CandKey = tuple[str, str, str]


def _collect(
    rows: Iterable[ResultRow], specs: Mapping[str, TaskSpec]
) -> dict[_CandKey, dict[tuple[str | None, int], _Candidate]]:
    """Rows grouped into task results per (model, experiment, task), filtered to the benchmark."""
    cands: dict[_CandKey, dict[tuple[str | None, int], _Candidate]] = {}
    for row in rows:
        spec = specs.get(row.task_name)
        if spec is None:
            continue
        key = (row.model_name, row.experiment or "", row.task_name)
        by_source = cands.get(key)
        if by_source is None:
            by_source = cands[key] = {}
        ckey = (row.revision, row.source_rank)
        cand = by_source.get(ckey)
        if cand is None:
            cand = by_source[ckey] = _Candidate(
                row.revision, row.source_rank, row.mteb_version, len(by_source), row.variant or ""
            )
        if row.split not in spec.splits:
            continue
        cand.splits.add(row.split)
        if spec.aggregate:
            if row.subset != "default":
                continue
        elif row.subset not in spec.subset_set:
            continue
        cand.rows.append(row)
    return cands


def _winner(cands: Iterable[_Candidate], main_revision: str | None) -> _Candidate:
    """MTEB's choice: priority, then newest mteb version (unparsable last), then first seen."""
    ordered = sorted(cands, key=lambda c: (c.source_rank, c.order))
    best = ordered[0]
    best_p = best.priority(main_revision)
    for cand in ordered[1:]:
        p = cand.priority(main_revision)
        if p < best_p:
            continue
        if p > best_p:
            best, best_p = cand, p
            continue
        v, bv = _parse_version(cand.mteb_version), _parse_version(best.mteb_version)
        if v is not None and (bv is None or v > bv):
            best = cand
    return best


def _entries(key: _CandKey, cand: _Candidate, spec: TaskSpec) -> list[Entry]:
    model, task = key[0], key[2]
    experiment = cand.variant
    out = [
        Entry(
            model,
            experiment,
            task,
            r.split,
            r.subset,
            r.languages,
            None if r.score is None or math.isnan(r.score) else r.score,
        )
        for r in cand.rows
    ]
    for split in spec.splits:
        if split not in cand.splits:
            missing: Iterable[str] = spec.subsets
        elif spec.aggregate:
            continue
        else:
            present = {r.subset for r in cand.rows if r.split == split}
            missing = [s for s in spec.subsets if s not in present]
        for subset in missing:
            langs = spec.subset_languages.get(subset, ())
            out.append(Entry(model, experiment, task, split, subset, langs, None))
    return out


def select_entries(
    rows: Iterable[ResultRow],
    specs: Mapping[str, TaskSpec],
    main_revisions: Mapping[str, str | None],
) -> list[Entry]:
    """The benchmark's long table: validated, null-padded, one revision per model and task.

    ``main_revisions`` maps registered model names to their registry revision.
    """
    out: list[Entry] = []
    for key, by_source in _collect(rows, specs).items():
        cand = _winner(by_source.values(), main_revisions.get(key[0]))
        if cand.revision is None and all(c.revision is None for c in by_source.values()):
            continue  # mteb's regrouping by revision drops results without one
        out.extend(_entries(key, cand, specs[key[2]]))
    return out
