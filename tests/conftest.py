"""Shared fixtures: paths to ../shared, the catalog, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EMBOARD_SHARED", REPO.parent / "shared")).resolve()
TASKS_DIR = SHARED / "data" / "tasks"
CATALOG_FILE = SHARED / "data" / "mteb-catalog.json.gz"
POTION = SHARED / "models" / "potion-base-2M"
POTION_NAME = "minishlab/potion-base-2M"
POTION_REVISION = "389b9f64be5aa4ae7a6bc6fe95ef20ce485ae5da"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("EMBOARD_CATALOG", str(CATALOG_FILE))


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    from emboard.tasks.catalog import read_catalog_file

    if not CATALOG_FILE.exists():
        pytest.fail(f"shared catalog missing: {CATALOG_FILE}")
    return read_catalog_file(CATALOG_FILE)


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from emboard.settings import Settings

    return Settings(catalog=CATALOG_FILE, cache_dir=tmp_path / "cache", data_dir=TASKS_DIR)


RESULTS_ARCHIVE = SHARED / "data" / "mteb-results" / "results-trimmed.tar.zst"
FULL_13_ARCHIVE = SHARED / "data" / "mteb-results" / "results-full-13-models.tar.zst"
SNAPSHOT_CACHE = Path(
    os.environ.get("EMBOARD_TEST_SNAPSHOT_DIR", Path.home() / ".cache" / "emboard-tests")
)


def _unpacked(archive: Path) -> Path:
    """``archive`` unpacked once per machine (keyed by size and mtime); returns its ``results``."""
    import subprocess

    if not archive.exists():
        pytest.fail(f"shared results archive missing: {archive}")
    stat = archive.stat()
    target = SNAPSHOT_CACHE / f"{archive.name}-{stat.st_size}-{int(stat.st_mtime)}"
    done = target / ".complete"
    if not done.exists():
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run(["tar", "--zstd", "-xf", str(archive), "-C", str(target)], check=True)
        done.touch()
    return target / "results"


@pytest.fixture(scope="session")
def snapshot_results() -> Path:
    """The public MTEB results snapshot (trimmed archive), unpacked: ``…/results``."""
    return _unpacked(RESULTS_ARCHIVE)


@pytest.fixture(scope="session")
def full_13_results() -> Path:
    """The untouched files of 13 models, unpacked: ``…/results``."""
    return _unpacked(FULL_13_ARCHIVE)


LEADERBOARD_BENCHMARKS = ("MTEB(eng, v2)", "MTEB(eng, v1)", "MTEB(Multilingual, v2)")


@pytest.fixture(scope="session")
def mteb_snapshot(snapshot_results: Path) -> dict[str, object]:
    """mteb's own load of the snapshot, as its leaderboard rebuild loads it (main scores only,
    every registered model, experiments matched by name), for the three leaderboard benchmarks:
    ``{"benches": {name: mteb Benchmark}, "results": BenchmarkResults}``."""
    import mteb
    from mteb.cache import ResultCache

    benches = {name: mteb.get_benchmark(name) for name in LEADERBOARD_BENCHMARKS}
    task_names = sorted({t.metadata.name for b in benches.values() for t in b.tasks})
    task_names.append("DiaBLaBitextMining")  # files of that name hold DiaBlaBitextMining
    models = [m.name for m in mteb.get_model_metas() if m.name]
    results = ResultCache(snapshot_results.parent).load_results(
        models=models,
        tasks=task_names,
        only_main_score=True,
        require_model_meta=False,
        include_remote=False,
        load_experiments="match_name",
    )
    return {"benches": benches, "results": results}
