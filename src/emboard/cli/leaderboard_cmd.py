"""``emboard leaderboard``: MTEB's leaderboard tables of a benchmark, from the store."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, user_errors
from emboard.cli.store_cmds import DbOption, open_configured_store


class Output(StrEnum):
    """Output formats."""

    table = "table"
    csv = "csv"
    json = "json"


class View(StrEnum):
    """Which table."""

    summary = "summary"
    per_task = "per-task"
    per_language = "per-language"


def leaderboard(
    benchmark: Annotated[
        str, typer.Option("-b", "--benchmark", help="Benchmark name or alias.")
    ] = "MTEB(eng, v2)",
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            "-f",
            help="key=value (repeatable): type, domain, language, modality, task, min_params, "
            "max_params, open_weights, instructions, zero_shot, model_type, framework, name.",
        ),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option("--metric", help="A stored metric instead of each task's main score."),
    ] = None,
    view: Annotated[View, typer.Option("--table", help="Which table.")] = View.summary,
    output: Annotated[Output, typer.Option("--format", help="table, csv or json.")] = Output.table,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="First N rows only.")] = None,
    out_file: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    registered_only: Annotated[
        bool, typer.Option("--registered-only", help="Only MTEB-registered models (as mteb).")
    ] = False,
    db: DbOption = None,
    catalog: CatalogOption = None,
) -> None:
    """A benchmark's summary (Borda rank, means), per-task or per-language table."""
    from dataclasses import replace

    from emboard.board import Board
    from emboard.leaderboard.display import to_csv, to_json
    from emboard.leaderboard.filter_args import parse_filters
    from emboard.settings import get_settings
    from emboard.tasks.catalog import load_catalog

    with user_errors():
        cat = load_catalog(get_settings(), catalog)
        parsed = parse_filters(filters or [])
        board = Board(open_configured_store(db), cat, registered_only=registered_only)
        result = board.leaderboard(benchmark, parsed, metric)
    table = {
        View.summary: result.summary,
        View.per_task: result.per_task,
        View.per_language: result.per_language,
    }[view]
    if table is None:
        typer.echo(f"Error: {result.benchmark} has no per-language view.", err=True)
        raise typer.Exit(2)
    if limit is not None:
        table = replace(table, rows=table.rows[:limit])
    if output is Output.table:
        _print(table, f"{result.benchmark} — {view.value}")
        return
    text = to_csv(table) if output is Output.csv else to_json(table)
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def _print(table: object, title: str) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    from emboard.leaderboard.display import display_value, visible_columns
    from emboard.leaderboard.tables import Table

    assert isinstance(table, Table)
    cols = visible_columns(table)
    shown = RichTable(*cols, title=title)
    for rec in table.to_records():
        shown.add_row(*(display_value(c, rec[c]) for c in cols))
    Console().print(shown)
    typer.echo(f"{len(table)} models")
