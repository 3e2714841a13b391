"""Known errors of exported catalogs, corrected on read (data in ``catalog_corrections.json``).

Catalog exports of mteb 2.26.24 list the full split list for some benchmark tasks where mteb's
benchmark evaluates one split only (e.g. MTOPDomainClassification in MTEB(eng, v2): test only).
A correction applies only while the entry still holds the exported (wrong) value, so a fixed or
different catalog is left alone.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from emboard.tasks.metadata import BenchmarkMetadata

CORRECTIONS_FILE = Path(__file__).with_name("catalog_corrections.json")


@cache
def _corrections() -> dict[str, dict[str, dict[str, Any]]]:
    data = json.loads(CORRECTIONS_FILE.read_text(encoding="utf-8"))
    benches: dict[str, dict[str, dict[str, Any]]] = data["benchmarks"]
    return benches


def correct_benchmark(bench: BenchmarkMetadata) -> BenchmarkMetadata:
    """``bench`` with its task splits corrected where a known export error is present."""
    fixes = _corrections().get(bench.name)
    if not fixes:
        return bench
    tasks = []
    for task in bench.tasks:
        fix = fixes.get(task.name)
        if fix is not None and task.eval_splits == fix["exported"]:
            tasks.append(task.model_copy(update={"eval_splits": list(fix["eval_splits"])}))
        else:
            tasks.append(task)
    return bench.model_copy(update={"tasks": tasks})
