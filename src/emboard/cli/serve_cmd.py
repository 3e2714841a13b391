"""``emboard serve``: the REST API and the web leaderboard over a results store."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, user_errors
from emboard.cli.store_cmds import DbOption

logger = logging.getLogger(__name__)


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
    import uvicorn

    from emboard.api.app import create_app
    from emboard.cli.store_cmds import open_configured_store
    from emboard.settings import get_settings
    from emboard.tasks.catalog import load_catalog

    started = time.perf_counter()
    with user_errors():
        cat = load_catalog(get_settings(), catalog)
        store = open_configured_store(db)
        app = create_app(store, cat, web_dir=web_dir, registered_only=registered_only)
        _ = cat.tasks, cat.benchmarks, cat.models  # validate once, before the first request
    typer.echo(
        f"emboard: serving {store.url} on http://{host}:{port} "
        f"(ready in {time.perf_counter() - started:.1f} s; API docs at /docs)",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
