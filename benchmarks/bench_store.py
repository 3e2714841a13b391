"""Benchmark: the results store and leaderboard against mteb 2.26.24's loader, in one run.

Every measured step runs in its own process (so peak RSS is per step and nothing is warm that
should be cold). On the public results snapshot (the trimmed archive):

* mteb: ``ResultCache.load_results`` as its leaderboard loads (main scores only), then the
  MTEB(eng, v2) summary table (``_to_results_df`` + ``_create_summary_table``) cold and warm;
* emboard, on SQLite and on PostgreSQL: cold ingest of the archive (streamed), re-ingest of the
  unchanged archive, a forced full re-read, and the MTEB(eng, v2) summary cold (a new process,
  built from the store's rows) and warm, plus a filtered table (task type) cold.

Prints ``work | mteb | emboard-sqlite | emboard-postgresql`` and the targets; writes JSON to
benchmarks/out/bench_store.json.

    python benchmarks/bench_store.py [--skip-mteb] [--skip-postgresql]
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
    """The MTEB(eng, v2) summary from the store: cold (first build), warm, filtered cold."""
    import emboard.leaderboard.engine  # code loaded (as in a running server); data not cached
    import emboard.store.queries  # noqa: F401
    from emboard.board import Board
    from emboard.leaderboard.filter_args import parse_filters
    from emboard.store.db import open_store

    catalog = _catalog()
    catalog.tasks, catalog.benchmarks, catalog.models  # noqa: B018
    store = open_store(url)
    board = Board(store, catalog, persist=False)
    start = time.perf_counter()
    board.leaderboard(BENCH)
    cold = time.perf_counter() - start
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
        "summary cold (ms)": cold * 1000,
        "summary warm (ms)": statistics.median(warm) * 1000,
        "filtered cold (ms)": filtered * 1000,
        "summary cold, store-cached (ms)": from_cache * 1000,
        "peak RSS (MB)": _rss_mb(),
    }


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


def _emboard(url: str) -> dict[str, Any]:
    cold = _run("--side", "ingest", "--db", url)
    again = _run("--side", "ingest", "--db", url)
    forced = _run("--side", "ingest", "--db", url, "--force")
    summary = _run("--side", "summary", "--db", url)
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


def main() -> None:
    """Run every side and print the comparison."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["mteb", "ingest", "summary"])
    parser.add_argument("--db")
    parser.add_argument("--results")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--skip-mteb", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    if args.side == "mteb":
        print(json.dumps(side_mteb(args.results)))
        return
    if args.side == "ingest":
        print(json.dumps(side_ingest(args.db, args.force)))
        return
    if args.side == "summary":
        print(json.dumps(side_summary(args.db)))
        return
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
        table["emboard sqlite"] = _emboard(f"sqlite:///{Path(tmp) / 'bench.db'}")
    if not args.skip_postgresql:
        url, drop = _pg_database()
        try:
            table["emboard postgresql"] = _emboard(url)
        finally:
            drop()
    print("mteb's 'cold ingest' is its load_results of the unpacked snapshot (main scores only).")
    _print(table)
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_store.json").write_text(json.dumps(table, indent=2) + "\n")


if __name__ == "__main__":
    main()
