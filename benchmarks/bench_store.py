"""Benchmark: the results store and leaderboard against mteb 2.26.24's loader, in one run.

Every measured step runs in its own process (so peak RSS is per step and nothing is warm that
should be cold). On the public results snapshot (the trimmed archive):

* mteb: ``ResultCache.load_results`` as its leaderboard loads (main scores only), then the
  MTEB(eng, v2) summary table (``_to_results_df`` + ``_create_summary_table``) cold and warm;
* emboard, on SQLite and on PostgreSQL: cold ingest of the archive (streamed), re-ingest of the
  unchanged archive, a forced full re-read, and the MTEB(eng, v2) summary cold (a new process,
  built from the store's rows) and warm, plus a filtered table (task type) cold.

"Cold" is timed in the process after imports, catalog load and store open (timed apart); each
store gets ``--runs`` such processes (best and median), plus as many processes timed whole from
the parent (interpreter start to the first table). Prints ``work | mteb | emboard-sqlite |
emboard-postgresql`` and the targets; writes JSON to benchmarks/out/bench_store.json.

    python benchmarks/bench_store.py [--skip-mteb] [--skip-postgresql] [--runs 5]
    python benchmarks/bench_store.py --store sqlite:////tmp/full.db   # tables only, filled store
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EMBOARD_SHARED", REPO.parent / "shared")).resolve()
ARCHIVE = SHARED / "data" / "mteb-results" / "results-trimmed.tar.zst"
CATALOG = SHARED / "data" / "mteb-catalog.json.gz"
PG_ADMIN = os.environ.get("EMBOARD_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BENCH = "MTEB(eng, v2)"
TARGETS = {
    "cold ingest (s)": 30.0,
    "re-ingest unchanged (s)": 3.0,
    "summary cold (ms)": 200.0,
    "summary warm (ms)": 10.0,
    "peak RSS (MB)": 1024.0,
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _catalog() -> Any:
    from emboard.tasks.catalog import read_catalog_file

    return read_catalog_file(CATALOG)


def side_mteb(results_dir: str) -> dict[str, Any]:
    """mteb's leaderboard load and its MTEB(eng, v2) summary table."""
    import mteb
    from mteb.cache import ResultCache

    models = [m.name for m in mteb.get_model_metas() if m.name]
    start = time.perf_counter()
    results = ResultCache(results_dir).load_results(
        models=models,
        only_main_score=True,
        require_model_meta=False,
        include_remote=False,
        load_experiments="match_name",
    )
    load_s = time.perf_counter() - start
    bench = mteb.get_benchmark(BENCH)
    times = []
    for _ in range(6):
        start = time.perf_counter()
        frame = results._to_results_df(bench.tasks)
        bench._create_summary_table(frame)
        times.append(time.perf_counter() - start)
    return {
        "load (s)": load_s,
        "summary cold (ms)": times[0] * 1000,
        "summary warm (ms)": statistics.median(times[1:]) * 1000,
        "peak RSS (MB)": _rss_mb(),
    }


def side_ingest(url: str, force: bool) -> dict[str, Any]:
    """One ingest of the archive into the store at ``url``."""
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest

    catalog = _catalog()
    catalog.tasks, catalog.benchmarks, catalog.models  # noqa: B018 (loaded before timing)
    store = open_store(url)
    start = time.perf_counter()
    report = ingest(store, ARCHIVE, catalog, force=force)
    seconds = time.perf_counter() - start
    store.close()
    return {
        "seconds": seconds,
        "status": report.status,
        "files_new": report.files_new,
        "files_unchanged": report.files_unchanged,
        "values_added": report.values_added,
        "problems": len(report.problems),
        "peak RSS (MB)": _rss_mb(),
    }


def side_summary(url: str) -> dict[str, Any]:
    """The MTEB(eng, v2) summary from the store: cold (first build), warm, filtered cold.

    "Cold" is the first table of a new process, built from the store's rows: the code is
    imported, the catalog loaded and the store opened (each timed apart), nothing of the
    benchmark read or cached (``persist=False``: not from the store's board cache either).
    """
    started = time.perf_counter()
    import numpy  # noqa: F401
    import sqlalchemy  # noqa: F401

    import emboard.leaderboard.engine  # code loaded (as in a running server); data not cached
    import emboard.store.queries  # noqa: F401
    from emboard.board import Board
    from emboard.leaderboard.filter_args import parse_filters
    from emboard.store.db import open_store

    imported = time.perf_counter()
    catalog = _catalog()
    catalog.tasks, catalog.benchmarks, catalog.models  # noqa: B018
    loaded = time.perf_counter()
    store = open_store(url)
    opened = time.perf_counter()
    board = Board(store, catalog, persist=False)
    start, start_cpu = time.perf_counter(), time.process_time()
    board.leaderboard(BENCH)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    warm = []
    for _ in range(50):
        start = time.perf_counter()
        board.leaderboard(BENCH)
        warm.append(time.perf_counter() - start)
    start = time.perf_counter()
    board.leaderboard(BENCH, parse_filters(["type=Retrieval,STS"]))
    filtered = time.perf_counter() - start
    persisted = Board(store, catalog)
    persisted.leaderboard(BENCH)  # fills the store's board cache
    fresh = Board(store, catalog)
    start = time.perf_counter()
    fresh.leaderboard(BENCH)
    from_cache = time.perf_counter() - start
    store.close()
    return {
        "imports (ms)": (imported - started) * 1000,
        "catalog load (ms)": (loaded - imported) * 1000,
        "store open (ms)": (opened - loaded) * 1000,
        "summary cold (ms)": cold * 1000,
        "summary cold, CPU (ms)": cold_cpu * 1000,
        "summary warm (ms)": statistics.median(warm) * 1000,
        "filtered cold (ms)": filtered * 1000,
        "summary cold, store-cached (ms)": from_cache * 1000,
        "peak RSS (MB)": _rss_mb(),
    }


