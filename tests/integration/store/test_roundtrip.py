"""Round trips through the store: card → store → card, emboard's results → card → store."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emboard.cli.main import app
from tests.conftest import SHARED


def _card_entries(text: str, catalog) -> dict[tuple[str, str, str], dict[str, float]]:  # type: ignore[no-untyped-def]
    from emboard.results.card_reader import read_model_card
    from emboard.tasks.lookup import CatalogTaskLookup

    card = read_model_card(text, source="card", tasks=CatalogTaskLookup(catalog))
    out = {}
    for result in card.results:
        for e in result.entries:
            out[(result.task_name, e.split, e.subset)] = {"main_score": e.main_score, **e.metrics}
    return out


def test_seed_card_store_card(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    seed = next((SHARED / "seeds").glob("003_*.txt")).read_text(encoding="utf-8")
    card = tmp_path / "README.md"
    card.write_text(seed, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(card), "--db", db])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.md"
    result = runner.invoke(
        app,
        [
            "create-meta",
            "--model",
            "sentence-transformers/all-MiniLM-L6-v2",
            "--db",
            db,
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    before = _card_entries(seed, catalog)
    after = _card_entries(out.read_text(encoding="utf-8"), catalog)
    assert len(before) == 95
    assert after.keys() == before.keys()
    for key, values in before.items():
        assert after[key].keys() == values.keys(), key
        for metric, value in values.items():
            assert after[key][metric] == pytest.approx(value, abs=1e-12), (key, metric)


def test_emboard_results_card_store(tmp_path: Path, full_13_results: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """A real results folder → create-meta → card → ingest: the store holds the files' scores."""
    from emboard.store.db import open_store
    from emboard.store.export import stored_results

    folder = next((full_13_results / "minishlab__potion-base-2M").iterdir())
    small = tmp_path / "results" / "minishlab__potion-base-2M" / folder.name
    small.mkdir(parents=True)
    picked = [p for p in sorted(folder.glob("*.json")) if p.name != "model_meta.json"][:25]
    for p in [*picked, folder / "model_meta.json"]:
        (small / p.name).write_bytes(p.read_bytes())
    card = tmp_path / "README.md"
    runner = CliRunner()
    result = runner.invoke(
        app, ["create-meta", "--results-folder", str(small), "--output", str(card)]
    )
    assert result.exit_code == 0, result.output
    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(
        app, ["ingest", str(card), "--db", db, "--model-name", "minishlab/potion-base-2M"]
    )
    assert result.exit_code == 0, result.output
    store = open_store(db)
    with store.engine.connect() as conn:
        _, results = stored_results(conn, "minishlab/potion-base-2M", "external")
    store.close()
    stored = {(r.task_name, e.split, e.subset): e for r in results for e in r.entries}
    checked = 0
    for p in picked:
        data = json.loads(p.read_text())
        for split, entries in data["scores"].items():
            for entry in entries:
                mine = stored[(data["task_name"], split, entry["hf_subset"])]
                assert mine.main_score == pytest.approx(entry["main_score"], abs=1e-12)
                for key, value in entry.items():
                    if key != "main_score" and isinstance(value, float) and math.isfinite(value):
                        assert mine.metrics[key] == pytest.approx(value, abs=1e-12), key
                        checked += 1
    assert checked > 100


def test_export_loads_in_mteb(tmp_path: Path, full_13_results: Path) -> None:
    """Stored results exported as files load with mteb's TaskResult and keep their main scores."""
    from mteb import TaskResult

    folder = next((full_13_results / "sentence-transformers__all-MiniLM-L6-v2").iterdir())
    src = tmp_path / "in" / "sentence-transformers__all-MiniLM-L6-v2" / folder.name
    src.mkdir(parents=True)
    files = [p for p in sorted(folder.glob("*.json")) if p.name != "model_meta.json"][:40]
    for p in [*files, folder / "model_meta.json"]:
        (src / p.name).write_bytes(p.read_bytes())
    db = f"sqlite:///{tmp_path / 'store.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "in"), "--db", db]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["export", "sentence-transformers/all-MiniLM-L6-v2", "--output-dir", str(out), "--db", db],
    )
    assert result.exit_code == 0, result.output
    for p in files:
        original = TaskResult.from_disk(p)
        exported = TaskResult.from_disk(out / src.relative_to(tmp_path / "in") / p.name)
        assert exported.task_name == original.task_name
        assert exported.get_score() == pytest.approx(original.get_score(), abs=1e-12, nan_ok=True)
        mains = {
            (split, e["hf_subset"]): e["main_score"]
            for split, items in original.scores.items()
            for e in items
        }
        for split, items in exported.scores.items():
            for e in items:
                assert e["main_score"] == pytest.approx(mains[(split, e["hf_subset"])], nan_ok=True)
