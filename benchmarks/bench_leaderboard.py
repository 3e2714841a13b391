"""Benchmark of the leaderboard engine on a filled store (read-only: the store is not migrated).

Per benchmark: the store read (``leaderboard_columns``), the selection (``prepare_benchmark``:
validation, null padding, revision choice), the cold build (``build_leaderboard`` from the
store's columns, selection included) and rebuilds under filters from the prepared benchmark (what
``Board.leaderboard`` does for a new filter). Times are the best of ``--repeat`` runs, in ms.
The peer (mteb's table building) is timed by ``bench_store.py``; this prints emboard's only.
Columns: best and median wall time, best CPU time of the process (what an idle core shows when
the machine is shared). JSON to ``benchmarks/out/bench_leaderboard.json``.

    python benchmarks/bench_leaderboard.py --db /tmp/full.db
    python benchmarks/bench_leaderboard.py --db /tmp/full.db --benchmark "MTEB(eng, v2)" --repeat 9
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO.parent / "shared" / "data" / "mteb-catalog.json.gz"
BENCHMARKS = ("MTEB(eng, v2)", "MTEB(eng, v1)", "MTEB(Multilingual, v2)")
FILTERS: dict[str, dict[str, Any]] = {
    "task type Retrieval": {"task_types": ("Retrieval",)},
    "languages eng+fra": {"languages": ("eng", "fra")},
    "max 500M parameters": {"max_parameters": 500_000_000},
    "zero-shot only": {"zero_shot": "only_zero_shot"},
    "open weights, known training": {"open_weights": True, "zero_shot": "remove_unknown"},
    "name contains e5": {"name_contains": "e5"},
}


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float, float]:
    """(best, median) wall time and best CPU time of this process, in ms (on a shared machine
    the CPU time is the figure an idle core would show). The cyclic GC is paused, as
    ``Board`` pauses it around a build."""
    from emboard.leaderboard.entries import gc_paused

    times, cpu = [], []
    for _ in range(repeat):
        with gc_paused():
            started, started_cpu = time.perf_counter(), time.process_time()
            work()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return min(times), statistics.median(times), min(cpu)


def bench_one(conn: Any, catalog: Any, name: str, repeat: int) -> dict[str, Any]:
    """Time one benchmark's works; print a line per work."""
    from emboard.leaderboard.engine import build_leaderboard, prepare_benchmark
    from emboard.leaderboard.filters import LeaderboardFilter
    from emboard.leaderboard.training import TrainingData
    from emboard.store.queries import leaderboard_columns

    tasks, models = catalog.tasks, catalog.models
    training = TrainingData(tasks, models)
    bench = catalog.get_benchmark(name)
    names = [t.name for t in bench.tasks]
    names += [p for n in list(names) for p in tasks[n].aggregated_tasks or ()]
    columns = leaderboard_columns(conn, names)
    prepared = prepare_benchmark(columns, bench, tasks, models, training=training)
    full = prepared.leaderboard()  # also warms the training-data cache, as a server has it
    works: list[tuple[str, Callable[[], object]]] = [
        ("store read (leaderboard_columns)", partial(leaderboard_columns, conn, names)),
        (
            "prepare (selection)",
            lambda: prepare_benchmark(columns, bench, tasks, models, training=training),
        ),
        (
            "cold build (columns → tables)",
            lambda: build_leaderboard(columns, bench, tasks, models, training=training),
        ),
        ("full, prepared", prepared.leaderboard),
    ]
    works += [
        (f"filter: {label}", partial(prepared.leaderboard, LeaderboardFilter(**kwargs)))
        for label, kwargs in FILTERS.items()
    ]
    print(
        f"{name:24s} | {len(columns)} stored entries, {len(prepared.entries)} table entries, "
        f"{len(full.summary.rows)} models shown"
    )
    line: dict[str, Any] = {"benchmark": name, "stored entries": len(columns)}
    line["entries"], line["models shown"] = len(prepared.entries), len(full.summary.rows)
    for label, work in works:
        best, median, cpu = best_of(repeat, work)
        print(f"{name:24s} | {label:36s} | {best:9.1f} | {median:9.1f} | {cpu:9.1f}")
        line[label] = {"best_ms": best, "median_ms": median, "cpu_ms": cpu}
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a filled SQLite store file")
    parser.add_argument("--benchmark", action="append", help="repeatable; default: three")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    args = parser.parse_args()

    from sqlalchemy import create_engine

    from emboard.tasks.catalog import read_catalog_file

    catalog = read_catalog_file(args.catalog)
    engine = create_engine(f"sqlite:///file:{args.db.resolve()}?mode=ro&uri=true")
    print(
        f"{'benchmark':24s} | {'work':36s} | {'best ms':>9s} | {'median ms':>9s} | {'cpu ms':>9s}"
    )
    results = []
    for name in args.benchmark or BENCHMARKS:
        with engine.connect() as conn:
            results.append(bench_one(conn, catalog, name, args.repeat))
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_leaderboard.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
