"""Print the catalog corrections: benchmark task splits where a catalog file differs from mteb.

Usage: .venv/bin/python tools/catalog_corrections.py CATALOG.json.gz > src/emboard/tasks/catalog_corrections.json
(needs the installed mteb, the oracle).
"""

from __future__ import annotations

import gzip
import json
import sys

import mteb


def main(path: str) -> None:
    """Write the corrections JSON to stdout."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        catalog = json.load(fh)
    out: dict[str, object] = {
        "note": (
            "Benchmark task splits that catalog exports of mteb 2.26.24 lose: mteb builds these "
            "benchmarks with get_tasks(eval_splits=[...]), the export wrote the tasks' full split "
            "lists. Applied only where a catalog entry still holds the wrong value. Regenerate "
            "with tools/catalog_corrections.py."
        ),
        "source": f"mteb {mteb.__version__}",
        "benchmarks": {},
    }
    fixes: dict[str, dict[str, object]] = {}
    for entry in catalog["benchmarks"]:
        bench = mteb.get_benchmark(entry["name"])
        exported = {t["name"]: t for t in entry["tasks"]}
        for task in bench.tasks:
            was = exported[task.metadata.name]["eval_splits"]
            if list(task.eval_splits) != was:
                fixes.setdefault(entry["name"], {})[task.metadata.name] = {
                    "eval_splits": list(task.eval_splits),
                    "exported": was,
                }
    out["benchmarks"] = fixes
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
