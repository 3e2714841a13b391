"""``emboard cache list|clear``: the persistent embedding cache (``run --embedding-cache``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

cache_app = typer.Typer(
    help="List or clear the persistent embedding cache (emboard run --embedding-cache DIR).",
    no_args_is_help=True,
)

CacheDirOption = Annotated[
    Path | None,
    typer.Option("--embedding-cache", help="The cache folder (default: $EMBOARD_EMBEDDING_CACHE)."),
]


def _root(given: Path | None) -> Path:
    from emboard.settings import get_settings

    root = given or get_settings().embedding_cache
    if root is None:
        typer.echo(
            "Error: no embedding cache folder: give --embedding-cache DIR "
            "or set EMBOARD_EMBEDDING_CACHE",
            err=True,
        )
        raise typer.Exit(2)
    if not root.is_dir():
        typer.echo(f"Error: embedding cache folder {root} does not exist", err=True)
        raise typer.Exit(2)
    return root


@cache_app.command("list")
def list_cmd(embedding_cache: CacheDirOption = None) -> None:
    """One line per table: model, revision, prompt, prompt type, rows, dimension, size."""
    from rich.console import Console
    from rich.table import Table

    from emboard.models.embedding_cache import list_tables

    root = _root(embedding_cache)
    tables = list_tables(root)
    table = Table("Model", "Revision", "Prompt", "Type", "Rows", "Dim", "MB", title=str(root))
    for t in tables:
        prompt = "-" if t.prompt is None else repr(t.prompt)
        table.add_row(
            t.model,
            t.revision or "-",
            prompt,
            t.prompt_type or "-",
            str(t.rows),
            str(t.dim),
            f"{t.nbytes / 1e6:.1f}",
        )
    Console().print(table)
    total = sum(t.nbytes for t in tables)
    typer.echo(f"{len(tables)} tables, {sum(t.rows for t in tables)} rows, {total / 1e6:.1f} MB")


@cache_app.command("clear")
def clear_cmd(
    embedding_cache: CacheDirOption = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Only this model's tables (its name).")
    ] = None,
) -> None:
    """Delete the cache's tables (those of --model only, if given); tables in use stay."""
    from emboard.models.embedding_cache import remove_tables

    removed = remove_tables(_root(embedding_cache), model)
    typer.echo(
        f"Removed {len(removed)} tables ({sum(t.rows for t in removed)} rows, "
        f"{sum(t.nbytes for t in removed) / 1e6:.1f} MB)"
    )
