"""Labels keep the type the data gives them, as in mteb: integer hierarchical labels drop a
missing level (``-1``) where string ones keep it, integer multilabel sets sort numerically.
Rows read from a Hub repo on disk and scored by emboard equal mteb 2.26.24's scores."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from emboard.data.build import build_record
from emboard.data.hub import HubSource
from emboard.data.records import ClusteringData, MultilabelClassificationData
from emboard.evaluators import get_evaluator
from emboard.evaluators.base import EvalContext
from tests.unit.data.hub_repo import mteb_task, pointed_at, write_repo
from tests.unit.evaluators._fake_mteb_model import FakeEncoder, assert_same

pytestmark = pytest.mark.oracle


@pytest.fixture(autouse=True)
def _own_datasets_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    import datasets
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    with threadpool_limits(limits=1):
        yield


def _both(tmp_path: Path, catalog: Any, name: str, cols: dict[str, Any], texts: list[str]) -> Any:
    splits = cols if "test" in cols else {"test": cols}
    repo = write_repo(tmp_path / "repo", {"default": splits})
    task = pointed_at(catalog.get_task(name), repo)
    data = build_record(HubSource(), task, "default", "test")
    enc = FakeEncoder(texts, dim=8, seed=2)
    theirs = dict(
        mteb_task(name, repo).evaluate(enc, split="test", encode_kwargs={"batch_size": 32})[
            "default"
        ]
    )
    for key in ("main_score", "hf_subset", "languages"):
        theirs.pop(key, None)
    ctx = EvalContext(name, task.type, "test", "default", task.evaluation_params)
    ours = get_evaluator(task.variant).evaluate(data, enc, ctx)
    return data, ours.scores, theirs


def test_integer_hierarchical_labels_equal_mteb(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    texts = [f"doc {i}" for i in range(300)]
    labels = [
        [top, 10 * top + rng.randint(0, 2)][: rng.choice([1, 2])]
        for top in rng.choices(range(4), k=300)
    ]
    data, ours, theirs = _both(
        tmp_path,
        catalog,
        "SNLHierarchicalClusteringS2S",
        {"sentences": texts, "labels": labels},
        texts,
    )
    assert isinstance(data, ClusteringData)
    assert data.labels == labels and all(type(x) is int for p in data.labels for x in p)
    assert_same(ours, theirs, tol=0.0)
    # control: the same labels as text keep the missing level as "-1" and score differently
    as_text = ClusteringData(data.texts, [[str(x) for x in p] for p in data.labels])
    task = catalog.get_task("SNLHierarchicalClusteringS2S")
    ctx = EvalContext(task.name, task.type, "test", "default", task.evaluation_params)
    text_scores = get_evaluator(task.variant).evaluate(as_text, FakeEncoder(texts, 8, 2), ctx)
    assert text_scores.scores["v_measures"] != theirs["v_measures"]


def test_integer_multilabel_sets_equal_mteb(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(6)

    def rows(n: int, tag: str) -> dict[str, list[Any]]:
        labels = [sorted(set(rng.sample(range(12), rng.randint(1, 3)))) for _ in range(n)]
        return {"text": [f"{tag} {i}" for i in range(n)], "label": labels}

    splits = {"train": rows(400, "train"), "test": rows(150, "test")}
    texts = splits["train"]["text"] + splits["test"]["text"]
    data, ours, theirs = _both(tmp_path, catalog, "CEDRClassification", splits, texts)
    assert isinstance(data, MultilabelClassificationData)
    assert all(type(x) is int for row in data.test_labels for x in row)
    assert_same(ours, theirs, tol=1e-12)
