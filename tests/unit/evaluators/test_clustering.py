"""Fast (bootstrapped) and legacy clustering against mteb 2.26.24's own code: synthetic data
(flat and ragged hierarchical labels, several splits sharing the task's random stream) and the
real HumanConceptsClustering rows with seeded random embeddings."""

from __future__ import annotations

import gzip
import json
import random
from typing import Any

import numpy as np
import pytest

from emboard.data.records import ClusteringData, ClusteringSetsData
from emboard.errors import TaskDefinitionError
from emboard.evaluators.base import EvalContext
from emboard.evaluators.clustering import ClusteringEvaluator, ClusteringLegacyEvaluator
from emboard.evaluators.metrics.clustering import flatten_cluster_sets, level_labels
from tests.conftest import CATALOG_FILE, TASKS_DIR
from tests.unit.evaluators._fake_mteb_model import FakeEncoder, assert_same, fresh_task, run_mteb


@pytest.fixture(autouse=True)
def _one_thread() -> Any:
    """k-means threads fight over the 2 shared cores (25x slower); both sides run alike."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


FAST_KEYS = {"v_measures", "v_measure", "v_measure_std", "ami_scores", "ami", "ami_std"}


def _docs(n: int, seed: int, hierarchical: bool) -> ClusteringData:
    rng = random.Random(seed)
    labels = []
    for _ in range(n):
        top = rng.choice("ABCDE")
        path = [top, f"{top}{rng.randint(0, 2)}"] if hierarchical else [top]
        labels.append(path[: rng.choice([1, 2, 2])] if hierarchical else path)
    return ClusteringData([f"doc {seed} {i}" for i in range(n)], labels)


def _encoder(datas: list[ClusteringData], seed: int = 0) -> FakeEncoder:
    centroids = {c: np.random.default_rng(ord(c)).standard_normal(16) for c in "ABCDE"}
    texts = [t for d in datas for t in d.texts]
    spread = {
        t: 1.5 * centroids[p[0]] for d in datas for t, p in zip(d.texts, d.labels, strict=True)
    }
    return FakeEncoder(texts, seed=seed, spread=spread)


def _ctx(split: str, params: dict[str, Any], rng: random.Random) -> EvalContext:
    return EvalContext("T", "Clustering", split, "default", params, rng=rng)


def _mteb_labels(d: ClusteringData) -> list[Any]:
    """Flat labels as plain values (mteb wraps them in lists), label paths as lists."""
    return [p[0] for p in d.labels] if all(len(p) == 1 for p in d.labels) else d.labels


def test_level_labels_keep_missing_string_levels_like_mteb() -> None:
    gold, valid = level_labels([["a", "x"], ["b"], ["a", "y"]], 1)
    assert gold.tolist() == ["x", "-1", "y"] and valid.all()  # string "-1" != -1
    gold, valid = level_labels([[1, 5], [2], [1, 6]], 1)
    assert gold.tolist() == [5, 6] and valid.tolist() == [True, False, True]


def test_both_limits_rejected() -> None:
    params = {"max_fraction_of_documents_to_embed": 0.1, "max_document_to_embed": 5}
    with pytest.raises(TaskDefinitionError, match="max_document_to_embed"):
        docs = _docs(10, 0, False)
        ClusteringEvaluator().evaluate(docs, _encoder([docs]), _ctx("t", params, random.Random(42)))


SETTINGS = {
    "fraction": {"max_fraction_of_documents_to_embed": 0.04},
    "limit": {"max_fraction_of_documents_to_embed": None, "max_document_to_embed": 150},
    "all": {"max_fraction_of_documents_to_embed": None, "max_depth": 1},
}


@pytest.mark.oracle
@pytest.mark.parametrize("setting", list(SETTINGS))
def test_fast_splits_in_sequence_equal_mteb(setting: str) -> None:
    from datasets import Dataset, DatasetDict

    params = {**SETTINGS[setting], "max_documents_per_cluster": 600, "n_clusters": 3}
    n = 200 if setting == "all" else 3000
    splits = {"s1": _docs(n, 1, False), "s2": _docs(n, 2, True), "s3": _docs(n // 2, 3, True)}
    enc = _encoder(list(splits.values()))
    task = fresh_task("StackExchangeClusteringP2P.v2")
    task.max_fraction_of_documents_to_embed = params["max_fraction_of_documents_to_embed"]
    task.max_document_to_embed = params.get("max_document_to_embed")
    task.max_depth = params.get("max_depth")
    task.max_documents_per_cluster, task.n_clusters = 600, 3
    ds = DatasetDict(
        {
            s: Dataset.from_dict({"sentences": d.texts, "labels": _mteb_labels(d)})
            for s, d in splits.items()
        }
    )
    rng, skip_rng = random.Random(42), random.Random(42)
    for i, (split, data) in enumerate(splits.items()):
        theirs = run_mteb(task, ds, enc, split)
        ours = ClusteringEvaluator().evaluate(data, enc, _ctx(split, params, rng))
        assert set(ours.scores) == FAST_KEYS
        assert_same(ours.scores, theirs, f"{setting}/{split}", tol=0.0)
        if i == 1:  # resume: skip s2 by advancing the stream only
            ClusteringEvaluator().advance_rng(data, _ctx(split, params, skip_rng))
        elif i == 2:
            skipped = ClusteringEvaluator().evaluate(data, enc, _ctx(split, params, skip_rng))
            assert_same(skipped.scores, theirs, f"{setting}/{split} after skip", tol=0.0)
        else:
            ClusteringEvaluator().evaluate(data, enc, _ctx(split, params, skip_rng))


def _catalog_params(name: str) -> dict[str, Any]:
    with gzip.open(CATALOG_FILE, "rt") as f:
        tasks = json.load(f)["tasks"]
    params: dict[str, Any] = next(t for t in tasks if t["name"] == name)["evaluation_params"]
    return params


@pytest.mark.oracle
def test_human_concepts_real_rows_equal_mteb() -> None:
    from datasets import Dataset, DatasetDict

    folder = TASKS_DIR / "HumanConceptsClustering"
    if not folder.exists():
        pytest.skip(f"shared data missing: {folder}")
    rows = [json.loads(line) for line in (folder / "train.jsonl").read_text().splitlines()]
    task = fresh_task("HumanConceptsClustering")
    task.dataset = DatasetDict({"train": Dataset.from_list(rows)})
    task.dataset_transform()  # mteb's own transform builds the three splits
    params = _catalog_params("HumanConceptsClustering")
    assert params["max_fraction_of_documents_to_embed"] is None  # no downsampling draw
    enc = FakeEncoder([r["item"] for r in rows], dim=32, seed=5)
    rng = random.Random(42)
    for split in task.metadata.eval_splits:
        part = [r for r in rows if r["subdataset"] == split]
        data = ClusteringData([r["item"] for r in part], [[r["category"]] for r in part])
        theirs = run_mteb(task, task.dataset, enc, split)
        ours = ClusteringEvaluator().evaluate(data, enc, _ctx(split, params, rng))
        assert_same(ours.scores, theirs, split, tol=0.0)


@pytest.mark.oracle
def test_legacy_equals_mteb() -> None:
    from datasets import Dataset, DatasetDict

    sets = [_docs(n, 10 + n, False) for n in (120, 80, 60)]
    single = ClusteringData(["solo a", "solo b"], [["x"], ["x"]])
    enc = _encoder(sets)
    data = ClusteringSetsData([(d.texts, [p[0] for p in d.labels]) for d in [*sets, single]])
    task = fresh_task("ArxivClusteringS2S")
    ds = DatasetDict(
        {
            "test": Dataset.from_dict(
                {"sentences": [s for s, _ in data.sets], "labels": [lab for _, lab in data.sets]}
            )
        }
    )
    theirs = run_mteb(task, ds, enc, "test")
    ours = ClusteringLegacyEvaluator().evaluate(data, enc, _ctx("test", {}, random.Random(42)))
    assert_same(ours.scores, theirs, tol=0.0)
    assert ours.scores["v_measures"][-1] == 1.0  # type: ignore[index]
    assert enc.calls == [260]  # one call for every set with more than one label


@pytest.mark.oracle
def test_flatten_cluster_sets_equals_mteb() -> None:
    from datasets import Dataset, DatasetDict
    from mteb.abstasks.clustering import _convert_to_fast

    sets = [
        (["a", "b", "c", "a"], ["1", "2", "1", "1"]),
        (["d", "b", "e", "f"], ["2", "2", "1", "2"]),
    ]
    ds = DatasetDict(
        {
            split: Dataset.from_dict(
                {"sentences": [s for s, _ in sets], "labels": [lab for _, lab in sets]}
            )
            for split in ("test", "dev")
        }
    )
    out = _convert_to_fast(ds, "sentences", "labels", seed=42, max_size=4)
    rng = random.Random(42)
    for split in ("test", "dev"):
        texts, labels = flatten_cluster_sets(sets, rng, max_size=4)
        assert texts == out[split]["sentences"] and labels == out[split]["labels"]
