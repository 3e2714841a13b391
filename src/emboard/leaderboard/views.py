"""The summary, per-task and per-language tables from the long table (MTEB's builders)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from emboard.leaderboard.aggregate import (
    FloatMatrix,
    TaskMatrix,
    borda_ranks,
    build_task_matrix,
    language_means,
    skipna_false_mean,
    subset_means,
    type_columns,
)
from emboard.leaderboard.entries import EntryColumns, Variant
from emboard.leaderboard.select import TaskSpec
from emboard.leaderboard.tables import (
    EXPERIMENT_COLUMN,
    PerLanguageTable,
    PerTaskTable,
    SummaryTable,
    Value,
)
from emboard.leaderboard.training import TrainingData
from emboard.tasks.metadata import ModelMeta

MEAN_TASK, MEAN_TASK_TYPE, TASK_TYPES = "mean_task", "mean_task_type", "task_types"
PUBLIC_PRIVATE, MEAN_SUBSET = "public_private", "mean_subset"
_MEAN_COLUMNS: dict[str, tuple[str, ...]] = {  # enum declaration order = display order
    MEAN_TASK: ("Mean (Task)",),
    MEAN_TASK_TYPE: ("Mean (TaskType)",),
    PUBLIC_PRIVATE: ("Mean (Public)", "Mean (Private)"),
    MEAN_SUBSET: ("Mean (Subset)",),
}
_PRIMARY_PRIORITY = (MEAN_TASK, MEAN_SUBSET, MEAN_TASK_TYPE, PUBLIC_PRIVATE)
META_COLUMNS = (
    "Zero-shot",
    "Active Parameters (B)",
    "Total Parameters (B)",
    "Embedding Dimensions",
    "Max Tokens",
)


@dataclass(frozen=True, slots=True)
class SummaryRules:
    """How a benchmark builds its summary (MTEB's ``Benchmark`` subclass attributes)."""

    aggregations: tuple[str, ...] = (MEAN_TASK, MEAN_TASK_TYPE, TASK_TYPES)
    sort_by: tuple[str, ...] | None = None
    rank_column: str | None = None
    public_only: bool = False
    """RTEB: the summary (not the per-task table) uses public tasks only."""


def _table_values(values: FloatMatrix) -> list[list[float | None]]:
    """Rows of a float matrix as Python values, NaN as None."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    rows: list[list[float | None]] = out.tolist()
    return rows


def _meta_values(meta: ModelMeta, zero_shot: int | None) -> tuple[Value, ...]:
    active = meta.n_active_parameters_override
    if active is None and meta.n_parameters is not None and meta.n_embedding_parameters is not None:
        active = meta.n_parameters - meta.n_embedding_parameters
    dim = meta.embed_dim
    embed: int | None = max(dim) if isinstance(dim, list) and dim else None
    if isinstance(dim, int):
        embed = dim
    tokens = meta.max_tokens
    return (
        -1 if zero_shot is None else zero_shot,
        None if active is None else round(float(active) / 1e9, 3),
        None if meta.n_parameters is None else round(float(meta.n_parameters) / 1e9, 3),
        embed,
        None if tokens is None or tokens == math.inf else int(tokens),
    )


def _mean_columns(
    matrix: TaskMatrix, specs: Mapping[str, TaskSpec]
) -> tuple[dict[str, list[float | None]], list[str]]:
    """Every candidate mean column (MTEB computes all, then keeps the requested ones)."""
    values = matrix.values
    types = type_columns(matrix.tasks, specs)
    cols: dict[str, np.ndarray] = {t: skipna_false_mean(values, idx) for t, idx in types.items()}
    type_matrix = np.column_stack(list(cols.values())) if cols else np.empty((len(values), 0))
    cols["Mean (TaskType)"] = skipna_false_mean(type_matrix, range(type_matrix.shape[1]))
    cols["Mean (Task)"] = skipna_false_mean(values, range(len(matrix.tasks)))
    public = [j for j, t in enumerate(matrix.tasks) if specs[t].is_public]
    private = [j for j, t in enumerate(matrix.tasks) if not specs[t].is_public]
    cols["Mean (Public)"] = skipna_false_mean(values, public)
    cols["Mean (Private)"] = skipna_false_mean(values, private)
    names = list(cols)
    table = _table_values(np.array([cols[k] for k in names]))
    return dict(zip(names, table, strict=True)), list(types)


def _sort_key(value: Value, descending: bool) -> tuple[int, float]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0.0)
    number = float(value)
    return (0, -number if descending else number)


def build_summary(
    entries: EntryColumns,
    specs: Mapping[str, TaskSpec],
    models: Mapping[str, ModelMeta],
    training: TrainingData,
    rules: SummaryRules,
    matrix: TaskMatrix | None = None,
) -> SummaryTable:
    """MTEB's ``_create_summary_table`` (+ the subclass rules) on the long table.

    ``matrix`` (the entries' task matrix) may be passed to share it with the per-task table.
    """
    if rules.public_only:
        public = np.array([specs[t].is_public for t in entries.tasks], dtype=bool)
        entries = entries.take(public[entries.task])
        matrix = None
    matrix = matrix or build_task_matrix(entries)
    if not matrix.variants:
        return SummaryTable(columns=(), rows=())
    aggs = set(rules.aggregations)
    means, types = _mean_columns(matrix, specs)
    if MEAN_SUBSET in aggs:
        subset = subset_means(entries, len(matrix.variants))
        means["Mean (Subset)"] = [subset.mean.get(v) for v in matrix.variants]
        borda = subset.borda
    else:
        borda = matrix.borda
    mean_cols = [c for agg, cs in _MEAN_COLUMNS.items() if agg in aggs for c in cs]
    type_cols = types if TASK_TYPES in aggs else []
    task_key = frozenset(matrix.tasks)
    zero_shot: dict[str, int | None] = {}
    records: list[tuple[Variant, dict[str, Value]]] = []
    for i, variant in enumerate(matrix.variants):
        meta = models.get(variant[0])
        if meta is None:  # MTEB inner-joins the model registry after ranking
            continue
        zs = zero_shot.get(variant[0], -2)
        if zs == -2:
            zs = zero_shot[variant[0]] = training.zero_shot_percentage(variant[0], task_key)
        rec: dict[str, Value] = dict(zip(META_COLUMNS, _meta_values(meta, zs), strict=True))
        rec.update({c: means[c][i] for c in (*mean_cols, *type_cols)})
        rec["Rank (Borda)"] = borda[variant[0]]
        rec["Release Date"] = str(meta.release_date) if meta.release_date else None
        records.append((variant, rec))
    return _finish_summary(records, rules, matrix.tasks, mean_cols, type_cols)


def _finish_summary(
    records: list[tuple[Variant, dict[str, Value]]],
    rules: SummaryRules,
    tasks: Sequence[str],
    mean_cols: list[str],
    type_cols: list[str],
) -> SummaryTable:
    aggs = set(rules.aggregations)
    records.sort(key=lambda r: r[0])  # deterministic order among ties
    if rules.sort_by:
        sort_cols = rules.sort_by
        records.sort(key=lambda r: tuple(_sort_key(r[1].get(c), True) for c in sort_cols))
        rank_col = rules.rank_column or "Rank"
        for n, (_, rec) in enumerate(records, start=1):
            rec[rank_col] = n
        trailing: tuple[str, ...] = ("Rank (Borda)",)
    else:
        default = "Mean (Subset)" if MEAN_SUBSET in aggs else "Rank (Borda)"
        descending = default != "Rank (Borda)"
        records.sort(key=lambda r: _sort_key(r[1].get(default), descending))
        rank_col, trailing = "Rank (Borda)", ()
    columns = (
        rank_col,
        "Model",
        EXPERIMENT_COLUMN,
        *META_COLUMNS,
        *mean_cols,
        *type_cols,
        *trailing,
        "Release Date",
    )
    rows = []
    for (model, exp), rec in records:
        rec["Model"], rec[EXPERIMENT_COLUMN] = model, exp
        rows.append(tuple(map(rec.get, columns)))
    primary = next((_MEAN_COLUMNS[a][0] for a in _PRIMARY_PRIORITY if a in aggs), "Rank (Borda)")
    return SummaryTable(
        columns=columns,
        rows=tuple(rows),
        rank_column=rank_col,
        primary_metric_column=primary,
        task_type_mean_column="Mean (TaskType)" if MEAN_TASK_TYPE in aggs else None,
        mean_public_column="Mean (Public)" if {PUBLIC_PRIVATE, MEAN_TASK} <= aggs else None,
        mean_private_column="Mean (Private)" if PUBLIC_PRIVATE in aggs else None,
        type_columns=tuple(type_cols),
        task_columns=tuple(tasks),
    )


def build_per_task(entries: EntryColumns, matrix: TaskMatrix | None = None) -> PerTaskTable:
    """MTEB's per-task table: per-task means (incomplete null), sorted by Borda rank."""
    matrix = matrix or build_task_matrix(entries)
    if not matrix.variants:
        return PerTaskTable(columns=(), rows=())
    borda = matrix.borda
    order = sorted(range(len(matrix.variants)), key=lambda i: matrix.variants[i])
    order.sort(key=lambda i: borda[matrix.variants[i][0]])
    values = _table_values(matrix.values)
    rows = tuple((*matrix.variants[i], *values[i]) for i in order)
    return PerTaskTable(columns=("Model", EXPERIMENT_COLUMN, *matrix.tasks), rows=rows)


def build_per_language(
    entries: EntryColumns, language_view: Sequence[str] | str
) -> PerLanguageTable | None:
    """MTEB's per-language table; None when the benchmark has no language view."""
    if isinstance(language_view, str) and language_view != "all":
        return None
    if not isinstance(language_view, str) and not language_view:
        return None
    view = None if isinstance(language_view, str) else language_view
    lm = language_means(entries, view)
    scored = [i for i, ok in enumerate(lm.has_score.tolist()) if ok]
    if not scored:
        return PerLanguageTable(columns=(), rows=())
    values = _table_values(lm.values)
    order = sorted(scored, key=lambda i: lm.models[i])
    if len(lm.languages) == 1:
        order.sort(key=lambda i: _sort_key(values[i][0], True))
    else:
        borda = borda_ranks(lm.values, len(scored))
        order.sort(key=lambda i: int(borda[i]))
    rows = tuple((lm.models[i], *values[i]) for i in order)
    return PerLanguageTable(columns=("Model", *lm.languages), rows=rows)
