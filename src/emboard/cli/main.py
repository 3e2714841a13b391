"""The ``emboard`` command: one Typer app, one module per command, imports deferred."""

from __future__ import annotations

import typer

from emboard.cli import (
    cache_cmd,
    catalog_cmds,
    create_meta_cmd,
    leaderboard_cmd,
    run_cmd,
    serve_cmd,
    store_cmds,
)

app = typer.Typer(
    name="emboard",
    help="Evaluate embedding models on MTEB tasks with MTEB's numbers, and rank them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run_cmd.run)
app.command("tasks")(catalog_cmds.tasks)
app.command("benchmarks")(catalog_cmds.benchmarks)
app.command("ingest")(store_cmds.ingest)
app.command("models")(store_cmds.models)
app.command("show")(store_cmds.show)
app.command("history")(store_cmds.history)
app.command("export")(store_cmds.export)
app.command("leaderboard")(leaderboard_cmd.leaderboard)
app.command("create-meta")(create_meta_cmd.create_meta)
app.command("serve")(serve_cmd.serve)
app.add_typer(cache_cmd.cache_app, name="cache")


def main() -> None:
    """Entry point of the ``emboard`` script."""
    app()
