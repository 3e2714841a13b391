"""The Hugging Face code path (``datasets.load_dataset``), exercised offline on a dataset repo
laid out on disk the way the Hub lays it out (configs declared in README.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from emboard.data.build import build_record
from emboard.data.hub import HubSource
from emboard.data.local import LocalSource
from emboard.data.records import RetrievalData, STSData
from emboard.tasks.metadata import DatasetRef
from tests.conftest import TASKS_DIR

CARD = """---
configs:
{configs}
---
"""


def _repo(tmp_path: Path, configs: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    lines = []
    for name, rel in configs.items():
        lines.append(f"- config_name: {name}\n  data_files:\n  - split: test\n    path: {rel}")
    (repo / "README.md").write_text(CARD.format(configs="\n".join(lines)))
    return repo


def test_hub_rows_equal_local_rows(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(tmp_path, {"default": "data/test.jsonl"})
    (repo / "data").mkdir()
    shutil.copy(TASKS_DIR / "STS12" / "test.jsonl", repo / "data" / "test.jsonl")
    task = catalog.get_task("STS12")
    hub_task = task.model_copy(
        update={"dataset": DatasetRef(path=str(repo), revision=task.dataset.revision)}
    )
    hub = build_record(HubSource(), hub_task, "default", "test")
    local = build_record(LocalSource(TASKS_DIR), task, "default", "test")
    assert isinstance(hub, STSData) and isinstance(local, STSData)
    assert hub.sentence1 == local.sentence1 and np.array_equal(hub.scores, local.scores)


def test_hub_retrieval_configs(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(
        tmp_path, {"corpus": "corpus.jsonl", "queries": "queries.jsonl", "default": "qrels.jsonl"}
    )
    corpus = [
        {"_id": "d1", "title": "T", "text": "one"},
        {"_id": "d2", "title": "", "text": " two "},
    ]
    queries = [{"_id": "q1", "text": "first"}, {"_id": "q2", "text": "unjudged"}]
    qrels = [{"query-id": "q1", "corpus-id": "d2", "score": 1}]
    for name, rows in (("corpus", corpus), ("queries", queries), ("qrels", qrels)):
        (repo / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    task = catalog.get_task("SciFact")
    hub_task = task.model_copy(update={"dataset": DatasetRef(path=str(repo), revision="main")})
    data = build_record(HubSource(), hub_task, "default", "test")
    assert isinstance(data, RetrievalData)
    assert data.corpus_ids == ["d1", "d2"] and data.corpus_texts == ["T one", "two"]
    assert data.query_ids == ["q1"] and data.qrels == {"q1": {"d2": 1}}


def test_hub_split_made_from_a_column_equals_local_split(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """HumanConceptsClustering on the Hub is one train table; MTEB makes the splits by
    ``subdataset``. The rows must equal the local per-split files."""
    from emboard.data.records import ClusteringData

    repo = _repo(tmp_path, {"default": "data/train.jsonl"})
    (repo / "data").mkdir()
    shutil.copy(
        TASKS_DIR / "HumanConceptsClustering" / "train.jsonl", repo / "data" / "train.jsonl"
    )
    (repo / "README.md").write_text(
        (repo / "README.md").read_text().replace("split: test", "split: train")
    )
    task = catalog.get_task("HumanConceptsClustering")
    hub_task = task.model_copy(update={"dataset": DatasetRef(path=str(repo), revision="main")})
    for split in task.eval_splits:
        hub = build_record(HubSource(), hub_task, "default", split)
        local = build_record(LocalSource(TASKS_DIR), task, "default", split)
        assert isinstance(hub, ClusteringData) and isinstance(local, ClusteringData)
        assert hub.texts == local.texts and hub.labels == local.labels
