"""``/api/v1/tasks``: the catalog's tasks (filtered, searched, paged) and one task."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from emboard.api.http import encode_json, respond
from emboard.api.lookup import benchmark_or_404, benchmarks_of_task, task_or_404
from emboard.api.queries import task_model_count
from emboard.api.schemas import ErrorOut, Page, TaskItem, TaskOut
from emboard.api.state import ApiState, Encoded, get_state
from emboard.tasks.catalog import TaskFilter
from emboard.tasks.metadata import TaskMetadata

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])
State = Annotated[ApiState, Depends(get_state)]
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
MAX_LIMIT = 1000


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
    offset: Annotated[int, Query(ge=0)] = 0,
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
            )
        )

    return respond(request, state, build)
