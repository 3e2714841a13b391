"""Summarization evaluators (current and SummEval's deprecated one) against mteb 2.26.24."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emboard.data.records import SummarizationData
from emboard.errors import DataError, TaskDefinitionError
from emboard.evaluators.base import EvalContext, SimilarityName
from emboard.evaluators.metrics.correlation import mean_statistic, mean_statistic_and_pvalue
from emboard.evaluators.metrics.summarization import KEYS
from emboard.evaluators.summarization import (
    DeprecatedSummarizationEvaluator,
    SummarizationEvaluator,
)
from tests.unit.evaluators._fake_mteb_model import assert_same, fresh_task
from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

pytestmark = pytest.mark.filterwarnings(
    "ignore:The used Evaluator is deprecated:DeprecationWarning"
)

SUMMEVAL_ROWS = Path("/work/shared/data/tasks/SummEval/test.jsonl.gz")


def _synthetic(n_rows: int, seed: int) -> SummarizationData:
    """Rows with tied gold scores, a row with constant gold, a row whose machine summaries are
    all the same text, and machine summaries that copy a human summary."""
    rng = np.random.default_rng(seed)
    human = [[f"human {i}.{j}" for j in range(3)] for i in range(n_rows)]
    machine = [[f"machine {i}.{j}" for j in range(6)] for i in range(n_rows)]
    relevance = [rng.integers(1, 6, 6).astype(float).tolist() for _ in range(n_rows)]
    relevance[0] = [3.0] * 6  # skipped: constant gold
    machine[1] = ["same machine summary"] * 6  # skipped: constant predictions
    for i in range(2, n_rows, 3):
        machine[i][0] = human[i][1]
        machine[i][4] = machine[i][2]
    relevance[3][:3] = [4.333333333333333, 1.6666666666666667, 2.6666666666666665]
    return SummarizationData(human, machine, relevance)


def _texts(data: SummarizationData) -> list[str]:
    return [s for rows in (data.human_summaries, data.machine_summaries) for r in rows for s in r]


def _ctx(similarity: SimilarityName = "cosine", **params: Any) -> EvalContext:
    params = {"min_score": 0, "max_score": 5} | params
    return EvalContext(
        "SummEval", "Summarization", "test", "default", params, similarity=similarity
    )


def _mteb_task_scores(
    task_name: str, data: SummarizationData, model: SimilarityEncoder
) -> dict[str, Any]:
    from datasets import Dataset, DatasetDict

    rows = {
        "text": [f"text {i}" for i in range(len(data.relevance))],
        "human_summaries": data.human_summaries,
        "machine_summaries": data.machine_summaries,
        "relevance": data.relevance,
    }
    task = fresh_task(task_name)
    task.dataset = DatasetDict({"test": Dataset.from_dict(rows)})
    task.data_loaded = True
    scores = task.evaluate(model, split="test", encode_kwargs={"batch_size": 64})
    out: dict[str, Any] = dict(scores["default"])
    out.pop("main_score")
    return out


@pytest.mark.oracle
@pytest.mark.parametrize("similarity", ["cosine", "dot"])  # mteb's euclidean_sim fails on 1-D
def test_summarization_equals_mteb_synthetic(similarity: SimilarityName) -> None:
    data = _synthetic(14, seed=len(similarity))
    model = SimilarityEncoder(_texts(data), dim=8, seed=3, similarity=similarity)
    current = SummarizationEvaluator().evaluate(data, model, _ctx(similarity))
    deprecated = DeprecatedSummarizationEvaluator().evaluate(data, model, _ctx(similarity))
    theirs_current = _mteb_task_scores("SummEvalSummarization.v2", data, model)
    theirs_deprecated = _mteb_task_scores("SummEval", data, model)
    assert list(current.scores) == list(theirs_current) == list(KEYS)
    assert_same(current.scores, theirs_current, "v2", tol=0.0)
    assert_same(deprecated.scores, theirs_deprecated, "SummEval", tol=0.0)
    kept = current.outcomes["kept_rows"].tolist()
    assert 0 not in kept and 1 not in kept and len(kept) == 12
    per_text = current.outcomes["cosine_spearman_per_text"]
    assert float(np.mean(per_text)) == current.scores["cosine_spearman"]


def test_deprecated_mean_by_hand() -> None:
    rows = [(0.5, 0.2), (-0.25, 0.01), (1.0, 0.0)]
    assert mean_statistic(rows) == pytest.approx(1.25 / 3)
    assert mean_statistic_and_pvalue(rows) == pytest.approx((1.25 / 3 + 0.21 / 3) / 2)


def test_bad_input() -> None:
    data = _synthetic(4, seed=0)
    model = SimilarityEncoder(_texts(data))
    with pytest.raises(TaskDefinitionError, match="min_score"):
        SummarizationEvaluator().evaluate(
            data, model, EvalContext("T", "Summarization", "test", "default", {})
        )
    bad = SummarizationData(data.human_summaries, data.machine_summaries, [[1.0]] * 4)
    with pytest.raises(DataError, match="row 0"):
        SummarizationEvaluator().evaluate(bad, model, _ctx())


@pytest.mark.oracle
@pytest.mark.skipif(not SUMMEVAL_ROWS.exists(), reason="shared SummEval rows not available")
def test_summeval_real_rows_equal_mteb() -> None:
    from mteb._evaluators.text.summarization_evaluator import (
        DeprecatedSummarizationEvaluator as MtebDeprecated,
    )
    from mteb._evaluators.text.summarization_evaluator import (
        SummarizationEvaluator as MtebCurrent,
    )
    from mteb.timing import TimingStack

    with gzip.open(SUMMEVAL_ROWS, "rt") as f:
        rows = [json.loads(line) for line in f]
    data = SummarizationData(
        [r["human_summaries"] for r in rows],
        [r["machine_summaries"] for r in rows],
        [r["relevance"] for r in rows],
    )
    model: Any = SimilarityEncoder(_texts(data), dim=32, seed=5)
    task = fresh_task("SummEval")
    gold = [((np.array(x) - 0) / (5 - 0)).tolist() for x in data.relevance]
    evaluator = MtebCurrent(
        data.human_summaries,
        data.machine_summaries,
        [r["text"] for r in rows],
        gold,
        task_metadata=task.metadata,
        hf_split="test",
        hf_subset="default",
        timer=TimingStack(),
    )
    distances = evaluator(model, encode_kwargs={"batch_size": 64})
    current = SummarizationEvaluator().evaluate(data, model, _ctx())
    deprecated = DeprecatedSummarizationEvaluator().evaluate(data, model, _ctx())
    assert_same(current.scores, MtebCurrent._calculate_metrics(evaluator, distances), "v2", 0.0)
    theirs = MtebDeprecated._calculate_metrics(evaluator, distances)  # type: ignore[arg-type]
    assert_same(deprecated.scores, theirs, "SummEval", tol=0.0)