def side_first_table(url: str) -> dict[str, Any]:
    """A new process's first MTEB(eng, v2) table from the store's rows and nothing more (the
    parent times the whole process: interpreter, imports, catalog, store, table)."""
    from emboard.board import Board
    from emboard.store.db import open_store

    store = open_store(url)
    Board(store, _catalog(), persist=False).leaderboard(BENCH)
    store.close()
    return {}


def _summaries(url: str, runs: int) -> dict[str, Any]:
    """``runs`` summary processes (and as many first-table processes): medians, and the cold
    build's best and median (the machine may be shared)."""
    sides = [_run("--side", "summary", "--db", url) for _ in range(runs)]
    out = {key: statistics.median(side[key] for side in sides) for key in sides[0]}
    colds = [side["summary cold (ms)"] for side in sides]
    out["summary cold (ms)"] = f"{min(colds):.0f} best, {statistics.median(colds):.0f} median"
    whole = []
    for _ in range(runs):
        start = time.perf_counter()
        _run("--side", "first-table", "--db", url)
        whole.append((time.perf_counter() - start) * 1000)
    out["new process to first table (ms)"] = (
        f"{min(whole):.0f} best, {statistics.median(whole):.0f} median"
    )
    return out


def _run(*args: str) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMBOARD_CATALOG": str(CATALOG)}
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _pg_database() -> tuple[str, Any]:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"emboard_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", drop


def _emboard(url: str, runs: int) -> dict[str, Any]:
    cold = _run("--side", "ingest", "--db", url)
    again = _run("--side", "ingest", "--db", url)
    forced = _run("--side", "ingest", "--db", url, "--force")
    summary = _summaries(url, runs)
    return {
        "cold ingest (s)": cold["seconds"],
        "values stored": cold["values_added"],
        "re-ingest unchanged (s)": again["seconds"],
        "re-read forced (s)": forced["seconds"],
        **{k: v for k, v in summary.items() if k != "peak RSS (MB)"},
        "peak RSS (MB)": max(
            cold["peak RSS (MB)"], forced["peak RSS (MB)"], summary["peak RSS (MB)"]
        ),
    }


def _print(table: dict[str, dict[str, Any]]) -> None:
    sides = list(table)
    keys = list(dict.fromkeys(k for side in table.values() for k in side))
    print(f"{'work':34} | " + " | ".join(f"{s:>18}" for s in sides) + " | target")
    for key in keys:
        cells = []
        for side in sides:
            value = table[side].get(key)
            cells.append(f"{value:>18.1f}" if isinstance(value, float) else f"{value!s:>18}")
        target = TARGETS.get(key)
        print(f"{key:34} | " + " | ".join(cells) + f" | {'≤' + str(target) if target else ''}")


SIDES = {
    "ingest": lambda args: side_ingest(args.db, args.force),
    "summary": lambda args: side_summary(args.db),
    "first-table": lambda args: side_first_table(args.db),
    "mteb": lambda args: side_mteb(args.results),
}


def _full(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """mteb's side, then ingest and tables on a fresh SQLite file and PostgreSQL database."""
    table: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_mteb:
            subprocess.run(["tar", "--zstd", "-xf", str(ARCHIVE), "-C", tmp], check=True)
            mteb = _run("--side", "mteb", "--results", tmp)
            table["mteb 2.26.24"] = {
                "cold ingest (s)": mteb["load (s)"],
                "summary cold (ms)": mteb["summary cold (ms)"],
                "summary warm (ms)": mteb["summary warm (ms)"],
                "peak RSS (MB)": mteb["peak RSS (MB)"],
            }
        table["emboard sqlite"] = _emboard(f"sqlite:///{Path(tmp) / 'bench.db'}", args.runs)
    if not args.skip_postgresql:
        url, drop = _pg_database()
        try:
            table["emboard postgresql"] = _emboard(url, args.runs)
        finally:
            drop()
    return table


def main() -> None:
    """Run every side and print the comparison."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=list(SIDES))
    parser.add_argument("--db")
    parser.add_argument("--results")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--skip-mteb", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="cold-table processes per store")
    parser.add_argument(
        "--store", action="append", help="only the tables, on this filled store (repeatable)"
    )
    args = parser.parse_args()
    if args.side:
        print(json.dumps(SIDES[args.side](args)))
        return
    if args.store:
        table = {url.split("://")[0]: _summaries(url, args.runs) for url in args.store}
    else:
        print("mteb's 'cold ingest' is its load_results of the snapshot (main scores only).")
        table = _full(args)
    _print(table)
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    name = "bench_store_tables.json" if args.store else "bench_store.json"
    (out / name).write_text(json.dumps(table, indent=2) + "\n")


if __name__ == "__main__":
    main()
