"""What every command shares: settings, the catalog and turning errors into exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

T = TypeVar("T")

CatalogOption = Annotated[
    Path | None,
    typer.Option("--catalog", help="MTEB catalog file (default: EMBOARD_CATALOG, cache, or mteb)."),
]
VerboseOption = Annotated[int, typer.Option("-v", "--verbose", count=True, help="More logging.")]


def console_err() -> object:
    """A Rich console on stderr."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print an emboard error as one clear line and exit with status 2."""
    from emboard.errors import EmboardError

    try:
        yield
    except EmboardError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None


def with_catalog(catalog_path: Path | None, fn: Callable[..., T]) -> T:
    """Call ``fn(catalog, settings)`` with the configured catalog."""
    from emboard.settings import get_settings
    from emboard.tasks.catalog import load_catalog

    settings = get_settings()
    return fn(load_catalog(settings, catalog_path), settings)
