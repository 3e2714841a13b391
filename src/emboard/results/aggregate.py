"""Aggregate tasks (e.g. CQADupstackRetrieval): a task score combined from other tasks' results.

As MTEB computes it: per split, the plain mean of the sub-tasks' task scores on that split;
None when any sub-task result is missing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from emboard.results.schema import TaskResult


def combine(
    *,
    task_name: str,
    main_score_key: str,
    dataset_revision: str,
    splits: Sequence[str],
    languages: list[str],
    parts: Sequence[str],
    results: Mapping[str, TaskResult],
    mteb_version: str | None,
) -> TaskResult:
    """The aggregate task's result from its parts' results (``results`` keyed by task name)."""
    missing = [name for name in parts if name not in results]
    scores: dict[str, list[dict[str, Any]]] = {}
    for split in splits:
        value: float | None = None
        if not missing:
            values = [results[name].main_score(splits=[split]) for name in parts]
            value = math.fsum(values) / len(values)
        scores[split] = [
            {
                main_score_key: value,
                "main_score": value,
                "hf_subset": "default",
                "languages": languages,
            }
        ]
    times = [results[n].evaluation_time for n in parts if n in results]
    total = sum(t for t in times if t) if not missing and all(times) else None
    return TaskResult(
        dataset_revision=dataset_revision,
        task_name=task_name,
        mteb_version=mteb_version,
        scores=scores,
        evaluation_time=total,
        date=time.time(),
    )
