"""``/api/v1/benchmarks``: the list, one benchmark, its metrics and its three tables."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from emboard.api.errors import BadParameterError
from emboard.api.http import encode_json, respond
from emboard.api.lookup import benchmark_or_404
from emboard.api.params import Format, TableQuery, table_query
from emboard.api.points import summary_points
from emboard.api.schemas import (
    BenchmarkItem,
    BenchmarkOut,
    BenchmarkTaskOut,
    ErrorOut,
    MetricsOut,
    PointsOut,
    TableOut,
)
from emboard.api.state import ApiState, Encoded, get_state
from emboard.api.tables import benchmark_metrics, check_metric, encode_table
from emboard.tasks.catalog import Catalog
from emboard.tasks.metadata import BenchmarkMetadata

router = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"])
State = Annotated[ApiState, Depends(get_state)]
Query = Annotated[TableQuery, Depends(table_query)]
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
TABLE_DOC = "JSON columns/rows by default; `format=csv` or `format=json` downloads the table."
TableBody = TableOut | list[dict[str, Any]]
"""Columns and rows, or (``format=json``) the table as a list of records."""
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
}


def _item(bench: BenchmarkMetadata, catalog: Catalog) -> BenchmarkItem:
    types = sorted({catalog.tasks[t.name].type for t in bench.tasks if t.name in catalog.tasks})
    view = bench.language_view
    return BenchmarkItem(
        name=bench.name,
        display_name=bench.display_name,
        aliases=list(bench.aliases),
        description=bench.description,
        n_tasks=len(bench.tasks),
        task_types=types,
        has_language_view=view == "all" or (isinstance(view, list) and bool(view)),
        superseded_by=bench.superseded_by,
    )


def _detail(bench: BenchmarkMetadata, catalog: Catalog) -> BenchmarkOut:
    tasks = []
    for bt in bench.tasks:
        meta = catalog.tasks.get(bt.name)
        if meta is None:
            continue
        langs = {lang for sub in bt.hf_subsets for lang in meta.languages(sub)}
        tasks.append(
            BenchmarkTaskOut(
                name=bt.name,
                type=meta.type,
                main_score=meta.main_score,
                eval_splits=list(bt.eval_splits),
                hf_subsets=list(bt.hf_subsets),
                languages=sorted(langs or set(meta.all_languages)),
                domains=list(meta.domains or ()),
                modalities=list(meta.modalities),
            )
        )
    return BenchmarkOut(
        **_item(bench, catalog).model_dump(),
        reference=bench.reference,
        citation=bench.citation,
        tasks=tasks,
        languages=sorted({lang.split("-")[0] for t in tasks for lang in t.languages}),
        domains=sorted({d for t in tasks for d in t.domains}),
        modalities=sorted({m for t in tasks for m in t.modalities}),
        language_view=bench.language_view,
    )


@router.get("", response_model=list[BenchmarkItem])
def list_benchmarks(request: Request, state: State) -> Response:
    """Every benchmark of the catalog."""
    items = [_item(b, state.catalog) for b in state.catalog.benchmarks.values()]
    return respond(request, state, lambda: encode_json(items))


@router.get("/{name}", response_model=BenchmarkOut, responses=ERRORS)
def get_benchmark(name: str, request: Request, state: State) -> Response:
    """A benchmark (name or alias): metadata, tasks and the values its filters can take."""
    bench = benchmark_or_404(state.catalog, name)
    return respond(request, state, lambda: encode_json(_detail(bench, state.catalog)))


@router.get("/{name}/metrics", response_model=MetricsOut, responses=ERRORS)
def get_metrics(name: str, request: Request, state: State) -> Response:
    """The stored metrics of the benchmark's tasks (values of the tables' ``metric``)."""
    bench = benchmark_or_404(state.catalog, name)

    def build() -> Encoded:
        by_task = benchmark_metrics(state, bench)
        union = sorted({m for ms in by_task.values() for m in ms})
        return encode_json(MetricsOut(benchmark=bench.name, metrics=union, by_task=by_task))

    return respond(request, state, build)


def _table(view: str, name: str, request: Request, state: ApiState, query: TableQuery) -> Response:
    bench = benchmark_or_404(state.catalog, name)
    check_metric(state, bench, query.metric)

    def build() -> Encoded:
        board = state.board.leaderboard(bench.name, query.filters, query.metric)
        return encode_table(state, bench, board, view, query)

    return respond(request, state, build)


@router.get(
    "/{name}/summary", response_model=TableBody, responses=TABLE_RESPONSES, description=TABLE_DOC
)
def summary(name: str, request: Request, state: State, query: Query) -> Response:
    """MTEB's summary table: Borda rank, means, per-type means, model metadata."""
    return _table("summary", name, request, state, query)


@router.get(
    "/{name}/per-task", response_model=TableBody, responses=TABLE_RESPONSES, description=TABLE_DOC
)
def per_task(name: str, request: Request, state: State, query: Query) -> Response:
    """One column per task (the metric's mean over the task's subsets), in Borda order."""
    return _table("per-task", name, request, state, query)


@router.get(
    "/{name}/per-language",
    response_model=TableBody,
    responses=TABLE_RESPONSES,
    description=TABLE_DOC,
)
def per_language(name: str, request: Request, state: State, query: Query) -> Response:
    """One column per language (benchmarks with a language view)."""
    return _table("per-language", name, request, state, query)


@router.get("/{name}/points", response_model=PointsOut, responses=ERRORS)
def points(name: str, request: Request, state: State, query: Query) -> Response:
    """The summary table as plot points: each row's primary score, parameters and memory.

    Takes the table endpoints' filters and metric; JSON only.
    """
    bench = benchmark_or_404(state.catalog, name)
    check_metric(state, bench, query.metric)
    if query.format is not Format.table:
        raise BadParameterError("format", "points are JSON only")

    def build() -> Encoded:
        table = state.board.leaderboard(bench.name, query.filters, query.metric).summary
        return encode_json(
            PointsOut(
                benchmark=bench.name,
                metric=query.metric or "main_score",
                score_column=table.primary_metric_column,
                points=summary_points(state, table),
            )
        )

    return respond(request, state, build)
