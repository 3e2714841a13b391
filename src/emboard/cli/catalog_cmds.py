"""``emboard tasks`` and ``emboard benchmarks``: list and filter the catalog."""

from __future__ import annotations

from typing import Annotated

import typer

from emboard.cli.common import CatalogOption, user_errors, with_catalog


def tasks(
    task_type: Annotated[list[str] | None, typer.Option("--type", help="Task type(s).")] = None,
    language: Annotated[
        list[str] | None, typer.Option("-l", "--language", help="ISO 639-3 code(s).")
    ] = None,
    domain: Annotated[list[str] | None, typer.Option("--domain", help="Domain(s).")] = None,
    modality: Annotated[list[str] | None, typer.Option("--modality", help="Modality(ies).")] = None,
    benchmark: Annotated[
        str | None, typer.Option("-b", "--benchmark", help="Only this benchmark's tasks.")
    ] = None,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Include superseded tasks.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """List MTEB tasks, filtered by type, language, domain, modality or benchmark."""
    from rich.console import Console
    from rich.table import Table

    from emboard.tasks.catalog import TaskFilter

    criteria = TaskFilter(
        types=tuple(task_type or ()),
        languages=tuple(language or ()),
        domains=tuple(domain or ()),
        modalities=tuple(modality or ()),
        benchmark=benchmark,
        include_superseded=superseded,
    )
    with user_errors():
        found = with_catalog(catalog, lambda cat, _s: cat.filter_tasks(criteria))
    table = Table("Task", "Type", "Main score", "Splits", "Languages", "Domains")
    for t in found:
        langs = t.all_languages
        shown = ", ".join(langs[:4]) + (f" (+{len(langs) - 4})" if len(langs) > 4 else "")
        table.add_row(
            t.name,
            t.type,
            t.main_score,
            ", ".join(t.eval_splits),
            shown,
            ", ".join(t.domains or ()),
        )
    Console().print(table)
    typer.echo(f"{len(found)} tasks")


def benchmarks(
    name: Annotated[str | None, typer.Argument(help="Show one benchmark's tasks.")] = None,
    catalog: CatalogOption = None,
) -> None:
    """List benchmarks (name, aliases, number of tasks), or one benchmark's tasks."""
    from rich.console import Console
    from rich.table import Table

    with user_errors():
        cat = with_catalog(catalog, lambda c, _s: c)
        if name:
            bench = cat.get_benchmark(name)
            table = Table("Task", "Type", "Splits", "Subsets", title=bench.name)
            for bt in bench.tasks:
                table.add_row(
                    bt.name,
                    cat.get_task(bt.name).type,
                    ", ".join(bt.eval_splits),
                    str(len(bt.hf_subsets)),
                )
        else:
            table = Table("Benchmark", "Aliases", "Tasks")
            for b in cat.benchmarks.values():
                table.add_row(b.name, ", ".join(b.aliases), str(len(b.tasks)))
    Console().print(table)
