"""``emboard create-meta``: a model card's ``model-index`` from a results folder (MTEB v1 format)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, VerboseOption, user_errors


def create_meta(
    results_folder: Annotated[
        Path,
        typer.Option(
            "--results-folder", help="A model revision's results: results/{model}/{revision}."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "--output-path", help="Card to write.")
    ] = Path("model_card.md"),
    from_existing: Annotated[
        Path | None,
        typer.Option("--from-existing", help="README.md to merge the results into (body kept)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")
    ] = False,
    model_name: Annotated[
        str | None,
        typer.Option("--model-name", help="Name in the model-index (default: model_meta.json)."),
    ] = None,
    catalog: CatalogOption = None,
    verbose: VerboseOption = 0,
) -> None:
    """Write the YAML front matter of a model card with every score of RESULTS_FOLDER."""
    from emboard.log import setup_logging

    setup_logging(verbose)
    from emboard.errors import EmboardError
    from emboard.results.io import atomic_write_text

    with user_errors():
        if output.exists() and not overwrite:
            raise EmboardError(f"{output} already exists; use --overwrite to replace it")
        text, warnings = _card_text(results_folder, from_existing, model_name, catalog)

        atomic_write_text(output, text)
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"Wrote {output}")


def _card_text(
    results_folder: Path, from_existing: Path | None, model_name: str | None, catalog: Path | None
) -> tuple[str, tuple[str, ...]]:
    from emboard.cli.common import with_catalog
    from emboard.errors import ResultFormatError
    from emboard.results.model_card import create_model_card
    from emboard.tasks.lookup import CatalogTaskLookup

    existing = None
    if from_existing is not None:
        if from_existing.suffix.lower() != ".md":
            raise ResultFormatError(f"{from_existing}: the README to merge into must be a .md file")
        try:
            existing = from_existing.read_text(encoding="utf-8")
        except OSError as exc:
            raise ResultFormatError(f"{from_existing}: cannot be read ({exc})") from exc
    catalog_obj = with_catalog(catalog, lambda cat, _settings: cat)
    return create_model_card(
        results_folder,
        catalog_obj.tasks,
        CatalogTaskLookup(catalog_obj),
        existing=existing,
        existing_source=str(from_existing),
        model_name=model_name,
    )
