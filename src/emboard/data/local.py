"""Task data from a local folder laid out like ``shared/data/tasks`` (see its MANIFEST).

``ROOT/<Task>/[<subset>/]<split>.jsonl[.gz]`` for row tasks; retrieval tasks keep
``corpus.jsonl[.gz]``, ``queries.jsonl[.gz]`` and ``qrels/<split>.tsv`` (optional
``top_ranked/<split>.jsonl``, ``instruction/<split>.jsonl``, FollowIR's ``qrel_diff.jsonl``
rows ``{query-id, corpus-ids[]}``). mteb's "fast loading" tasks may instead keep one flat
``<split>.jsonl`` whose ``lang`` column names each row's subset (see ``data.transforms``). A folder named
``<Task>-<anything>`` (e.g. ``TwitterURLCorpus-test-subset``) is used for ``<Task>`` when no
exact folder exists; its results then describe those rows, not the whole task.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from emboard.data.source import Part
from emboard.data.tables import find_file, read_jsonl, read_tsv
from emboard.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.tasks.metadata import TaskMetadata

logger = logging.getLogger(__name__)


class LocalSource:
    """Reads task parts from files under one root folder."""

    name = "local"

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise DataError(f"Data directory not found: {root}")
        self.root = root

    def task_dir(self, task: TaskMetadata) -> Path | None:
        """The folder holding a task's data, or None."""
        exact = self.root / task.name
        if exact.is_dir():
            return exact
        partial = sorted(self.root.glob(f"{task.name}-*"))
        partial = [p for p in partial if p.is_dir()]
        if len(partial) == 1:
            logger.warning("Using %s for task %s (a part of its data)", partial[0], task.name)
            return partial[0]
        return None

    def has_task(self, task: TaskMetadata) -> bool:
        """True when the root holds a folder for the task."""
        return self.task_dir(task) is not None

    def _folder(self, task: TaskMetadata, subset: str) -> Path:
        base = self.task_dir(task)
        if base is None:
            raise DataError(f"No data for task {task.name} under {self.root}")
        nested = base / subset
        return nested if nested.is_dir() else base

    def _path(self, task: TaskMetadata, subset: str, part: Part, split: str) -> Path | None:
        folder = self._folder(task, subset)
        if part == "rows":
            return find_file(folder, split)
        if part == "qrels":
            return find_file(folder / "qrels", split, (".tsv", ".jsonl", ".jsonl.gz"))
        if part in ("top_ranked", "instruction"):
            return find_file(folder / part, split)
        return find_file(folder, part)

    def has_part(self, task: TaskMetadata, subset: str, part: Part, split: str) -> bool:
        """True when the file of a part exists."""
        return self._path(task, subset, part, split) is not None

    def read(self, task: TaskMetadata, subset: str, part: Part, split: str) -> pa.Table:
        """Read one part; a missing file raises naming the folder and what was looked for."""
        path = self._path(task, subset, part, split)
        if path is None:
            what = split if part == "rows" else f"{part} ({split})"
            raise DataError(
                f"Task {task.name}, subset {subset}: no file for {what} in "
                f"{self._folder(task, subset)}"
            )
        return read_tsv(path) if path.suffix == ".tsv" else read_jsonl(path)

    def subsets(self, task: TaskMetadata) -> list[str]:
        """Subsets with a folder of their own; all subsets when the task folder is flat."""
        base = self.task_dir(task)
        if base is None or not any((base / s).is_dir() for s in task.hf_subsets):
            return list(task.hf_subsets)
        present = [s for s in task.hf_subsets if (base / s).is_dir()]
        missing = [s for s in task.hf_subsets if s not in present]
        if missing:
            logger.warning(
                "%s: no local data for subsets %s; evaluating %s",
                task.name,
                ", ".join(missing),
                ", ".join(present),
            )
        return present

    def revision(self, task: TaskMetadata) -> str:
        """Local rows are recorded under the task's pinned dataset revision."""
        return task.dataset.revision
