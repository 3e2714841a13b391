"""The leaderboard engine's entry point: results → MTEB's summary, per-task, per-language.

Two stages: :func:`prepare_benchmark` (selection, once per benchmark and rows) and
:meth:`PreparedBenchmark.leaderboard` (filters and aggregation, per request).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from emboard.leaderboard.aggregate import build_task_matrix
from emboard.leaderboard.entries import EntryColumns
from emboard.leaderboard.filters import LeaderboardFilter, filter_entries, matches_name
from emboard.leaderboard.rows import ResultColumns, ResultRow
from emboard.leaderboard.select import TaskSpec, select_columns, task_specs
from emboard.leaderboard.tables import Leaderboard, Table
from emboard.leaderboard.training import TrainingData
from emboard.leaderboard.views import (
    MEAN_SUBSET,
    MEAN_TASK,
    MEAN_TASK_TYPE,
    PUBLIC_PRIVATE,
    TASK_TYPES,
    SummaryRules,
    build_per_language,
    build_per_task,
    build_summary,
)
from emboard.tasks.metadata import BenchmarkMetadata, ModelMeta, TaskMetadata

_CLASS_AGGREGATIONS: dict[str, tuple[str, ...]] = {
    "RtebBenchmark": (MEAN_TASK,),
    "HUMEBenchmark": (MEAN_SUBSET, TASK_TYPES),
    "MIEBBenchmark": (MEAN_TASK_TYPE, TASK_TYPES),
    "VidoreBenchmark": (MEAN_TASK, PUBLIC_PRIVATE),
}
_T = TypeVar("_T", bound=Table)
_KNOWN = frozenset({MEAN_TASK, MEAN_TASK_TYPE, TASK_TYPES, PUBLIC_PRIVATE, MEAN_SUBSET})


def summary_rules(benchmark: BenchmarkMetadata) -> SummaryRules:
    """The summary rules of the benchmark's MTEB class (custom groupings are not computed)."""
    cls = benchmark.class_name or "Benchmark"
    aggs = tuple(a for a in benchmark.aggregations if a in _KNOWN)
    if not benchmark.aggregations:
        aggs = _CLASS_AGGREGATIONS.get(cls, (MEAN_TASK, MEAN_TASK_TYPE, TASK_TYPES))
    if cls == "MIEBBenchmark":
        return SummaryRules(aggs, sort_by=("Mean (TaskType)",))
    if cls == "VidoreBenchmark":
        return SummaryRules(
            aggs,
            sort_by=("Mean (Task)", "Mean (Public)", "Mean (Private)"),
            rank_column="Rank (Mean Task)",
        )
    return SummaryRules(aggs, public_only=cls == "RtebBenchmark")


def _named(table: _T, f: LeaderboardFilter | None) -> _T:
    if f is None or not f.name_contains or not table.rows:
        return table
    j = table.columns.index("Model")
    return replace(table, rows=tuple(r for r in table.rows if matches_name(str(r[j]), f)))


@dataclass(frozen=True, slots=True, eq=False)
class PreparedBenchmark:
    """A benchmark's validated, revision-chosen long table: every filter's tables start here.

    Selection (validation, null padding, revision choice) depends only on the rows, the
    benchmark and the model registry's revisions; :meth:`leaderboard` applies filters and
    aggregates on top, so a caller may keep one per (benchmark, metric) across filter changes.
    """

    benchmark: BenchmarkMetadata
    specs: dict[str, TaskSpec]
    tasks: Mapping[str, TaskMetadata]
    models: Mapping[str, ModelMeta]
    entries: EntryColumns
    training: TrainingData

    def leaderboard(
        self, filters: LeaderboardFilter | None = None, *, training: TrainingData | None = None
    ) -> Leaderboard:
        """The tables under ``filters`` (None: the whole benchmark, as mteb's builders)."""
        training = training or self.training
        entries = self.entries
        if filters is not None:
            entries = filter_entries(
                entries, self.specs, self.tasks, self.models, training, filters
            )
        matrix = build_task_matrix(entries)
        rules = summary_rules(self.benchmark)
        summary = build_summary(entries, self.specs, self.models, training, rules, matrix)
        per_task = build_per_task(entries, matrix)
        per_language = build_per_language(entries, self.benchmark.language_view)
        return Leaderboard(
            benchmark=self.benchmark.name,
            summary=_named(summary, filters),
            per_task=_named(per_task, filters),
            per_language=None if per_language is None else _named(per_language, filters),
            show_zero_shot=self.benchmark.show_zero_shot,
        )


def prepare_benchmark(
    rows: ResultColumns | Iterable[ResultRow],
    benchmark: BenchmarkMetadata,
    tasks: Mapping[str, TaskMetadata],
    models: Mapping[str, ModelMeta],
    *,
    training: TrainingData | None = None,
) -> PreparedBenchmark:
    """Validate ``rows`` and choose revisions once (see :func:`build_leaderboard`'s args)."""
    specs = task_specs(benchmark, tasks)
    entries = select_columns(rows, specs, {name: m.revision for name, m in models.items()})
    return PreparedBenchmark(
        benchmark=benchmark,
        specs=specs,
        tasks=tasks,
        models=models,
        entries=entries,
        training=training or TrainingData(tasks, models),
    )


def build_leaderboard(
    rows: ResultColumns | Iterable[ResultRow],
    benchmark: BenchmarkMetadata,
    tasks: Mapping[str, TaskMetadata],
    models: Mapping[str, ModelMeta],
    filters: LeaderboardFilter | None = None,
    *,
    training: TrainingData | None = None,
) -> Leaderboard:
    """MTEB 2.26.24's leaderboard tables of ``benchmark`` from raw result rows.

    ``rows`` are every stored (split, subset) score of the benchmark's tasks, of any revision
    (as columns, or rows);
    ``tasks`` the task catalog (all tasks: similar-task links feed the zero-shot column);
    ``models`` the model registry (revision choice, metadata columns; models missing from it
    are ranked but not listed in the summary, as in mteb). ``filters=None`` gives
    ``Benchmark._create_summary_table`` on the whole benchmark; a filter gives what the app
    shows for those selections. ``training`` may be passed to reuse its cache across calls.
    To build several filters' tables of one benchmark, :func:`prepare_benchmark` once and call
    :meth:`PreparedBenchmark.leaderboard`.
    """
    prepared = prepare_benchmark(rows, benchmark, tasks, models, training=training)
    return prepared.leaderboard(filters)
