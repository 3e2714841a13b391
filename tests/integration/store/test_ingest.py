"""Ingest into SQLite and PostgreSQL: real result files, bad files, re-ingest, changes, history."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest
import zstandard

from tests.integration.store.filecount import count_folder


def _main_keys(catalog) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: task.main_score for name, task in catalog.tasks.items()}


def _task_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.json") if p.name != "model_meta.json"
    )


def _db_counts(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from emboard.store.queries import count_values

    with store.engine.connect() as conn:
        out = {
            t: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() or 0)
            for t in ("model", "revision", "result_file", "score", "history")
        }
        out["values"] = count_values(conn)
    return out


def _break_files(root: Path) -> dict[str, str]:
    """A truncated file, a file without main scores and a non-object; returns rel path → kind."""
    model = root / "google__flan-t5-base" / "no_revision_available"
    good = sorted(model.glob("*.json"))[0]
    (model / "Truncated.json").write_bytes(good.read_bytes()[:50])
    current = next(
        p for p in (root / "BAAI__bge-base-en").rglob("*.json") if '"scores"' in p.read_text()
    )
    data = json.loads(current.read_text())
    for entries in data["scores"].values():
        for entry in entries:
            entry.pop("main_score", None)
    bad = current.with_name("NoMainScore.json")
    data["task_name"] = data["task_name"]
    bad.write_text(json.dumps(data))
    (model / "List.json").write_text("[1, 2, 3]")
    return {
        (model / "Truncated.json").relative_to(root).as_posix(): "truncated",
        bad.relative_to(root).as_posix(): "no main score",
        (model / "List.json").relative_to(root).as_posix(): "not an object",
    }


def test_ingest_folder_counts_bad_files_and_reingest(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.store.ingest import ingest

    broken = _break_files(results_dir)
    report = ingest(store, results_dir.parent, catalog)
    assert report.status == "done"
    assert {p.path for p in report.problems} == set(broken)
    assert all(p.reason for p in report.problems)
    files = _task_files(results_dir)
    assert report.files_seen == len(files)
    assert report.files_new == len(files) - len(broken)
    expected_values = count_folder(results_dir, _main_keys(catalog), skip=broken)
    counts = _db_counts(store)
    assert counts["values"] == expected_values == report.values_added
    assert counts["result_file"] == report.files_new

    again = ingest(store, results_dir.parent, catalog)
    assert again.status == "unchanged"
    assert (again.files_new, again.files_changed, again.values_added) == (0, 0, 0)
    assert again.files_unchanged == len(files) - len(broken)
    assert _db_counts(store) == counts

    forced = ingest(store, results_dir.parent, catalog, force=True)
    assert (forced.files_new, forced.files_changed, forced.values_added) == (0, 0, 0)
    assert _db_counts(store) == counts


def _first_current_file(root: Path) -> Path:
    return next(
        p
        for p in sorted((root / "codefuse-ai__F2LLM-v2-80M").rglob("*.json"))
        if p.name != "model_meta.json" and "experiments" not in p.parts
    )


def test_changed_value_keeps_history_and_removed_file_is_kept(
    store, results_dir: Path, catalog
) -> None:  # type: ignore[no-untyped-def]
    from emboard.store.ingest import ingest
    from emboard.store.queries import model_history, model_scores

    ingest(store, results_dir, catalog)
    path = _first_current_file(results_dir)
    data = json.loads(path.read_text())
    entry = next(iter(data["scores"].values()))[0]
    old_main = entry["main_score"]
    entry["main_score"] = old_main / 2
    path.write_text(json.dumps(data))
    gone = sorted(
        p for p in path.parent.glob("*.json") if p != path and p.name != "model_meta.json"
    )[0]
    gone.unlink()

    report = ingest(store, results_dir, catalog)
    assert (report.files_changed, report.files_removed, report.values_changed) == (1, 1, 1)
    with store.engine.connect() as conn:
        model_name = json.loads((path.parent / "model_meta.json").read_text())["name"]
        hist = model_history(conn, model_name)
        scores = model_scores(conn, model_name, [data["task_name"]])
    changes = [h for h in hist if h.field.endswith("|main_score")]
    assert len(changes) == 1
    assert changes[0].old_value == pytest.approx(old_main) and changes[
        0
    ].new_value == pytest.approx(old_main / 2)
    assert any(h.field == "removed" for h in hist)
    assert any(s.main_score == pytest.approx(old_main / 2) for s in scores)


def _make_archive(root: Path, out: Path) -> Path:
    raw = out.with_suffix("")
    with tarfile.open(raw, "w") as tar:
        tar.add(root, arcname="results")
    out.write_bytes(zstandard.ZstdCompressor().compress(raw.read_bytes()))
    raw.unlink()
    return out


def test_archive_equals_folder_and_is_skipped_when_unchanged(
    store, results_dir: Path, tmp_path: Path, catalog
) -> None:  # type: ignore[no-untyped-def]
    from emboard.store.ingest import ingest

    archive = _make_archive(results_dir, tmp_path / "results.tar.zst")
    report = ingest(store, archive, catalog)
    assert report.status == "done" and not report.problems
    assert report.values_added == count_folder(results_dir, _main_keys(catalog))
    again = ingest(store, archive, catalog)
    assert again.status == "unchanged" and again.files_new == 0


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_git_checkout_is_incremental(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.store.ingest import ingest

    repo = results_dir.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    first = ingest(store, repo, catalog)
    assert first.kind == "git" and first.files_new == len(_task_files(results_dir))

    path = _first_current_file(results_dir)
    data = json.loads(path.read_text())
    next(iter(data["scores"].values()))[0]["main_score"] = 0.123
    path.write_text(json.dumps(data))
    _git(repo, "commit", "-qam", "change one")
    second = ingest(store, repo, catalog)
    assert (second.files_seen, second.files_changed, second.files_new) == (1, 1, 0)
    assert ingest(store, repo, catalog).status == "unchanged"


def test_older_store_is_migrated_not_rebuilt(store_url: str, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """A store at the first schema version, with data, is upgraded in place by open_store."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from emboard.store.db import _alembic_config, create_store_engine, open_store, schema_version
    from emboard.store.ingest import ingest
    from emboard.store.tables import Base

    engine = create_store_engine(store_url)
    command.upgrade(_alembic_config(engine), "0001")
    assert schema_version(engine) == "0001"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO source (id, kind, location, priority) VALUES (99, 'directory', 'old', 0)"
        )
    engine.dispose()

    store = open_store(store_url)
    assert schema_version(store.engine) == "0003"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT location FROM source WHERE id = 99").scalar() == "old"
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    report = ingest(store, results_dir, catalog)
    assert report.status == "done" and report.files_new > 0
    store.close()


def _seed_card() -> Path:
    from tests.conftest import SHARED

    return next((SHARED / "seeds").glob("003_*.txt"))


def test_model_card_is_a_source(store, tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.results.card_reader import read_model_card
    from emboard.store.ingest import ingest
    from emboard.store.queries import model_scores
    from emboard.tasks.lookup import CatalogTaskLookup

    card = tmp_path / "README.md"
    card.write_bytes(_seed_card().read_bytes())
    parsed = read_model_card(card.read_text(), source=str(card), tasks=CatalogTaskLookup(catalog))
    report = ingest(store, card, catalog)
    assert report.kind == "model-card" and report.status == "done"
    assert report.values_added == sum(r.n_values for r in parsed.results)
    with store.engine.connect() as conn:
        scores = model_scores(conn, "sentence-transformers/all-MiniLM-L6-v2")
    stored = {(s.task_name, s.split, s.subset): s.main_score for s in scores}
    expected = {
        (r.task_name, e.split, e.subset): e.main_score for r in parsed.results for e in r.entries
    }
    assert len(stored) == parsed.n_entries == 95
    assert stored == expected
    assert {s.revision for s in scores} == {"external"}
    assert ingest(store, card, catalog).status == "unchanged"
