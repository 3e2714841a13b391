"""``emboard create-meta``: a model card's ``model-index`` from a results folder (MTEB v1 format)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, VerboseOption, user_errors


def create_meta(
    results_folder: Annotated[
        Path | None,
        typer.Option(
            "--results-folder", help="A model revision's results: results/{model}/{revision}."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Build the card from this model's results in the store."),
    ] = None,
    revision: Annotated[
        str | None, typer.Option("--revision", help="With --model: the revision to use.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="With --model: the store URL.")] = None,
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
    """Write the YAML front matter of a model card with every score of a results folder
    (--results-folder) or of a model in the store (--model)."""
    from emboard.log import setup_logging

    setup_logging(verbose)
    from emboard.errors import EmboardError
    from emboard.results.io import atomic_write_text

    with user_errors():
        if output.exists() and not overwrite:
            raise EmboardError(f"{output} already exists; use --overwrite to replace it")
        if (results_folder is None) == (model is None):
            raise EmboardError("Give exactly one of --results-folder and --model")
        existing = _existing(from_existing)
        if model is not None:
            text, warnings = _card_from_store(
                model, revision, db, existing, from_existing, model_name, catalog
            )
        else:
            assert results_folder is not None
            text, warnings = _card_text(
                results_folder, existing, from_existing, model_name, catalog
            )

        atomic_write_text(output, text)
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"Wrote {output}")


def _existing(from_existing: Path | None) -> str | None:
    from emboard.errors import ResultFormatError

    if from_existing is None:
        return None
    if from_existing.suffix.lower() != ".md":
        raise ResultFormatError(f"{from_existing}: the README to merge into must be a .md file")
    try:
        return from_existing.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultFormatError(f"{from_existing}: cannot be read ({exc})") from exc


def _card_from_store(
    model: str,
    revision: str | None,
    db: str | None,
    existing: str | None,
    from_existing: Path | None,
    model_name: str | None,
    catalog: Path | None,
) -> tuple[str, tuple[str, ...]]:
    from emboard.cli.common import with_catalog
    from emboard.cli.store_cmds import store_connection
    from emboard.results.model_card import card_from_results
    from emboard.store.export import stored_results

    catalog_obj = with_catalog(catalog, lambda cat, _settings: cat)
    with store_connection(db) as conn:
        _, results = stored_results(conn, model, revision)
    return card_from_results(
        results,
        catalog_obj.tasks,
        model_name or model,
        existing=existing,
        existing_source=str(from_existing),
    )


def _card_text(
    results_folder: Path,
    existing: str | None,
    from_existing: Path | None,
    model_name: str | None,
    catalog: Path | None,
) -> tuple[str, tuple[str, ...]]:
    from emboard.cli.common import with_catalog
    from emboard.results.model_card import create_model_card
    from emboard.tasks.lookup import CatalogTaskLookup

    catalog_obj = with_catalog(catalog, lambda cat, _settings: cat)
    return create_model_card(
        results_folder,
        catalog_obj.tasks,
        CatalogTaskLookup(catalog_obj),
        existing=existing,
        existing_source=str(from_existing),
        model_name=model_name,
    )
