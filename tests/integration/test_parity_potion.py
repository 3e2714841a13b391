"""Oracle parity: emboard and mteb 2.26.24, same model (potion-base-2M), same local rows.

Every metric of every (split, subset) entry must agree within 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emboard.tasks.metadata import DatasetRef, TaskMetadata
from tests.conftest import POTION_NAME, POTION_REVISION, TASKS_DIR
from tests.integration.parity import compare_files, run_both

pytestmark = [pytest.mark.oracle, pytest.mark.slow]


def derived_reranking_task(catalog: Any) -> TaskMetadata:
    """SciFactReranking-derived is not an MTEB task: the same definition the peer script uses."""
    base = catalog.get_task("SciDocsRR")
    task: TaskMetadata = base.model_copy(
        update={
            "name": "SciFactReranking-derived",
            "dataset": DatasetRef(path="emboard/scifact-reranking-derived", revision="local"),
            "adapted_from": None,
        }
    )
    return task


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory, catalog: Any) -> dict[str, Any]:
    from emboard.tasks.selection import task_names_in_folder

    tasks: list[Any] = task_names_in_folder(TASKS_DIR, catalog)
    tasks.append(derived_reranking_task(catalog))
    return run_both(TASKS_DIR, tmp_path_factory.mktemp("parity"), tasks)


LOCAL_TASKS = sorted(
    {p.name for p in TASKS_DIR.iterdir() if p.is_dir()} - {"TwitterURLCorpus-test-subset"}
    | {"TwitterURLCorpus"}
)


@pytest.mark.parametrize("task", LOCAL_TASKS)
def test_every_metric_equals_mteb(runs: dict[str, Any], task: str) -> None:
    failed = {o.task.name: o.error for o in runs["report"].failed}
    assert task not in failed, failed.get(task)
    assert task in runs["mteb"], f"mteb wrote no result for {task}"
    assert task in runs["emboard"], f"emboard wrote no result for {task}"
    problems = compare_files(runs["emboard"][task], runs["mteb"][task])
    assert not problems, "\n".join(problems[:20])


def test_results_load_with_mteb_task_result(runs: dict[str, Any]) -> None:
    from mteb import TaskResult as MtebTaskResult

    for name, path in runs["emboard"].items():
        if name == "SciFactReranking-derived":
            continue  # not in mteb's registry
        loaded = MtebTaskResult.from_disk(path)
        ours = json.loads(path.read_text())
        mains = [e["main_score"] for entries in ours["scores"].values() for e in entries]
        assert loaded.get_score() == pytest.approx(sum(mains) / len(mains), abs=1e-12), name


def test_each_unique_text_encoded_once(runs: dict[str, Any]) -> None:
    stats = runs["report"].stats
    assert stats.encoded < stats.requested
    peer = runs["peer"]
    if "n_unique_texts" in peer:
        # emboard encodes no more than the unique texts mteb's run contains
        assert stats.encoded <= peer["n_unique_texts"]


def test_model_meta_written(runs: dict[str, Any]) -> None:
    folder = Path(runs["report"].output_dir)
    meta = json.loads((folder / "model_meta.json").read_text())
    assert meta["name"] == POTION_NAME and meta["revision"] == POTION_REVISION
    assert meta["embed_dim"] == 64
    assert folder.name == POTION_REVISION and folder.parent.name == "minishlab__potion-base-2M"
