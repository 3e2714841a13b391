"""benchmarks/peer_mteb.py: mteb 2.26.24 itself on the local rows reproduces the published numbers."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import POTION, POTION_NAME, POTION_REVISION, REPO, SHARED, TASKS_DIR

SCRIPT = REPO / "benchmarks" / "peer_mteb.py"
SNAPSHOT = SHARED / "data" / "mteb-results" / "results-full-13-models.tar.zst"
TASKS = ("STS12", "BIOSSES")


def _peer_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peer_mteb", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def published_main_scores(model_folder: str, tasks: tuple[str, ...]) -> dict[str, float]:
    """Main scores of ``tasks`` for one model of the snapshot, read by streaming the archive."""
    import zstandard

    wanted = {f"{task}.json": task for task in tasks}
    found: dict[str, float] = {}
    with (
        SNAPSHOT.open("rb") as raw,
        zstandard.ZstdDecompressor().stream_reader(raw) as stream,
        tarfile.open(fileobj=stream, mode="r|") as archive,
    ):
        for member in archive:
            parts = Path(member.name).parts
            if model_folder not in parts or parts[-1] not in wanted:
                continue
            extracted = archive.extractfile(member)
            assert extracted is not None
            [entry] = json.load(extracted)["scores"]["test"]
            found[wanted[parts[-1]]] = float(entry["main_score"])
            if len(found) == len(tasks):
                break
    return found


def test_local_hub_serves_hub_layout_and_refuses_unknown_ids(tmp_path: Path) -> None:
    peer = _peer_module()
    folder = tmp_path / "TwitterURLCorpus"
    folder.mkdir()
    row = {"sentence1": ["a", "b"], "sentence2": ["c", "d"], "labels": [0, 1]}
    (folder / "test.jsonl").write_text(json.dumps(row) + "\n")
    (folder / "extra_reference.jsonl").write_text(json.dumps(row) + "\n")
    hub = peer.LocalHub()
    hub.register({"path": "org/pairs", "revision": "r1"}, folder, "TwitterURLCorpus")

    assert hub.get_dataset_config_names("org/pairs", "r1") == ["default"]
    assert hub.get_dataset_split_names("org/pairs", config_name="default") == ["test"]
    dd = hub.load_dataset(path="org/pairs", revision="r1")
    assert list(dd) == ["test"]  # only {split}.jsonl files are Hub splits
    assert dd["test"].column_names == ["sent1", "sent2", "labels"]  # Hub column names
    assert dd["test"][0]["sent1"] == ["a", "b"]
    with pytest.raises(FileNotFoundError, match="no local rows"):
        hub.load_dataset("org/other")
    with pytest.raises(FileNotFoundError, match="revision"):
        hub.load_dataset("org/pairs", revision="r2")
    with pytest.raises(ValueError, match="Unknown split"):
        hub.load_dataset("org/pairs", split="train")


@pytest.mark.oracle
def test_peer_reproduces_published_potion_scores(tmp_path: Path) -> None:
    from mteb import TaskResult

    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--model",
            str(POTION),
            "--data-dir",
            str(TASKS_DIR),
            "--output-dir",
            str(tmp_path),
            "--tasks",
            *TASKS,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary["tasks"]) == set(TASKS)
    assert summary["n_encoded_texts"] == 2 * (3108 + 100)  # both columns of every pair
    assert 0 < summary["n_unique_texts"] < summary["n_encoded_texts"]
    assert summary["wall_time_s"] > 0 and summary["peak_rss_mb"] > 0

    folder = tmp_path / "results" / POTION_NAME.replace("/", "__") / POTION_REVISION
    published = published_main_scores("minishlab__potion-base-2M", TASKS)
    assert set(published) == set(TASKS)
    for task in TASKS:
        path = folder / f"{task}.json"
        assert path.is_file(), f"mteb wrote no {path}"
        result = TaskResult.from_disk(path)
        assert result.task_name == task
        assert json.loads(path.read_text())["mteb_version"] == "2.26.24"
        assert result.get_score() == pytest.approx(published[task], abs=5e-5), task
        assert summary["tasks"][task] == pytest.approx(published[task], abs=5e-5), task
