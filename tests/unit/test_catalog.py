from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from emboard.errors import TaskDefinitionError
from emboard.tasks.catalog import TaskFilter, read_catalog_file
from emboard.tasks.selection import read_task_file, select_tasks, task_names_in_folder
from tests.conftest import CATALOG_FILE, TASKS_DIR


def test_catalog_counts_match_the_file(catalog) -> None:  # type: ignore[no-untyped-def]
    raw = json.load(gzip.open(CATALOG_FILE))
    assert len(catalog.tasks) == len(raw["tasks"])
    assert len(catalog.benchmarks) == len(raw["benchmarks"])
    assert len(catalog.models) == len({m["name"] for m in raw["models"]})


def test_benchmark_by_alias_narrows_splits_and_subsets(catalog) -> None:  # type: ignore[no-untyped-def]
    tasks = {t.name: t for t in catalog.benchmark_tasks("MTEB(eng)")}
    assert len(tasks) == 41
    assert tasks["AmazonCounterfactualClassification"].hf_subsets == ["en"]
    raw = json.load(gzip.open(CATALOG_FILE))
    [bench] = [b for b in raw["benchmarks"] if b["name"] == "MTEB(eng, v2)"]
    from emboard.tasks.corrections import _corrections

    fixes = _corrections()["MTEB(eng, v2)"]
    for bt in bench["tasks"]:
        expected = fixes[bt["name"]]["eval_splits"] if bt["name"] in fixes else bt["eval_splits"]
        assert tasks[bt["name"]].eval_splits == expected
        assert tasks[bt["name"]].hf_subsets == bt["hf_subsets"]
    assert catalog.get_benchmark("MTEB(eng, classic)").name == "MTEB(eng, v1)"


def test_unknown_names_get_close_matches(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaskDefinitionError, match="Did you mean: STS12"):
        catalog.get_task("STS121")
    with pytest.raises(TaskDefinitionError, match=r"MTEB\(eng\)"):
        catalog.get_benchmark("MTEB(eng")


def test_task_variants(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.get_task("SummEval").variant == "SummarizationDeprecated"
    assert catalog.get_task("SummEvalSummarization.v2").variant == "Summarization"
    assert catalog.get_task("ArxivClusteringP2P").variant == "ClusteringLegacy"
    assert catalog.get_task("HumanConceptsClustering").variant == "Clustering"
    assert catalog.get_task("AmazonCounterfactualClassification").languages("de") == ["deu-Latn"]


def test_filters(catalog) -> None:  # type: ignore[no-untyped-def]
    sts_eng = catalog.filter_tasks(TaskFilter(types=("STS",), languages=("eng",)))
    assert sts_eng and all(t.type == "STS" and t.superseded_by is None for t in sts_eng)
    assert "STS12" in {t.name for t in sts_eng}
    with_superseded = catalog.filter_tasks(
        TaskFilter(types=("Summarization",), include_superseded=True)
    )
    assert "SummEval" in {t.name for t in with_superseded}
    assert "SummEval" not in {
        t.name for t in catalog.filter_tasks(TaskFilter(types=("Summarization",)))
    }


def test_local_folder_names_map_to_tasks(catalog) -> None:  # type: ignore[no-untyped-def]
    names = task_names_in_folder(TASKS_DIR, catalog)
    assert "TwitterURLCorpus" in names  # from TwitterURLCorpus-test-subset
    assert "SciFactReranking-derived" not in names and "SciFactReranking" not in names
    assert {"STS12", "SciFact", "SummEval", "HumanConceptsClustering"} <= set(names)


def test_custom_task_file(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    spec = catalog.get_task("SciDocsRR").model_dump(by_alias=True)
    spec["name"] = "MyReranking"
    path = tmp_path / "task.json"
    path.write_text(json.dumps(spec))
    [task] = select_tasks(catalog, [str(path)])
    assert task.name == "MyReranking" and task.type == "Reranking"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**spec, "main_score": None}))
    with pytest.raises(TaskDefinitionError, match="main_score"):
        read_task_file(bad)


def test_malformed_catalog_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "cat.json"
    path.write_text(
        json.dumps({"tasks": [{"name": "X", "type": "STS"}], "benchmarks": [], "models": []})
    )
    with pytest.raises(TaskDefinitionError, match=r"tasks\[0\] \(X\) is malformed"):
        _ = read_catalog_file(path).tasks


def test_load_catalog_keeps_it_unless_asked_not_to(tmp_path: Path) -> None:
    from emboard.settings import Settings
    from emboard.tasks import catalog as catalog_module

    copy = tmp_path / "catalog.json.gz"
    copy.write_bytes(CATALOG_FILE.read_bytes())
    settings = Settings(catalog=copy, cache_dir=tmp_path / "cache")
    once = catalog_module.load_catalog(settings, keep=False)
    assert once.get_task("STS12").type == "STS"
    assert copy.resolve() not in catalog_module._loaded  # a run's plan: read, used, dropped
    kept = catalog_module.load_catalog(settings)
    assert kept is not once and catalog_module.load_catalog(settings, keep=False) is kept
    catalog_module._loaded.pop(copy.resolve())
