"""Leaderboard tables as API bodies: columns and rows, or CSV / JSON files."""

from __future__ import annotations

import re

from emboard.api.errors import BadParameterError, NotFoundError
from emboard.api.http import encode_bytes, encode_json
from emboard.api.params import Format, TableQuery
from emboard.api.queries import metric_names
from emboard.api.schemas import TableOut
from emboard.api.state import ApiState, Encoded
from emboard.errors import close_matches
from emboard.leaderboard.display import to_csv, to_json, visible_columns
from emboard.leaderboard.tables import Leaderboard, SummaryTable, Table
from emboard.tasks.metadata import BenchmarkMetadata

VIEWS = ("summary", "per-task", "per-language")


def benchmark_metrics(state: ApiState, bench: BenchmarkMetadata) -> dict[str, list[str]]:
    """Task → stored metric names of the benchmark's tasks (cached per store generation)."""
    key = (state.generation(), bench.name)
    cached = state.metrics.get(key)
    if cached is None:
        with state.store.engine.connect() as conn:
            cached = metric_names(conn, [t.name for t in bench.tasks])
        state.metrics.clear()
        state.metrics[key] = cached
    return cached


def check_metric(state: ApiState, bench: BenchmarkMetadata, metric: str | None) -> None:
    """A ``metric`` no task of the benchmark has stored → 422 with close matches."""
    if metric is None:
        return
    known = {m for ms in benchmark_metrics(state, bench).values() for m in ms}
    if metric not in known:
        matches = close_matches(metric, known)
        hint = f" Did you mean: {', '.join(matches)}?" if matches else ""
        raise BadParameterError("metric", f"no task of {bench.name} has metric {metric!r}.{hint}")


def pick_table(board: Leaderboard, view: str) -> Table:
    """The table of one view (404 for a benchmark without a per-language view)."""
    if view == "summary":
        return board.summary
    if view == "per-task":
        return board.per_task
    if board.per_language is None:
        raise NotFoundError(f"Benchmark {board.benchmark} has no per-language view")
    return board.per_language


def _filename(benchmark: str, view: str, ext: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", benchmark).strip("_")
    return f"{slug}-{view}.{ext}"


def encode_table(
    state: ApiState, bench: BenchmarkMetadata, board: Leaderboard, view: str, query: TableQuery
) -> Encoded:
    """The body for one table request in the asked format."""
    table = pick_table(board, view)
    if query.format is not Format.table:
        ext = query.format.value
        text = to_csv(table) if query.format is Format.csv else to_json(table)
        media = "text/csv; charset=utf-8" if ext == "csv" else "application/json"
        disposition = f'attachment; filename="{_filename(bench.name, view, ext)}"'
        return encode_bytes(text.encode(), media, (("Content-Disposition", disposition),))
    cols = visible_columns(table)
    index = [table.columns.index(c) for c in cols]
    out = TableOut(
        benchmark=bench.name,
        view=view,
        metric=query.metric or "main_score",
        columns=cols,
        rows=[[row[j] for j in index] for row in table.rows],
        n_rows=len(table.rows),
        show_zero_shot=board.show_zero_shot,
        task_types=_task_types(state, table),
    )
    if isinstance(table, SummaryTable):
        out.rank_column = table.rank_column
        out.primary_metric_column = table.primary_metric_column
        out.type_columns = list(table.type_columns)
        out.task_columns = list(table.task_columns)
    return encode_json(out.model_dump(mode="json"))


def _task_types(state: ApiState, table: Table) -> dict[str, str]:
    tasks = state.catalog.tasks
    return {c: tasks[c].type for c in table.columns if c in tasks}
