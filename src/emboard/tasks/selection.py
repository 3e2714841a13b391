"""Choosing the tasks of a run: names, benchmarks, task files, or whatever a data folder holds."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from emboard.errors import TaskDefinitionError
from emboard.tasks.catalog import Catalog
from emboard.tasks.metadata import TaskMetadata

logger = logging.getLogger(__name__)

TASK_FILE_SUFFIXES = (".json", ".yaml", ".yml")


def read_task_file(path: Path) -> TaskMetadata:
    """A custom task defined in a JSON or YAML file with the catalog's task fields."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            raw = json.loads(text)
        else:
            import yaml

            raw = yaml.safe_load(text)
        return TaskMetadata.model_validate(raw)
    except (OSError, ValueError) as exc:
        raise TaskDefinitionError(f"Task file {path}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise TaskDefinitionError(f"Task file {path}: field {field}: {first['msg']}") from exc


def task_names_in_folder(root: Path, catalog: Catalog) -> list[str]:
    """Catalog tasks that have a folder under ``root`` (``<Task>`` or ``<Task>-<part>``)."""
    names = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        name = folder.name
        while name not in catalog.tasks and "-" in name:
            name = name.rsplit("-", 1)[0]
        if name in catalog.tasks:
            names.append(name)
        else:
            logger.warning("Folder %s matches no catalog task; skipped", folder)
    return list(dict.fromkeys(names))


def select_tasks(
    catalog: Catalog,
    tasks: Sequence[str | TaskMetadata] = (),
    benchmarks: Sequence[str] = (),
) -> list[TaskMetadata]:
    """Task metadata for names, task files and objects, plus every task of the benchmarks."""
    chosen: list[TaskMetadata] = []
    for bench in benchmarks:
        chosen += catalog.benchmark_tasks(bench)
    for item in tasks:
        if isinstance(item, TaskMetadata):
            chosen.append(item)
        elif item.endswith(TASK_FILE_SUFFIXES) and Path(item).is_file():
            chosen.append(read_task_file(Path(item)))
        else:
            chosen.append(catalog.get_task(item))
    unique: dict[str, TaskMetadata] = {}
    for task in chosen:
        unique.setdefault(task.name, task)
    return list(unique.values())
