"""Pair classification evaluator and threshold metrics against mteb 2.26.24 (and by hand)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emboard.data.records import PairClassificationData
from emboard.errors import DataError
from emboard.evaluators.base import EvalContext, SimilarityName
from emboard.evaluators.metrics.threshold import (
    THRESHOLD_KEYS,
    average_precision,
    best_accuracy,
    best_f1,
    threshold_metrics,
)
from emboard.evaluators.pair_classification import PairClassificationEvaluator
from emboard.types import PromptType
from tests.unit.evaluators._fake_mteb_model import assert_same, fresh_task
from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

TWITTER_ROWS = Path("/work/shared/data/tasks/TwitterURLCorpus-test-subset/test.jsonl.gz")
FAMILIES = ("similarity", "cosine", "manhattan", "euclidean", "dot")


def _mteb_task() -> Any:
    from mteb.abstasks.pair_classification import AbsTaskPairClassification

    return AbsTaskPairClassification.__new__(AbsTaskPairClassification)


def _cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Random scores with many ties, plus edge cases (one row, one class, all tied)."""
    rng = np.random.default_rng(0)
    cases = []
    for n, decimals in [(2, 3), (7, 1), (40, 1), (200, 2), (500, 6)]:
        scores = np.round(rng.standard_normal(n), decimals)
        cases.append((scores, rng.integers(0, 2, n)))
    cases.append((np.array([0.3, 0.3, 0.3, 0.3]), np.array([1, 0, 1, 0])))
    cases.append((np.array([0.1, 0.5, 0.2]), np.array([0, 0, 0])))
    cases.append((np.array([0.1, 0.5, 0.2]), np.array([1, 1, 1])))
    cases.append((np.array([0.4]), np.array([1])))
    return cases


@pytest.mark.oracle
@pytest.mark.parametrize("case", range(9))
@pytest.mark.parametrize("descending", [True, False])
def test_threshold_metrics_equal_mteb(case: int, descending: bool) -> None:
    scores, labels = _cases()[case]
    task = _mteb_task()
    acc, _ = task._find_best_acc_and_threshold(scores.tolist(), labels, descending)
    f1, p, r, _ = task._find_best_f1_and_threshold(scores.tolist(), labels, descending)
    assert best_accuracy(scores, labels, descending) == acc
    assert best_f1(scores, labels, descending) == (f1, p, r)
    if 0 < labels.sum() < len(labels):
        theirs = task._compute_metrics_values(scores.tolist(), labels, descending)
        ours = threshold_metrics(scores.astype(np.float32), labels, descending)
        assert dict(ours) == theirs
        assert list(ours) == list(THRESHOLD_KEYS) == list(theirs)


def test_threshold_metrics_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.8, 0.3, 0.1])
    labels = np.array([1, 1, 0, 1, 0])
    # cuts: after 0.9 → acc 3/5; after the 0.8 tie → 4/5; after 0.3 → 4/5 (not better)
    assert best_accuracy(scores, labels, True) == 0.8
    # after the tie: P = 2/3, R = 2/3; after 0.3: P = 3/4, R = 1 → F1 = 6/7
    assert best_f1(scores, labels, True) == pytest.approx((6 / 7, 0.75, 1.0))
    # AP: thresholds 0.9 (P 1, R 1/3), 0.8 (P 2/3, R 2/3), 0.3 (P 3/4, R 1)
    assert average_precision(scores, labels, True) == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    assert average_precision(-scores, labels, False) == average_precision(scores, labels, True)


def _synthetic(n: int, seed: int) -> PairClassificationData:
    """Pairs with identical sentences (mostly positives) and repeated pairs (tied scores)."""
    rng = np.random.default_rng(seed)
    s1 = [f"first {i}" for i in range(n)]
    s2 = [f"second {i}" for i in range(n)]
    labels = rng.integers(0, 2, n)
    for i in range(0, n, 7):
        s2[i] = s1[i]
    for i in range(3, n, 11):
        s1[i], s2[i] = s1[i - 1], s2[i - 1]
    return PairClassificationData(s1, s2, labels.astype(np.int64))


def _mteb_pairs(data: PairClassificationData, model: SimilarityEncoder) -> dict[str, Any]:
    from datasets import Dataset, DatasetDict

    task = fresh_task("TwitterURLCorpus")
    rows = {"sentence1": data.sentence1, "sentence2": data.sentence2, "labels": data.labels}
    task.dataset = DatasetDict({"test": Dataset.from_dict(rows)})
    task.data_loaded = True
    scores = task.evaluate(model, split="test", encode_kwargs={"batch_size": 64})
    out: dict[str, Any] = dict(scores["default"])
    out.pop("main_score")
    return out


def _ctx(similarity: SimilarityName = "cosine", **params: Any) -> EvalContext:
    return EvalContext(
        "TwitterURLCorpus", "PairClassification", "test", "default", params, similarity=similarity
    )


@pytest.mark.oracle
@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
def test_pair_classification_equals_mteb_synthetic(similarity: SimilarityName) -> None:
    data = _synthetic(150, seed=len(similarity))
    model = SimilarityEncoder(data.sentence1 + data.sentence2, seed=7, similarity=similarity)
    ours = PairClassificationEvaluator().evaluate(data, model, _ctx(similarity))
    theirs = _mteb_pairs(data, model)
    expected = [f"{f}_{m}" for f in FAMILIES for m in THRESHOLD_KEYS]
    assert list(ours.scores) == list(theirs) == expected + [f"max_{m}" for m in THRESHOLD_KEYS]
    assert_same(ours.scores, theirs, "pairs", tol=0.0)
    assert set(ours.outcomes) == {"labels", *FAMILIES}
    assert all(len(v) == 150 for v in ours.outcomes.values())


def test_prompt_types_and_bad_input() -> None:
    data = _synthetic(20, seed=1)
    model = SimilarityEncoder(data.sentence1 + data.sentence2)
    seen: list[PromptType | None] = []

    def embed(texts: Any, prompt_type: PromptType | None = None) -> Any:
        seen.append(prompt_type)
        return model(texts, prompt_type)

    ctx = _ctx(input1_prompt_type="query", input2_prompt_type="document")
    PairClassificationEvaluator().evaluate(data, embed, ctx)
    PairClassificationEvaluator().evaluate(data, embed, _ctx())
    assert seen == [PromptType.query, PromptType.document, None, None]
    short = PairClassificationData(data.sentence1, data.sentence2[:-1], data.labels)
    with pytest.raises(DataError, match="sentence2"):
        PairClassificationEvaluator().evaluate(short, model, _ctx())


@pytest.mark.oracle
@pytest.mark.skipif(not TWITTER_ROWS.exists(), reason="shared TwitterURLCorpus rows not available")
def test_twitter_url_real_rows_equal_mteb() -> None:
    with gzip.open(TWITTER_ROWS, "rt") as f:
        row = json.loads(f.readline())
    data = PairClassificationData(
        row["sentence1"], row["sentence2"], np.asarray(row["labels"], dtype=np.int64)
    )
    model = SimilarityEncoder(data.sentence1 + data.sentence2, dim=32, seed=21)
    ours = PairClassificationEvaluator().evaluate(data, model, _ctx())
    assert_same(ours.scores, _mteb_pairs(data, model), "TwitterURLCorpus", tol=0.0)
