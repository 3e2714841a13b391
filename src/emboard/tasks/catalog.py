"""The catalog of MTEB tasks, benchmarks and registered models.

It is data, not code: a JSON file in the format of MTEB's exported catalog
(``{"source", "tasks", "benchmarks", "models"}``, optionally gzipped). Where it comes from, in
order: an explicit path, ``EMBOARD_CATALOG``, the copy cached in ``EMBOARD_CACHE_DIR``, or an
export from the installed ``mteb`` package (cached for next time).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from emboard.errors import TaskDefinitionError, unknown_name_message
from emboard.settings import Settings
from emboard.tasks.metadata import BenchmarkMetadata, ModelMeta, TaskMetadata

logger = logging.getLogger(__name__)

_Meta = TypeVar("_Meta", TaskMetadata, BenchmarkMetadata, ModelMeta)

CACHED_CATALOG_NAME = "mteb-catalog.json.gz"


@dataclass(frozen=True)
class TaskFilter:
    """Criteria for listing tasks; empty fields match everything."""

    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    benchmark: str | None = None
    include_superseded: bool = False

    def matches(self, task: TaskMetadata) -> bool:
        """True when ``task`` meets every criterion that is set."""
        if self.types and task.type not in self.types:
            return False
        if self.languages:
            codes = {lang.split("-")[0] for lang in task.all_languages}
            if not codes & {lang.split("-")[0] for lang in self.languages}:
                return False
        if self.domains and not set(task.domains or ()) & set(self.domains):
            return False
        if self.modalities and not set(task.modalities) & set(self.modalities):
            return False
        return self.include_superseded or task.superseded_by is None


class Catalog:
    """Tasks, benchmarks and models by name, validated on first use."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self._raw = raw
        self.source = source

    @cached_property
    def tasks(self) -> dict[str, TaskMetadata]:
        """Every task by name."""
        return {t.name: t for t in self._validate(TaskMetadata, "tasks")}

    @cached_property
    def benchmarks(self) -> dict[str, BenchmarkMetadata]:
        """Every benchmark by name (with the known export corrections applied)."""
        from emboard.tasks.corrections import correct_benchmark

        return {
            b.name: correct_benchmark(b) for b in self._validate(BenchmarkMetadata, "benchmarks")
        }

    @cached_property
    def models(self) -> dict[str, ModelMeta]:
        """Every registered model by name."""
        return {m.name: m for m in self._validate(ModelMeta, "models")}

    def _validate(self, cls: type[_Meta], key: str) -> list[_Meta]:
        """Validate one section; its parsed JSON is dropped once validated (it is the bulk of
        the catalog's memory and nothing reads it again)."""
        out = []
        for i, item in enumerate(self._raw.get(key, [])):
            try:
                out.append(cls.model_validate(item))
            except ValidationError as exc:
                name = item.get("name", f"#{i}") if isinstance(item, dict) else f"#{i}"
                raise TaskDefinitionError(
                    f"{self.source}: {key}[{i}] ({name}) is malformed: {exc}"
                ) from exc
        self._raw.pop(key, None)
        return out

    def get_task(self, name: str) -> TaskMetadata:
        """One task by exact name; an unknown name raises with close matches."""
        try:
            return self.tasks[name]
        except KeyError:
            raise TaskDefinitionError(unknown_name_message("task", name, self.tasks)) from None

    def get_benchmark(self, name: str) -> BenchmarkMetadata:
        """One benchmark by name or alias; an unknown name raises with close matches."""
        if name in self.benchmarks:
            return self.benchmarks[name]
        for bench in self.benchmarks.values():
            if name in bench.aliases:
                return bench
        names = list(self.benchmarks) + [a for b in self.benchmarks.values() for a in b.aliases]
        raise TaskDefinitionError(unknown_name_message("benchmark", name, names))

    def benchmark_tasks(self, name: str) -> list[TaskMetadata]:
        """The tasks of a benchmark, narrowed to the splits and subsets it uses."""
        bench = self.get_benchmark(name)
        return [
            self.get_task(bt.name).model_copy(
                update={"eval_splits": bt.eval_splits, "hf_subsets": bt.hf_subsets}
            )
            for bt in bench.tasks
        ]

    def filter_tasks(self, criteria: TaskFilter) -> list[TaskMetadata]:
        """Tasks meeting ``criteria``, in catalog order."""
        pool: Iterable[TaskMetadata] = self.tasks.values()
        if criteria.benchmark:
            pool = self.benchmark_tasks(criteria.benchmark)
            criteria = TaskFilter(**{**criteria.__dict__, "include_superseded": True})
        return [t for t in pool if criteria.matches(t)]

    def get_model(self, name: str) -> ModelMeta | None:
        """A registered model's metadata, or None for an unregistered model."""
        return self.models.get(name)


def read_catalog_file(path: Path) -> Catalog:
    """Read a catalog JSON file (gzipped when its name ends in ``.gz``)."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
    except FileNotFoundError:
        raise TaskDefinitionError(f"Catalog file not found: {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise TaskDefinitionError(f"Catalog file {path} cannot be read: {exc}") from exc
    if not isinstance(raw, dict) or "tasks" not in raw:
        raise TaskDefinitionError(f"Catalog file {path}: expected an object with a 'tasks' list")
    return Catalog(raw, source=str(path))


_loaded: dict[Path, Catalog] = {}


def load_catalog(settings: Settings, path: Path | None = None, *, keep: bool = True) -> Catalog:
    """The catalog for these settings, read once per process and path.

    ``keep=False`` reads it without keeping it for later calls (an evaluation run needs it only
    to plan, and the whole catalog is ~70 MB of Python objects).
    """
    cached = settings.cache_dir / CACHED_CATALOG_NAME
    chosen = path or settings.catalog
    if chosen is None and cached.exists():
        chosen = cached
    if chosen is None:
        from emboard.tasks.mteb_export import export_catalog

        logger.info("No catalog file configured; exporting one from the installed mteb package")
        export_catalog(cached)
        chosen = cached
    chosen = chosen.resolve()
    if chosen in _loaded:
        return _loaded[chosen]
    catalog = read_catalog_file(chosen)
    if keep:
        _loaded[chosen] = catalog
    return catalog
