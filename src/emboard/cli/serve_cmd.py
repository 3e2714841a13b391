"""``emboard serve``: the REST API and the web leaderboard over a results store.

Start-up does the least it can: the store is opened (without Alembic when it is at the newest
schema, ``store.db.open_store``), the catalog is read and validated once with the garbage
collector paused, and no leaderboard table is built (the store's board cache, warmed by ingest,
serves the first table request). The objects made at start-up
are then frozen out of the collector, so that no full collection walks them between requests.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path
from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, user_errors
from emboard.cli.store_cmds import DbOption, open_configured_store

logger = logging.getLogger(__name__)

_DEFAULT = "/api/v1/benchmarks/MTEB(eng, v2)"
_OTHERS = ("/api/v1/benchmarks/MTEB(Multilingual, v2)", "/api/v1/benchmarks/MTEB(eng, v1)")
WARM_PATHS = ("/api/v1/benchmarks", f"{_DEFAULT}/summary", _DEFAULT)
"""What the web app asks first for its default benchmark, built in the background once the
server answers."""
LATER_PATHS = (
    f"{_DEFAULT}/metrics",
    *(f"{b}{part}" for b in _OTHERS for part in ("", "/metrics")),
)
"""The metric lists (a query of up to seconds each) of the main benchmarks, built after the
default benchmark is prepared (its first filter waits for nothing else). The other benchmarks'
tables are left to the first request: one not in the store's board cache (a store filled
without ``emboard ingest``'s warming) would be built, and MTEB(Multilingual, v2)'s takes
~300 MB."""

WARM_BENCHMARK = "MTEB(eng, v2)"
"""The web app's default benchmark: its rows are loaded after the warm paths, so that the first
filter on it only aggregates (~20 ms instead of ~400 ms)."""


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    web_dir: Annotated[
        Path | None,
        typer.Option("--web-dir", help="The built web app (default: web/dist of this checkout)."),
    ] = None,
    registered_only: Annotated[
        bool, typer.Option("--registered-only", help="Only MTEB-registered models (as mteb).")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Serve the REST API (/api/v1, docs at /docs) and the web leaderboard (/)."""
    gc.disable()  # start-up makes ~300k long-lived objects: no collections while it does
    import uvicorn

    from emboard.api.app import create_app
    from emboard.settings import get_settings
    from emboard.tasks.catalog import load_catalog

    started = time.perf_counter()
    with user_errors():
        store = open_configured_store(db)
        cat = load_catalog(get_settings(), catalog)
        _ = cat.tasks, cat.benchmarks  # validate once, before the first request
        app = create_app(
            store,
            cat,
            web_dir=web_dir,
            registered_only=registered_only,
            warm_paths=WARM_PATHS,
            warm_benchmarks=(WARM_BENCHMARK,),
            later_paths=LATER_PATHS,
        )
    gc.freeze()  # ... nor later: a full collection over them would pause every request ~0.1 s
    gc.enable()
    typer.echo(
        f"emboard: serving {store.url} on http://{host}:{port} "
        f"(ready in {time.perf_counter() - started:.1f} s; API docs at /docs)",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
