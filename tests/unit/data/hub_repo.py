"""A Hugging Face dataset repo on disk (parquet files + README configs), read by
``datasets.load_dataset`` offline exactly as a Hub repo is: for emboard's HubSource and for
mteb's own loaders (a task whose ``metadata.dataset.path`` points at the folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

Rows = dict[str, list[Any]]
"""Columns of one split."""


def write_repo(root: Path, configs: dict[str, dict[str, Any]]) -> Path:
    """``configs``: config name → split name → ``Dataset`` (or columns dict); returns the repo."""
    from datasets import Dataset

    root.mkdir(parents=True, exist_ok=True)
    lines = ["---", "configs:"]
    for config, splits in configs.items():
        lines += [f"- config_name: {config}", "  data_files:"]
        for split, data in splits.items():
            ds = data if isinstance(data, Dataset) else Dataset.from_dict(data)
            rel = f"{config}/{split}.parquet"
            (root / config).mkdir(exist_ok=True)
            ds.to_parquet(str(root / rel))
            lines += [f"  - split: {split}", f"    path: {rel}"]
    lines.append("---")
    (root / "README.md").write_text("\n".join(lines) + "\n")
    return root


def pointed_at(task: Any, repo: Path) -> Any:
    """An emboard TaskMetadata whose dataset is the on-disk repo (same revision)."""
    from emboard.tasks.metadata import DatasetRef

    return task.model_copy(
        update={"dataset": DatasetRef(path=str(repo), revision=task.dataset.revision)}
    )


def mteb_task(name: str, repo: Path, subsets: list[str] | None = None) -> Any:
    """A fresh mteb task reading the on-disk repo, its data loaded and transformed by mteb."""
    import mteb

    task = mteb.get_task(name, hf_subsets=subsets) if subsets else mteb.get_task(name)
    dataset = {**task.metadata.dataset, "path": str(repo)}
    task.metadata = task.metadata.model_copy(update={"dataset": dataset})
    task.load_data()
    task.dataset = _flat_indices(task.dataset)
    return task


def _flat_indices(data: Any) -> Any:
    """The same rows without an indices mapping (mteb reads label columns row by row, which is
    minutes through the mapping a subsampling ``select`` leaves)."""
    from datasets import Dataset

    if isinstance(data, Dataset):
        return data.flatten_indices()
    if isinstance(data, dict):  # DatasetDict is a dict
        return type(data)({k: _flat_indices(v) for k, v in data.items()})
    return data
