"""``create_app(store, catalog)``: the FastAPI app of the REST API and the web leaderboard.

No app exists at import time: ``emboard serve`` (or a test) opens a store, loads a catalog and
calls :func:`create_app`. Routes: ``/api/v1/benchmarks…``, ``/api/v1/tasks…``,
``/api/v1/models…``; OpenAPI at ``/api/v1/openapi.json``, Swagger UI at ``/docs``; the built web
app at ``/``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from emboard.api.errors import install_error_handlers
from emboard.api.http import CachedResponses, warm_up
from emboard.api.routes import benchmarks, models, tasks
from emboard.api.security import SecurityHeaders
from emboard.api.state import ApiState
from emboard.api.web import OPENAPI_URL, docs_router, mount_web
from emboard.board import Board
from emboard.store.db import Store
from emboard.tasks.catalog import Catalog

logger = logging.getLogger(__name__)

DESCRIPTION = (
    "MTEB-compatible leaderboards from an emboard results store: benchmarks and their summary, "
    "per-task and per-language tables (filters, metric choice, CSV/JSON export), tasks, models "
    "with every stored result, its source and its history."
)


def create_app(
    store: Store,
    catalog: Catalog,
    *,
    web_dir: Path | None = None,
    registered_only: bool = False,
    warm_paths: Sequence[str] = (),
    warm_benchmarks: Sequence[str] = (),
    later_paths: Sequence[str] = (),
) -> FastAPI:
    """The app over ``store`` and ``catalog``; ``web_dir`` is the built web app (``web/dist``).

    ``warm_paths`` are requested once in the background when the app starts (the web app's
    first requests), so that the first visitor is served from the response cache; then the rows
    of ``warm_benchmarks`` are loaded (:meth:`Board.prepare`), so that a first filter on them
    only aggregates; then ``later_paths`` are requested.
    """

    async def warm() -> None:
        await warm_up(app, warm_paths)
        for name in warm_benchmarks:
            try:
                await asyncio.to_thread(board.prepare, name)
            except Exception:  # only costs the first filter time
                logger.exception("Preparing %s failed", name)
        await warm_up(app, later_paths)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(warm()) if (warm_paths or warm_benchmarks or later_paths) else None
        )
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(
        lifespan=lifespan,
        title="emboard",
        description=DESCRIPTION,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
    )
    board = Board(store, catalog, registered_only=registered_only)
    state = ApiState(store=store, catalog=catalog, board=board)
    app.state.emboard = state
    install_error_handlers(app)
    app.include_router(benchmarks.router)
    app.include_router(tasks.router)
    app.include_router(models.router)
    app.include_router(docs_router())
    mount_web(app, web_dir)
    app.add_middleware(CachedResponses, state=state)
    app.add_middleware(SecurityHeaders)
    return app
