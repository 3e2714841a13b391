"""``emboard run``: evaluate a model on tasks or benchmarks and print the score table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from emboard.cli.common import CatalogOption, VerboseOption, user_errors

if TYPE_CHECKING:
    from emboard.run import RunReport


def run(
    model: Annotated[str, typer.Option("-m", "--model", help="Hub id or local model folder.")],
    tasks: Annotated[
        list[str] | None,
        typer.Option("-t", "--task", "--tasks", help="Task name or task file (repeatable)."),
    ] = None,
    benchmarks: Annotated[
        list[str] | None, typer.Option("-b", "--benchmark", help="Benchmark name (repeatable).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Local task data folder (default: Hugging Face Hub)."),
    ] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Results root folder.")] = Path(
        "results"
    ),
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Encoding batch size.")
    ] = 32,
    device: Annotated[str | None, typer.Option("--device", help="cpu or cuda.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Redo tasks that already have results.")
    ] = False,
    model_name: Annotated[
        str | None,
        typer.Option(
            "--model-name", help="Name to file results under (default: Hub id or folder name)."
        ),
    ] = None,
    model_revision: Annotated[
        str | None,
        typer.Option(
            "--model-revision", help="Model revision (default: latest / no_revision_available)."
        ),
    ] = None,
    mmap_threshold: Annotated[
        int | None,
        typer.Option(
            "--mmap-threshold",
            min=0,
            help="glibc mmap threshold in bytes, which bounds heap growth "
            "(default: 8 MiB; 0 leaves malloc's own dynamic threshold).",
        ),
    ] = None,
    embedding_cache: Annotated[
        str | None,
        typer.Option(
            "--embedding-cache",
            help="Folder that keeps embeddings for later runs of the same model "
            "(default: $EMBOARD_EMBEDDING_CACHE, else temporary files for this run; "
            "':memory:' keeps them in the process).",
        ),
    ] = None,
    catalog: CatalogOption = None,
    verbose: VerboseOption = 0,
) -> None:
    """Evaluate MODEL on tasks (-t), benchmarks (-b), or every task found in --data-dir."""
    import os

    from emboard.log import setup_logging

    setup_logging(verbose)
    if catalog:
        os.environ["EMBOARD_CATALOG"] = str(catalog)
    from emboard.heap import threshold_option
    from emboard.run import evaluate

    with user_errors():
        report = evaluate(
            model,
            tasks or None,
            benchmarks=benchmarks or (),
            data_dir=data_dir,
            output_dir=output_dir,
            batch_size=batch_size,
            device=device,
            overwrite=overwrite,
            model_name=model_name,
            model_revision=model_revision,
            mmap_threshold=threshold_option(mmap_threshold),
            embedding_cache=embedding_cache,
        )
    print_report(report)
    if report.failed:
        raise typer.Exit(1)


def print_report(report: RunReport) -> None:
    """The closing table: one row per task with its main score and status."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "Task",
        "Type",
        "Main score",
        "Value",
        "Status",
        title=f"{report.model.name} @ {report.model.revision}",
    )
    for o in report.outcomes:
        value = f"{o.main_score:.6f}" if o.main_score is not None else "-"
        status = o.status if o.status != "failed" else f"[red]failed[/red]: {o.error}"
        table.add_row(o.task.name, o.task.type, o.task.main_score, value, status)
    console = Console()
    console.print(table)
    s = report.stats
    console.print(
        f"{len(report.outcomes) - len(report.failed)}/{len(report.outcomes)} tasks done in "
        f"{report.seconds:.1f} s; {s.encoded} texts encoded for {s.requested} requested"
        + (f"; results in {report.output_dir}" if report.output_dir else "")
    )
