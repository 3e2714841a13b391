"""The corrected catalog's benchmarks use exactly the splits and subsets mteb's benchmarks use."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.oracle


def test_every_benchmark_task_matches_mteb(catalog) -> None:  # type: ignore[no-untyped-def]
    import mteb

    mismatches = []
    for name, bench in catalog.benchmarks.items():
        ours = {t.name: t for t in bench.tasks}
        for task in mteb.get_benchmark(name).tasks:
            mine = ours[task.metadata.name]
            if mine.eval_splits != list(task.eval_splits) or sorted(mine.hf_subsets) != sorted(
                task.hf_subsets
            ):
                mismatches.append((name, task.metadata.name))
    assert not mismatches
    assert catalog.get_benchmark("MTEB(eng, v2)").tasks  # and the catalog still loads
