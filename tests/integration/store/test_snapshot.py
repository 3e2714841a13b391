"""The whole public results snapshot through the store: counts, re-ingest, and MTEB's tables.

The trimmed archive is ingested (streamed) into a fresh SQLite store and a fresh PostgreSQL
database; the number of stored values must equal an independent count over the unpacked files,
every unreadable file must be reported, and a second ingest must add nothing. Then the
leaderboard built from the store must equal mteb 2.26.24's tables computed by mteb itself from
the same snapshot (means ≤1e-9, same Borda ranks) for MTEB(eng, v2), MTEB(eng, v1) and
MTEB(Multilingual, v2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LEADERBOARD_BENCHMARKS, RESULTS_ARCHIVE
from tests.integration.store.filecount import count_file
from tests.pg import pg_database
from tests.unit.leaderboard.oracle_helpers import compare

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

BENCHMARKS = LEADERBOARD_BENCHMARKS


def _file_facts(root: Path, catalog: Any) -> tuple[int, set[str]]:
    """(score values, unreadable task files) over the unpacked snapshot, with plain json."""
    main_keys = {name: task.main_score for name, task in catalog.tasks.items()}
    values = 0
    unreadable = set()
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root).as_posix()
        if path.name == "model_meta.json" or len(rel.split("/")) not in (3, 5):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            unreadable.add(rel)
            continue
        values += count_file(data, main_keys)
    return values, unreadable


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory, catalog: Any) -> Iterator[Any]:
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('snap') / 'store.db'}")
    report = ingest(store, RESULTS_ARCHIVE, catalog)
    yield store, report
    store.close()


def test_archive_ingest_counts_and_reingest(
    sqlite_store: Any, snapshot_results: Path, catalog: Any
) -> None:
    from emboard.store.ingest import ingest
    from emboard.store.queries import count_values

    store, report = sqlite_store
    values, unreadable = _file_facts(snapshot_results, catalog)
    with store.engine.connect() as conn:
        stored = count_values(conn)
    assert report.status == "done"
    assert stored == values == report.values_added
    bad_task_files = {p.path for p in report.problems if not p.path.endswith("model_meta.json")}
    assert unreadable <= bad_task_files
    assert report.files_new + len(bad_task_files) == report.files_seen

    again = ingest(store, RESULTS_ARCHIVE, catalog)
    assert again.status == "unchanged" and again.values_added == 0
    forced = ingest(store, RESULTS_ARCHIVE, catalog, force=True)
    assert (forced.files_new, forced.files_changed, forced.values_added) == (0, 0, 0)
    assert forced.files_unchanged == report.files_new
    with store.engine.connect() as conn:
        assert count_values(conn) == stored


@pytest.mark.parametrize("name", BENCHMARKS)
def test_store_leaderboard_equals_mteb(
    name: str, sqlite_store: Any, mteb_snapshot: dict[str, Any], catalog: Any
) -> None:
    from emboard.board import Board

    store, _ = sqlite_store
    bench = mteb_snapshot["benches"][name]
    frame = mteb_snapshot["results"]._to_results_df(bench.tasks)
    summary = bench._create_summary_table(frame).df
    per_task = bench._create_per_task_table(frame)

    board = Board(store, catalog, registered_only=True).leaderboard(name)
    n, worst, problems = compare(summary.to_dicts(), board.summary, summary.columns)
    print(f"{name}: {n} models, max diff {worst:.1e}")
    assert not problems, problems[:20]
    assert n == summary.height
    _, _, problems = compare(per_task.to_dicts(), board.per_task, per_task.columns)
    assert not problems, problems[:20]


def test_postgresql_holds_the_same(catalog: Any, sqlite_store: Any) -> None:
    from emboard.board import Board
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest
    from emboard.store.queries import count_values

    lite, lite_report = sqlite_store
    for url in pg_database():
        store = open_store(url)
        try:
            report = ingest(store, RESULTS_ARCHIVE, catalog)
            assert report.values_added == lite_report.values_added
            assert {p.path for p in report.problems} == {p.path for p in lite_report.problems}
            with store.engine.connect() as conn, lite.engine.connect() as lconn:
                assert count_values(conn) == count_values(lconn)
            assert ingest(store, RESULTS_ARCHIVE, catalog).status == "unchanged"
            pg = Board(store, catalog).leaderboard("MTEB(eng, v2)").summary.to_records()
            sq = Board(lite, catalog).leaderboard("MTEB(eng, v2)").summary.to_records()
            assert len(pg) == len(sq)
            by_model = {r["Model"]: r for r in sq}
            for rec in pg:
                other = by_model[rec["Model"]]
                assert rec["Rank (Borda)"] == other["Rank (Borda)"]
                for key in ("Mean (Task)", "Mean (TaskType)"):
                    if rec[key] is None:
                        assert other[key] is None
                    else:
                        assert rec[key] == pytest.approx(other[key], abs=1e-12)
        finally:
            store.close()
