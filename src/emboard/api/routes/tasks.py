"""``/api/v1/tasks``: the catalog's tasks (filtered, searched, paged), one task, its scores."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from emboard.api.http import encode_json, respond
from emboard.api.lookup import benchmark_or_404, benchmarks_of_task, task_or_404
from emboard.api.points import task_scores
from emboard.api.queries import task_model_count
from emboard.api.schemas import ErrorOut, Page, TaskItem, TaskOut, TaskScoresOut
from emboard.api.state import ApiState, Encoded, get_state
from emboard.tasks.catalog import TaskFilter
from emboard.tasks.metadata import TaskMetadata

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])
State = Annotated[ApiState, Depends(get_state)]
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
MAX_LIMIT = 1000
MAX_BINS = 100
HUB_DATASETS = "https://huggingface.co/datasets/"
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def _item(task: TaskMetadata) -> TaskItem:
    return TaskItem(
        name=task.name,
        type=task.type,
        main_score=task.main_score,
        languages=task.all_languages,
        domains=list(task.domains or ()),
        modalities=list(task.modalities),
        description=task.description,
    )


@router.get("", response_model=Page[TaskItem], responses=ERRORS)
def list_tasks(
    request: Request,
    state: State,
    type: Annotated[list[str] | None, Query()] = None,
    language: Annotated[list[str] | None, Query()] = None,
    domain: Annotated[list[str] | None, Query()] = None,
    modality: Annotated[list[str] | None, Query()] = None,
    benchmark: Annotated[str | None, Query()] = None,
    search: Annotated[str | None, Query(description="Substring of the task name")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Response:
    """Tasks matching every given criterion (superseded tasks only inside a benchmark)."""
    if benchmark:
        benchmark = benchmark_or_404(state.catalog, benchmark).name
    criteria = TaskFilter(
        types=tuple(type or ()),
        languages=tuple(language or ()),
        domains=tuple(domain or ()),
        modalities=tuple(modality or ()),
        benchmark=benchmark,
    )

    def build() -> Encoded:
        found = state.catalog.filter_tasks(criteria)
        if search:
            found = [t for t in found if search.lower() in t.name.lower()]
        items = [_item(t) for t in found[offset : offset + limit]]
        return encode_json(
            Page[TaskItem](total=len(found), offset=offset, limit=limit, items=items)
        )

    return respond(request, state, build)


@router.get("/{name}", response_model=TaskOut, responses=ERRORS)
def get_task(name: str, request: Request, state: State) -> Response:
    """A task's catalog metadata, the benchmarks that use it and how many models have results."""
    task = task_or_404(state.catalog, name)

    def build() -> Encoded:
        with state.store.engine.connect() as conn:
            n_models = task_model_count(conn, task.name)
        return encode_json(
            TaskOut(
                name=task.name,
                type=task.type,
                metadata=task.model_dump(mode="json", by_alias=True),
                benchmarks=list(benchmarks_of_task(state.catalog).get(task.name, ())),
                n_models=n_models,
                dataset_url=dataset_url(task),
            )
        )

    return respond(request, state, build)


def dataset_url(task: TaskMetadata) -> str | None:
    """The Hub page of the task's dataset at its pinned revision (None if not a Hub id)."""
    path, revision = task.dataset.path, task.dataset.revision
    if not _HUB_ID.fullmatch(path) or ".." in path:
        return None
    url = HUB_DATASETS + path
    return f"{url}/tree/{quote(revision, safe='')}" if revision else url


@router.get("/{name}/scores", response_model=TaskScoresOut, responses=ERRORS)
def get_task_scores(
    name: str,
    request: Request,
    state: State,
    benchmark: Annotated[
        str | None,
        Query(description="Scores of this benchmark's per-task table (default: every result)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many top models")] = 10,
    bins: Annotated[int, Query(ge=1, le=MAX_BINS, description="Histogram bins")] = 20,
) -> Response:
    """The best models on a task and the distribution of all models' scores (main score, 0–1).

    With ``benchmark``, the scores are the benchmark's per-task table column (its splits,
    subsets and revision choice); without, each model's stored result of the task covering the
    most of its evaluation splits and subsets.
    """
    task = task_or_404(state.catalog, name)
    bench = benchmark_or_404(state.catalog, benchmark) if benchmark else None
    return respond(
        request, state, lambda: encode_json(task_scores(state, task, bench, limit, bins))
    )
