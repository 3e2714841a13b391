"""Model cards end to end: results folders in MTEB's layout → ``create-meta`` → card → read back.

mteb 2.26.24 (``TaskResult.from_disk``, ``get_task``) is the oracle for what the result files hold
and for each task's type and dataset path; MTEB v1's ``create_meta`` wrote ``value × 100``.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from emboard.cli.create_meta_cmd import create_meta
from emboard.results.card_reader import ModelCardResults, read_model_card
from emboard.results.io import atomic_write_text
from emboard.results.model_card import (
    CQADUPSTACK_PARTS,
    FRONT_MATTER_END,
    create_model_card,
    split_front_matter,
)
from emboard.results.schema import TaskResult
from tests.conftest import CATALOG_FILE, SHARED

SEED_CARD = next((SHARED / "seeds").glob("003_*.txt"))
MINILM = "sentence-transformers__all-MiniLM-L6-v2/8b3219a92973c328a8e22fadcfa821b5dc75636a"


@pytest.fixture(scope="module")
def lookup(catalog):  # type: ignore[no-untyped-def]
    from emboard.tasks.lookup import CatalogTaskLookup

    return CatalogTaskLookup(catalog)


def entries(read: ModelCardResults) -> dict[tuple[str, str, str], Any]:
    out = {}
    for result in read.results:
        for e in result.entries:
            key = (result.task_name, e.split, e.subset)
            assert key not in out, key
            out[key] = (result.dataset_revision, e)
    return out


def numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(1.0, abs(b))


@pytest.mark.oracle
@pytest.mark.slow
def test_real_results_folder_to_card_and_back(full_13_results, catalog, lookup):  # type: ignore[no-untyped-def]
    import mteb
    from mteb.results import TaskResult as MtebTaskResult

    folder = full_13_results / MINILM
    text, warnings = create_model_card(folder, catalog.tasks, lookup)
    assert warnings == ()  # GPUSpeedTask is left out, as MTEB v1 left speed tasks out
    front, body = split_front_matter(text, source="card")
    assert body == "" and front["tags"] == ["mteb"]
    model = front["model-index"][0]
    assert model["name"] == "sentence-transformers/all-MiniLM-L6-v2"  # from model_meta.json
    written = {(r["dataset"]["name"], r["dataset"]["split"]): r for r in model["results"]}
    assert len(written) == len(model["results"])
    back = entries(read_model_card(text, source="card", tasks=lookup))

    n_files = n_values = 0
    for path in sorted(folder.glob("*.json")):
        if path.name == "model_meta.json" or path.stem == "GPUSpeedTask":
            continue
        oracle = MtebTaskResult.from_disk(path)
        task = mteb.get_task(oracle.task_name).metadata
        n_files += 1
        for split, subsets in oracle.scores.items():
            for scores in subsets:
                subset = scores["hf_subset"]
                result = written[(f"MTEB {oracle.task_name} ({subset})", split)]
                assert result["task"]["type"] == task.type
                assert result["dataset"]["type"] == task.dataset["path"]
                assert result["dataset"]["revision"] == oracle.dataset_revision
                card_values = {m["type"]: m["value"] for m in result["metrics"]}
                expected = {k: v for k, v in scores.items() if numeric(v)}
                assert set(card_values) == set(expected), (path.name, split, subset)
                revision, entry = back[(oracle.task_name, split, subset)]
                assert revision == oracle.dataset_revision
                read = {**entry.metrics, "main_score": entry.main_score}
                for key, value in expected.items():
                    assert same(card_values[key], value * 100), (path.name, key)
                    assert close(read[key], value), (path.name, key)
                    n_values += 1
    assert n_files == 758 and n_values > 100_000
    assert len(back) == len(model["results"])


@pytest.mark.oracle
def test_cqadupstack_combined_entry_matches_mteb_scores(full_13_results, catalog, lookup, tmp_path):  # type: ignore[no-untyped-def]
    from mteb.results import TaskResult as MtebTaskResult

    folder = tmp_path / "rev"
    folder.mkdir()
    for part in sorted(CQADUPSTACK_PARTS):
        shutil.copy(full_13_results / MINILM / f"{part}.json", folder)
    text, _ = create_model_card(folder, catalog.tasks, lookup)
    model = split_front_matter(text, source="card")[0]["model-index"][0]
    assert model["name"] == "PLACEHOLDER"  # no model_meta.json
    combined = [
        r for r in model["results"] if r["dataset"]["name"].startswith("MTEB CQADupstackRetrieval ")
    ]
    assert len(combined) == 1
    assert combined[0]["dataset"]["revision"] == "CQADupstackRetrieval_is_a_combined_dataset"
    scores = [
        MtebTaskResult.from_disk(folder / f"{p}.json").get_score(splits=["test"])
        for p in sorted(CQADUPSTACK_PARTS)
    ]
    mean = sum(scores) / len(scores)
    assert {m["type"]: m["value"] for m in combined[0]["metrics"]} == {
        "ndcg_at_10": mean * 100,
        "main_score": mean * 100,
    }


def test_seed_card_through_a_results_folder_and_back(tmp_path, lookup, catalog):  # type: ignore[no-untyped-def]
    seed = read_model_card(SEED_CARD.read_text(encoding="utf-8"), source="seed", tasks=lookup)
    folder = tmp_path / "results" / "sentence-transformers__all-MiniLM-L6-v2" / "rev"
    for result in seed.results:
        scores: dict[str, list[dict[str, Any]]] = {}
        for e in result.entries:
            entry = {
                **e.metrics,
                "main_score": e.main_score,
                "hf_subset": e.subset,
                "languages": list(e.languages),
            }
            scores.setdefault(e.split, []).append(entry)
        file = TaskResult(
            dataset_revision=result.dataset_revision or "",
            task_name=result.task_name,
            mteb_version="1.0.0-card",
            scores=scores,
            evaluation_time=None,
        )
        atomic_write_text(folder / f"{result.task_name}.json", json.dumps(file.model_dump()))
    atomic_write_text(folder / "model_meta.json", json.dumps({"name": "all-MiniLM-L6-v2"}))
    atomic_write_text(folder / "STS12_predictions.json", "{not even json")
    text, warnings = create_model_card(folder, catalog.tasks, lookup)
    assert warnings == ()
    back = entries(read_model_card(text, source="card", tasks=lookup))
    before = entries(seed)
    assert back.keys() == before.keys() and len(back) == 95
    for key, (revision, old) in before.items():
        new_revision, new = back[key]
        assert new_revision == revision
        assert new.languages == old.languages
        assert new.metrics.keys() == old.metrics.keys()
        assert old.main_score is not None and new.main_score is not None
        assert close(new.main_score, old.main_score)
        for metric, value in old.metrics.items():
            assert close(new.metrics[metric], value), (key, metric)


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command("create-meta")(create_meta)
    app.command("other")(lambda: None)  # a second command keeps "create-meta" a subcommand
    return app


def test_cli_create_meta_end_to_end(full_13_results, tmp_path, lookup):  # type: ignore[no-untyped-def]
    folder = tmp_path / "rev"
    folder.mkdir()
    for name in ("STS12.json", "SciFact.json", "Banking77Classification.json", "model_meta.json"):
        shutil.copy(full_13_results / MINILM / name, folder)
    readme = tmp_path / "README.md"
    seed_text = SEED_CARD.read_text(encoding="utf-8")
    readme.write_text(seed_text, encoding="utf-8")
    out = tmp_path / "card" / "model_card.md"
    runner = CliRunner()
    args = [
        "create-meta",
        "--results-folder",
        str(folder),
        "--output",
        str(out),
        "--catalog",
        str(CATALOG_FILE),
    ]

    fresh = runner.invoke(cli_app(), args)
    assert fresh.exit_code == 0, fresh.output
    fresh_read = read_model_card(out.read_text(encoding="utf-8"), source="out", tasks=lookup)
    assert {r.task_name for r in fresh_read.results} == {
        "STS12",
        "SciFact",
        "Banking77Classification",
    }

    again = runner.invoke(cli_app(), args)
    assert again.exit_code == 2 and "already exists" in again.output

    mismatch = runner.invoke(cli_app(), [*args, "--overwrite", "--from-existing", str(readme)])
    assert mismatch.exit_code == 2 and "does not match" in mismatch.output

    merged = runner.invoke(
        cli_app(),
        [*args, "--overwrite", "--from-existing", str(readme), "--model-name", "all-MiniLM-L6-v2"],
    )
    assert merged.exit_code == 0, merged.output
    text = out.read_text(encoding="utf-8")
    body = seed_text[seed_text.index(FRONT_MATTER_END) + len(FRONT_MATTER_END) :]
    assert text.endswith(body)
    read = entries(read_model_card(text, source="out", tasks=lookup))
    seed = entries(read_model_card(seed_text, source="seed", tasks=lookup))
    # the three tasks replaced their seed entries in place; SciFact's train split is new
    assert read.keys() == {*seed, ("SciFact", "train", "default")}
    new_sts12 = json.loads((folder / "STS12.json").read_text())["scores"]["test"][0]
    assert close(read[("STS12", "test", "default")][1].main_score, new_sts12["main_score"])
    assert read[("ArguAna", "test", "default")] == seed[("ArguAna", "test", "default")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from-existing", "README.txt"], "must be a .md file"),
        (["--from-existing", "missing.md"], "cannot be read"),
    ],
)
def test_cli_bad_input(tmp_path: Path, extra: list[str], message: str) -> None:
    runner = CliRunner()
    out = tmp_path / "o.md"
    base = ["create-meta", "--output", str(out), "--catalog", str(CATALOG_FILE)]
    missing = runner.invoke(cli_app(), [*base, "--results-folder", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "Results folder not found" in missing.output
    (tmp_path / "README.txt").write_text("x")
    bad = runner.invoke(cli_app(), [*base, "--results-folder", str(tmp_path), *extra])
    assert bad.exit_code == 2 and message in bad.output
    empty = runner.invoke(cli_app(), [*base, "--results-folder", str(tmp_path)])
    assert empty.exit_code == 2 and "no task result files" in empty.output
    assert not out.exists()
