from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from emboard.errors import ResultFormatError
from emboard.results.io import read_task_result, revision_dir, write_task_result
from emboard.results.schema import TaskResult


def _result() -> TaskResult:
    entry = {
        "cosine_spearman": 0.12345678912,
        "v_measures": {"Level 0": [0.1234567891, 0.5]},
        "scores_per_experiment": [{"accuracy": 0.3333333333}],
        "main_score": 0.12345678912,
        "hf_subset": "default",
        "languages": ["eng-Latn"],
        "nauc": float("nan"),
    }
    return TaskResult(
        dataset_revision="r",
        task_name="STS12",
        mteb_version="2.26.24",
        scores={"test": [entry]},
        evaluation_time=1.5,
    )


def test_write_rounds_like_mteb_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "STS12.json"
    write_task_result(path, _result())
    raw = json.loads(path.read_text())
    entry = raw["scores"]["test"][0]
    assert entry["cosine_spearman"] == 0.123457
    assert entry["v_measures"]["Level 0"][0] == 0.123457
    assert entry["scores_per_experiment"][0]["accuracy"] == 0.333333
    assert math.isnan(entry["nauc"])
    back = read_task_result(path)
    assert back.main_score() == pytest.approx(0.123457, abs=0)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_bad_files_name_path_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "X.json"
    bad.write_text('{"task_name": "X"')
    with pytest.raises(ResultFormatError, match="X.json: not valid JSON"):
        read_task_result(bad)
    data = _result().model_dump()
    del data["scores"]["test"][0]["main_score"]
    bad.write_text(json.dumps(data))
    with pytest.raises(ResultFormatError, match=r"field scores.*lacks main_score"):
        read_task_result(bad)


def test_layout() -> None:
    root = Path("results")
    assert (
        revision_dir(root, "org/My model", None) == root / "org__My_model" / "no_revision_available"
    )


def test_set_entry_replaces_by_subset() -> None:
    res = _result()
    res.set_entry("test", {"main_score": 0.9, "hf_subset": "default", "languages": []})
    res.set_entry("test", {"main_score": 0.5, "hf_subset": "en", "languages": []})
    assert [e["main_score"] for e in res.scores["test"]] == [0.9, 0.5]
    assert res.main_score() == pytest.approx(0.7)
    assert res.main_score(subsets=["en"]) == 0.5
