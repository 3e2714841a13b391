"""Names from URLs → catalog entries or stored models; unknown names raise 404 with matches."""

from __future__ import annotations

from functools import lru_cache

from emboard.api.errors import NotFoundError
from emboard.errors import TaskDefinitionError, unknown_name_message
from emboard.tasks.catalog import Catalog
from emboard.tasks.metadata import BenchmarkMetadata, TaskMetadata


def benchmark_or_404(catalog: Catalog, name: str) -> BenchmarkMetadata:
    """A benchmark by name or alias."""
    try:
        return catalog.get_benchmark(name)
    except TaskDefinitionError as exc:
        raise NotFoundError(str(exc)) from None


def task_or_404(catalog: Catalog, name: str) -> TaskMetadata:
    """A task by exact name."""
    task = catalog.tasks.get(name)
    if task is None:
        raise NotFoundError(unknown_name_message("task", name, catalog.tasks))
    return task


@lru_cache(maxsize=8)
def benchmarks_of_task(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Task name → the benchmarks that use it."""
    out: dict[str, list[str]] = {}
    for bench in catalog.benchmarks.values():
        for task in bench.tasks:
            out.setdefault(task.name, []).append(bench.name)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=8)
def vocabulary(catalog: Catalog) -> dict[str, frozenset[str]]:
    """The values each list filter can take: task types, domains, modalities, languages."""
    tasks = catalog.tasks.values()
    return {
        "type": frozenset(t.type for t in tasks),
        "domain": frozenset(d for t in tasks for d in t.domains or ()),
        "modality": frozenset(m for t in tasks for m in t.modalities),
        "language": frozenset(lang.split("-")[0] for t in tasks for lang in t.all_languages),
        "task": frozenset(catalog.tasks),
    }
