"""STS evaluator and correlation / pair-score metrics against mteb 2.26.24 (and by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emboard.data.records import STSData
from emboard.errors import DataError, TaskDefinitionError
from emboard.evaluators.base import EvalContext, SimilarityName
from emboard.evaluators.metrics.correlation import pearson_spearman
from emboard.evaluators.metrics.pair_scores import pair_scores
from emboard.evaluators.sts import STSEvaluator, normalise
from tests.unit.evaluators._fake_mteb_model import assert_same, fresh_task
from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

STS12_ROWS = Path("/work/shared/data/tasks/STS12/test.jsonl")


def _synthetic(n: int, n_identical: int, seed: int) -> STSData:
    """Pairs with integer gold scores (many ties), some identical sentence pairs and some
    repeated pairs (exactly tied predictions)."""
    rng = np.random.default_rng(seed)
    s1 = [f"left {i}" for i in range(n)]
    s2 = [f"right {i}" for i in range(n)]
    for i in range(n_identical):
        s2[i] = s1[i]
    s1[-1], s2[-1] = s1[-2], s2[-2]  # a repeated pair
    scores = rng.integers(0, 6, size=n).astype(np.float64)
    scores[:3] = [2.4, 3.8, 4.2]
    return STSData(s1, s2, scores)


def _ctx(similarity: SimilarityName = "cosine", **params: Any) -> EvalContext:
    return EvalContext("STS12", "STS", "test", "default", params, similarity=similarity)


def _mteb_sts(
    task_name: str, subset: str, data: STSData, model: SimilarityEncoder
) -> dict[str, Any]:
    from datasets import Dataset, DatasetDict

    task = fresh_task(task_name)
    split = DatasetDict(
        {
            "test": Dataset.from_dict(
                {"sentence1": data.sentence1, "sentence2": data.sentence2, "score": data.scores}
            )
        }
    )
    task.dataset = {subset: split} if subset != "default" else split
    task.data_loaded = True
    scores = task.evaluate(
        model, split="test", subsets_to_run=[subset], encode_kwargs={"batch_size": 32}
    )
    out: dict[str, Any] = dict(scores[subset])
    out.pop("main_score")
    return out


def test_correlations_by_hand() -> None:
    gold = [1.0, 2.0, 2.0, 3.0]
    pred = [0.1, 0.3, 0.2, 0.4]
    pearson, spearman = pearson_spearman(gold, np.asarray(pred, dtype=np.float32))
    # gold ranks 1, 2.5, 2.5, 4; pred ranks 1, 3, 2, 4 → rho = 4.5 / sqrt(4.5 * 5)
    assert spearman == pytest.approx(4.5 / np.sqrt(4.5 * 5.0), abs=1e-12)
    gm, pm = np.mean(gold), np.mean(pred)
    cov = sum((g - gm) * (p - pm) for g, p in zip(gold, pred, strict=True))
    var = np.sqrt(sum((g - gm) ** 2 for g in gold) * sum((p - pm) ** 2 for p in pred))
    assert pearson == pytest.approx(cov / var, abs=1e-7)


def test_normalise_by_hand() -> None:
    out = normalise(np.array([1.0, 2.5, 4.0]), (1.0, 4.0))
    assert out.tolist() == [0.0, 0.5, 1.0]


@pytest.mark.oracle
def test_pair_scores_equal_mteb_computation() -> None:
    from sklearn.metrics.pairwise import (
        paired_cosine_distances,
        paired_euclidean_distances,
        paired_manhattan_distances,
    )

    rng = np.random.default_rng(3)
    e1 = rng.standard_normal((50, 24)).astype(np.float32) * 3
    e2 = rng.standard_normal((50, 24)).astype(np.float32)
    e2[:20] = e1[:20]  # identical pairs: sklearn's cosine is exactly 1 (a float cosine is not)
    ps = pair_scores(e1, e2, "cosine")
    assert ps.cosine.tolist() == (1 - paired_cosine_distances(e1, e2)).tolist()
    assert ps.manhattan.tolist() == paired_manhattan_distances(e1, e2).tolist()
    assert ps.euclidean.tolist() == paired_euclidean_distances(e1, e2).tolist()
    assert ps.dot.tolist() == [float(np.dot(e1[i], e2[i])) for i in range(50)]
    assert ps.cosine[:20].tolist() == [1.0] * 20
    naive = [float(np.dot(a, a) / (np.linalg.norm(a) * np.linalg.norm(a))) for a in e1[:20]]
    assert any(c != 1.0 for c in naive)


@pytest.mark.oracle
@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
def test_sts_equals_mteb_synthetic(similarity: SimilarityName) -> None:
    data = _synthetic(80, n_identical=15, seed=1)
    model = SimilarityEncoder(data.sentence1 + data.sentence2, seed=2, similarity=similarity)
    ours = STSEvaluator().evaluate(data, model, _ctx(similarity, min_score=0, max_score=5))
    theirs = _mteb_sts("STS12", "default", data, model)
    assert list(ours.scores) == list(theirs)
    assert_same(ours.scores, theirs, "STS", tol=0.0)
    assert set(ours.outcomes) == {"gold", "similarity", "cosine", "manhattan", "euclidean"}
    assert all(len(v) == 80 for v in ours.outcomes.values())


@pytest.mark.oracle
def test_sts_bounds_from_params_equal_mteb() -> None:
    data = _synthetic(40, n_identical=5, seed=4)
    data = STSData(data.sentence1, data.sentence2, 1 + data.scores * 0.6)
    model = SimilarityEncoder(data.sentence1 + data.sentence2, seed=5)
    ours = STSEvaluator().evaluate(data, model, _ctx(min_score=1, max_score=4))
    theirs = _mteb_sts("STS22", "en", data, model)
    assert_same(ours.scores, theirs, "STS22", tol=0.0)
    assert ours.outcomes["gold"].tolist() == [(s - 1) / 3 for s in data.scores.tolist()]


def test_sts_default_bounds_and_bad_input() -> None:
    data = _synthetic(10, n_identical=0, seed=0)
    model = SimilarityEncoder(data.sentence1 + data.sentence2)
    result = STSEvaluator().evaluate(data, model, _ctx())
    assert result.outcomes["gold"].tolist() == (data.scores / 5).tolist()
    with pytest.raises(TaskDefinitionError, match="min_score"):
        STSEvaluator().evaluate(data, model, _ctx(min_score=2, max_score=2))
    with pytest.raises(TaskDefinitionError, match="max_score"):
        STSEvaluator().evaluate(data, model, _ctx(max_score="five"))
    short = STSData(data.sentence1[:-1], data.sentence2, data.scores)
    with pytest.raises(DataError, match="sentence1"):
        STSEvaluator().evaluate(short, model, _ctx())


@pytest.mark.oracle
@pytest.mark.skipif(not STS12_ROWS.exists(), reason="shared STS12 rows not available")
def test_sts12_real_rows_equal_mteb() -> None:
    rows = [json.loads(line) for line in STS12_ROWS.read_text().splitlines()]
    data = STSData(
        [r["sentence1"] for r in rows],
        [r["sentence2"] for r in rows],
        np.asarray([r["score"] for r in rows], dtype=np.float64),
    )
    assert sum(a == b for a, b in zip(data.sentence1, data.sentence2, strict=True)) > 0
    model = SimilarityEncoder(data.sentence1 + data.sentence2, dim=32, seed=12)
    ours = STSEvaluator().evaluate(data, model, _ctx(min_score=0, max_score=5))
    theirs = _mteb_sts("STS12", "default", data, model)
    assert_same(ours.scores, theirs, "STS12", tol=0.0)
