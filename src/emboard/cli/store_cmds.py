"""``emboard ingest``, ``models``, ``show`` and ``history``: fill and read the results store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from emboard.cli.common import CatalogOption, VerboseOption, user_errors

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from emboard.store.db import Store
    from emboard.store.report import IngestReport

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Store URL (default: EMBOARD_DATABASE_URL or a SQLite file)."),
]


def open_configured_store(db: str | None) -> Store:
    """The store at ``--db`` or the configured one, migrated."""
    from emboard.store.db import open_store

    return open_store(db)


@contextmanager
def store_connection(db: str | None) -> Iterator[Connection]:
    """A connection to the store at ``--db`` (or the configured one); errors as one clear line."""
    with user_errors():
        store = open_configured_store(db)
        try:
            with store.engine.connect() as conn:
                yield conn
        finally:
            store.close()


def _print_report(report: IngestReport, max_problems: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"ingest #{report.ingest_id}: {report.source} ({report.kind})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in (
        "files_seen",
        "files_new",
        "files_changed",
        "files_unchanged",
        "files_removed",
        "files_bad",
        "models_new",
        "models_changed",
        "values_added",
        "values_changed",
    ):
        table.add_row(key.replace("_", " "), f"{getattr(report, key):,}")
    console.print(table)
    status = report.status
    if status == "unchanged":
        status = "nothing changed since the last ingest (--force reads everything again)"
    console.print(f"status: {status} in {report.seconds:.1f} s")
    for problem in report.problems[:max_problems]:
        console.print(f"[yellow]bad file[/] {problem.path}: {problem.reason}", markup=True)
    if len(report.problems) > max_problems:
        console.print(f"… and {len(report.problems) - max_problems} more (see --report FILE)")


def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(help="Results folders, git checkouts, .tar.zst archives, model cards."),
    ],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Read every file again, even of unchanged sources.")
    ] = False,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the full reports (JSON) here.")
    ] = None,
    max_problems: Annotated[int, typer.Option(help="Bad files listed on screen.")] = 20,
    model_name: Annotated[
        str | None,
        typer.Option("--model-name", help="Model of a model card (default: its model-index name)."),
    ] = None,
    warm: Annotated[
        list[str] | None,
        typer.Option(
            "--warm",
            help="Benchmarks whose tables are built and cached in the store after a changing "
            "ingest (repeatable; default: MTEB(eng, v2), MTEB(eng, v1), MTEB(Multilingual, v2)).",
        ),
    ] = None,
    no_warm: Annotated[bool, typer.Option("--no-warm", help="Build no tables.")] = False,
    catalog: CatalogOption = None,
    verbose: VerboseOption = 0,
) -> None:
    """Ingest MTEB results into the store; bad files are listed and skipped, nothing is lost."""
    from dataclasses import asdict

    from emboard.log import progress, setup_logging
    from emboard.settings import get_settings
    from emboard.store.ingest import ingest as run_ingest
    from emboard.tasks.catalog import load_catalog

    setup_logging(verbose)
    reports = []
    with user_errors():
        cat = load_catalog(get_settings(), catalog)
        store = open_configured_store(db)
        with progress() as bar:
            for source in sources:
                reports.append(
                    run_ingest(store, source, cat, force=force, progress=bar, model_name=model_name)
                )
    for report in reports:
        _print_report(report, max_problems)
    if report_file is not None:
        report_file.write_text(json.dumps([asdict(r) for r in reports], indent=2) + "\n")
    changed = any(r.changed_anything for r in reports)
    if changed and not no_warm:
        with user_errors():
            _warm(store, cat, warm or list(WARM_BENCHMARKS))


WARM_BENCHMARKS = ("MTEB(eng, v2)", "MTEB(eng, v1)", "MTEB(Multilingual, v2)")


def _warm(store: Store, catalog: object, benchmarks: list[str]) -> None:
    """Build and cache the default tables of ``benchmarks`` (the first request is then fast)."""
    import time

    from emboard.board import Board
    from emboard.tasks.catalog import Catalog

    assert isinstance(catalog, Catalog)
    board = Board(store, catalog)
    for name in benchmarks:
        start = time.perf_counter()
        board.leaderboard(name)
        typer.echo(f"cached the {name} tables in {time.perf_counter() - start:.1f} s", err=True)


def models(
    search: Annotated[
        str | None, typer.Option("-s", "--search", help="Only names containing this.")
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="Include registered models without results.")
    ] = False,
    db: DbOption = None,
) -> None:
    """List the models in the store."""
    from rich.console import Console
    from rich.table import Table

    from emboard.store.queries import list_models

    with store_connection(db) as conn:
        found = list_models(conn, search, with_results=not all_models)
    table = Table("Model", "Registered", "Parameters", "Dim", "Revisions", "Results")
    for m in found:
        table.add_row(
            m.name,
            "yes" if m.registered else "no",
            f"{m.n_parameters:,}" if m.n_parameters else "",
            str(m.embed_dim or ""),
            str(m.revisions),
            str(m.results),
        )
    Console().print(table)
    typer.echo(f"{len(found)} models")


def show(
    model: Annotated[
        str, typer.Argument(help="Model name, e.g. sentence-transformers/all-MiniLM-L6-v2.")
    ],
    task: Annotated[
        list[str] | None, typer.Option("-t", "--task", help="Only these tasks.")
    ] = None,
    db: DbOption = None,
) -> None:
    """A model's metadata and every stored main score with its source."""
    from rich.console import Console
    from rich.table import Table

    from emboard.store.queries import model_metas, model_scores

    with store_connection(db) as conn:
        scores = model_scores(conn, model, task)
        meta = model_metas(conn, names=[model])[model]
    console = Console()
    console.print_json(json.dumps(meta, default=str))
    table = Table("Task", "Revision", "Split", "Subset", "Main score", "Source")
    for s in scores:
        where = f"{s.source_kind}:{s.path}" + (f"@{s.commit[:8]}" if s.commit else "")
        value = "" if s.main_score is None else f"{s.main_score:.6f}"
        rev = s.revision + (f" [{s.experiment}]" if s.experiment else "")
        table.add_row(s.task_name, rev, s.split, s.subset, value, where)
    console.print(table)


def history(
    model: Annotated[str, typer.Argument(help="Model name.")],
    db: DbOption = None,
) -> None:
    """Every earlier value of a model's metadata and scores, and when it changed."""
    from rich.console import Console
    from rich.table import Table

    from emboard.store.queries import model_history

    with store_connection(db) as conn:
        entries = model_history(conn, model)
    table = Table("When", "Ingest", "What", "Field", "Old", "New")
    for e in entries:
        table.add_row(
            e.changed_at[:19],
            str(e.ingest_id),
            e.what,
            e.field,
            json.dumps(e.old_value),
            json.dumps(e.new_value),
        )
    Console().print(table)
    typer.echo(f"{len(entries)} changes")


def export(
    model: Annotated[str, typer.Argument(help="Model name.")],
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Results root to write.")] = Path(
        "results"
    ),
    revision: Annotated[
        str | None, typer.Option("--revision", help="Revision (needed if it has several).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a model's stored results as MTEB result files ({org__model}/{revision}/{Task}.json)."""
    from emboard.store.export import export_model

    with store_connection(db) as conn:
        folder, n = export_model(conn, model, output_dir, revision)
    typer.echo(f"Wrote {n} result files to {folder}")
