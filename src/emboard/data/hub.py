"""Task data from the Hugging Face Hub, at the revision the task pins (``datasets``).

``datasets`` is an optional dependency (``emboard[hub]``): local data does not need it, and where
it is installed sentence-transformers imports it, with pandas, at import time (~130 MB of a
run's memory; README, Performance).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from emboard.data.source import Part
from emboard.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.tasks.metadata import TaskMetadata

_RETRIEVAL_DEFAULT_CONFIG = {"qrels": "default"}

MISSING_DATASETS = (
    "Task data from the Hugging Face Hub needs the `datasets` package, which is not installed: "
    "pip install 'emboard[hub]' (or pass --data-dir DIR to read local files)"
)


class HubSource:
    """Reads task parts with ``datasets.load_dataset`` as MTEB does."""

    name = "hub"

    def __init__(self) -> None:
        if importlib.util.find_spec("datasets") is None:
            raise DataError(MISSING_DATASETS)
        self._configs: dict[str, list[str]] = {}
        self._tables: dict[tuple[str, str | None, str], pa.Table] = {}
        """Tables of the current dataset (memory-mapped Arrow): a fast-loading table serves every
        subset, a classification train split every evaluation split. Cleared per dataset."""

    def _config_names(self, task: TaskMetadata) -> list[str]:
        if task.dataset.path not in self._configs:
            from datasets import get_dataset_config_names

            try:
                names = get_dataset_config_names(task.dataset.path, revision=task.dataset.revision)
            except Exception as exc:  # datasets raises many kinds of errors for a missing repo
                raise DataError(
                    f"Task {task.name}: cannot list configs of {task.dataset.path}"
                    f"@{task.dataset.revision}: {exc}"
                ) from exc
            self._configs[task.dataset.path] = list(names)
        return self._configs[task.dataset.path]

    def _config(self, task: TaskMetadata, subset: str, part: Part) -> str | None:
        if part == "rows":
            return None if subset == "default" else subset
        if subset != "default":
            return f"{subset}-{part}"
        configs = self._config_names(task)
        if part == "qrels":
            return "default" if "default" in configs else "qrels"
        if part == "queries" and "query" in configs:
            return "query"
        return part

    def has_task(self, task: TaskMetadata) -> bool:
        """Every catalog task names a Hub dataset; availability shows when it is read."""
        return not task.is_aggregate

    def has_part(self, task: TaskMetadata, subset: str, part: Part, split: str) -> bool:
        """True when the dataset has the config of an optional part."""
        return self._config(task, subset, part) in self._config_names(task)

    def read(self, task: TaskMetadata, subset: str, part: Part, split: str) -> pa.Table:
        """Load one config/split and hand over its Arrow table (no row iteration)."""
        config = self._config(task, subset, part)
        ref = task.dataset
        key = (f"{ref.path}@{ref.revision}", config, split)
        if any(k[0] != key[0] for k in self._tables):
            self._tables.clear()
        if key not in self._tables:
            self._tables[key] = self._load(task, config, part, split)
        return self._tables[key]

    def _load(self, task: TaskMetadata, config: str | None, part: Part, split: str) -> pa.Table:
        from datasets import get_dataset_split_names, load_dataset

        ref = task.dataset
        try:
            if part != "rows":
                splits = get_dataset_split_names(ref.path, config, revision=ref.revision)
                if split not in splits and len(splits) == 1:
                    split = splits[0]
            ds = load_dataset(ref.path, config, split=split, revision=ref.revision)
        except Exception as exc:  # network, missing config/split, bad revision
            raise DataError(
                f"Task {task.name}: cannot load {ref.path}@{ref.revision} "
                f"(config {config}, split {split}): {exc}"
            ) from exc
        table: pa.Table = ds.data.table
        return table

    def subsets(self, task: TaskMetadata) -> list[str]:
        """Every subset of the task (the Hub dataset holds them all)."""
        return list(task.hf_subsets)

    def revision(self, task: TaskMetadata) -> str:
        """The task's pinned dataset revision."""
        return task.dataset.revision
