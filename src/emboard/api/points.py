"""The plots' data: one point per summary row (score, parameters, memory), and task scores.

Points come from the same summary table the table view shows (same filters, same metric), with
each model's parameter count and memory from the metadata the tables use. Task scores are the
per-task table's column of a benchmark, or every stored result of the task.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from emboard.api.errors import BadParameterError
from emboard.api.queries import stored_task_scores
from emboard.api.schemas import HistogramOut, PointOut, TaskScoreOut, TaskScoresOut
from emboard.api.state import ApiState
from emboard.leaderboard.tables import EXPERIMENT_COLUMN, SummaryTable, Table
from emboard.tasks.metadata import BenchmarkMetadata, TaskMetadata

TOTAL_PARAMS = "Total Parameters (B)"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def summary_points(state: ApiState, table: SummaryTable) -> list[PointOut]:
    """One point per row of ``table``, in its order (Borda rank)."""
    metas = state.board.models()
    cols = table.columns
    if not table.rows or "Model" not in cols or table.primary_metric_column not in cols:
        return []  # a filter that keeps no model gives an empty table without columns
    j_model, j_score = cols.index("Model"), cols.index(table.primary_metric_column)
    j_rank = cols.index(table.rank_column) if table.rank_column in cols else None
    j_exp = cols.index(EXPERIMENT_COLUMN) if EXPERIMENT_COLUMN in cols else None
    j_params = cols.index(TOTAL_PARAMS) if TOTAL_PARAMS in cols else None
    out = []
    for row in table.rows:
        name = str(row[j_model])
        meta = metas.get(name)
        params: float | None = meta.n_parameters if meta and meta.n_parameters else None
        if params is None and j_params is not None:
            billions = _number(row[j_params])
            params = billions * 1e9 if billions else None
        rank = _number(row[j_rank]) if j_rank is not None else None
        out.append(
            PointOut(
                model=name,
                experiment=str(row[j_exp] or "") if j_exp is not None else "",
                rank=int(rank) if rank is not None else None,
                score=_number(row[j_score]),
                n_parameters=params if params and params > 0 else None,
                memory_mb=_positive(meta.memory_usage_mb if meta else None),
            )
        )
    return out


def _positive(value: float | None) -> float | None:
    number = _number(value)
    return number if number is not None and number > 0 else None


def histogram(values: Sequence[float], bins: int) -> HistogramOut:
    """Counts of ``values`` in ``bins`` equal-width bins from their minimum to their maximum."""
    if not values:
        return HistogramOut(edges=[], counts=[])
    low, high = min(values), max(values)
    if high == low:
        return HistogramOut(edges=[low, high], counts=[len(values)])
    width = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    edges = [low] + [round(low + i * width, 9) for i in range(1, bins)] + [high]
    return HistogramOut(edges=edges, counts=counts)


def _benchmark_scores(
    state: ApiState, bench: BenchmarkMetadata, task: TaskMetadata
) -> list[TaskScoreOut]:
    if task.name not in {t.name for t in bench.tasks}:
        raise BadParameterError("benchmark", f"{bench.name} does not contain task {task.name!r}")
    table: Table = state.board.leaderboard(bench.name).per_task
    if task.name not in table.columns:
        return []
    j_task, j_model = table.columns.index(task.name), table.columns.index("Model")
    j_exp = table.columns.index(EXPERIMENT_COLUMN) if EXPERIMENT_COLUMN in table.columns else None
    out = []
    for row in table.rows:
        score = _number(row[j_task])
        if score is not None:
            experiment = str(row[j_exp] or "") if j_exp is not None else ""
            out.append(TaskScoreOut(model=str(row[j_model]), experiment=experiment, score=score))
    return out


def task_scores(
    state: ApiState, task: TaskMetadata, bench: BenchmarkMetadata | None, limit: int, bins: int
) -> TaskScoresOut:
    """The best ``limit`` models on ``task`` and the distribution of every model's score."""
    if bench is not None:
        scores = _benchmark_scores(state, bench, task)
    else:
        with state.store.engine.connect() as conn:
            found = stored_task_scores(conn, task.name, task.eval_splits, task.hf_subsets)
        scores = [
            TaskScoreOut(model=s.model, experiment=s.experiment, score=s.score) for s in found
        ]
    scores.sort(key=lambda s: (-s.score, s.model, s.experiment))
    values = [s.score for s in scores]
    return TaskScoresOut(
        task=task.name,
        benchmark=bench.name if bench else None,
        main_score=task.main_score,
        n_models=len(scores),
        top=scores[:limit],
        histogram=histogram(values, bins),
        mean=statistics.fmean(values) if values else None,
        median=statistics.median(values) if values else None,
    )
