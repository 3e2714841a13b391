"""``/api/v1/models``: stored models (searched, paged), one model's results and its history.

Model names contain ``/`` (``org/name``): the routes take the rest of the path as the name.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from emboard.api.errors import NotFoundError
from emboard.api.http import encode_json, respond
from emboard.api.queries import model_names, model_row
from emboard.api.schemas import (
    CoverageOut,
    EntryOut,
    ErrorOut,
    HistoryOut,
    ModelHistoryOut,
    ModelItem,
    ModelOut,
    Page,
    ResultOut,
)
from emboard.api.state import ApiState, Encoded, get_state
from emboard.errors import unknown_name_message
from emboard.store.queries import StoredScore, list_models, model_history, model_scores
from emboard.tasks.catalog import Catalog

router = APIRouter(prefix="/api/v1/models", tags=["models"])
State = Annotated[ApiState, Depends(get_state)]
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
MAX_LIMIT = 1000


@router.get("", response_model=Page[ModelItem], responses=ERRORS)
def list_stored_models(
    request: Request,
    state: State,
    search: Annotated[str | None, Query(description="Substring of the model name")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Response:
    """Models with stored results, by name."""

    def build() -> Encoded:
        with state.store.engine.connect() as conn:
            found = list_models(conn, search)
        metas = state.board.models()
        items = []
        for m in found[offset : offset + limit]:
            meta = metas.get(m.name)
            items.append(
                ModelItem(
                    name=m.name,
                    registered=m.registered,
                    n_parameters=m.n_parameters,
                    embed_dim=m.embed_dim,
                    revisions=m.revisions,
                    results=m.results,
                    open_weights=meta.open_weights if meta else None,
                    release_date=meta.release_date if meta else None,
                )
            )
        return encode_json(
            Page[ModelItem](total=len(found), offset=offset, limit=limit, items=items)
        )

    return respond(request, state, build)


def _unknown(state: ApiState, name: str) -> NotFoundError:
    with state.store.engine.connect() as conn:
        names = model_names(conn)
    return NotFoundError(unknown_name_message("model", name, names))


def _results(scores: list[StoredScore], catalog: Catalog, entries: bool) -> list[ResultOut]:
    groups: dict[tuple[str, str, str, str], list[StoredScore]] = defaultdict(list)
    for s in scores:
        groups[(s.task_name, s.revision, s.experiment, s.path)].append(s)
    out = []
    for (task, revision, experiment, _), items in sorted(groups.items()):
        values = [s.main_score for s in items if s.main_score is not None]
        first = items[0]
        meta = catalog.tasks.get(task)
        out.append(
            ResultOut(
                task=task,
                task_type=meta.type if meta else None,
                revision=revision,
                experiment=experiment or "",
                score=sum(values) / len(values) if values else None,
                n_entries=len(items),
                entries=[
                    EntryOut(split=s.split, subset=s.subset, main_score=s.main_score) for s in items
                ]
                if entries
                else None,
                source_kind=first.source_kind,
                source=first.source,
                path=first.path,
                commit=first.commit,
                ingest_id=first.ingest_id,
            )
        )
    return out


def _coverage(tasks: set[str], catalog: Catalog) -> list[CoverageOut]:
    out = []
    for bench in catalog.benchmarks.values():
        names = {t.name for t in bench.tasks}
        have = len(names & tasks)
        if have:
            out.append(
                CoverageOut(benchmark=bench.name, tasks_total=len(names), tasks_with_results=have)
            )
    out.sort(key=lambda c: (-c.tasks_with_results / c.tasks_total, c.benchmark))
    return out


@router.get("/{name:path}/history", response_model=ModelHistoryOut, responses=ERRORS)
def get_history(name: str, request: Request, state: State) -> Response:
    """Changes to the model's metadata, revisions and scores, oldest first."""

    def build() -> Encoded:
        with state.store.engine.connect() as conn:
            if model_row(conn, name) is None:
                raise _unknown(state, name)
            entries = model_history(conn, name)
        history = [
            HistoryOut(**{f: getattr(e, f) for f in HistoryOut.model_fields}) for e in entries
        ]
        return encode_json(ModelHistoryOut(name=name, history=history))

    return respond(request, state, build)


@router.get("/{name:path}", response_model=ModelOut, responses=ERRORS)
def get_model(
    name: str,
    request: Request,
    state: State,
    entries: Annotated[bool, Query(description="Include every (split, subset) score")] = False,
) -> Response:
    """A model: metadata, every stored result with its source, benchmark coverage."""

    def build() -> Encoded:
        with state.store.engine.connect() as conn:
            row = model_row(conn, name)
            if row is None:
                raise _unknown(state, name)
            scores = model_scores(conn, name)
        known = state.board.models().get(name)
        meta = known.model_dump(mode="json") if known is not None else row.meta
        results = _results(scores, state.catalog, entries)
        return encode_json(
            ModelOut(
                name=name,
                registered=row.registered,
                meta_source=row.meta_source,
                meta=meta,
                revisions=sorted({s.revision for s in scores}),
                results=results,
                benchmarks=_coverage({r.task for r in results}, state.catalog),
            )
        )

    return respond(request, state, build)
