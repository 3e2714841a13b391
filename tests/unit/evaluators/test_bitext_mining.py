"""Bitext mining evaluator and nearest-neighbour search against mteb 2.26.24."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emboard.data.records import BitextMiningData
from emboard.errors import DataError
from emboard.evaluators.base import EvalContext, SimilarityName
from emboard.evaluators.bitext_mining import BitextMiningEvaluator
from emboard.evaluators.metrics import bitext as bitext_metrics_module
from emboard.evaluators.metrics.bitext import BITEXT_KEYS, bitext_metrics, nearest_neighbours
from tests.unit.evaluators._fake_mteb_model import assert_same, fresh_task
from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

pytestmark = pytest.mark.filterwarnings("ignore:To copy construct from a tensor:UserWarning")


def _pairs(n: int, seed: int, prefix: str = "") -> tuple[list[str], list[str], dict[str, Any]]:
    """Sources and noisy translations; some duplicated targets (exact similarity ties) and
    some sources without a close translation."""
    rng = np.random.default_rng(seed)
    src = [f"{prefix}src {i}" for i in range(n)]
    tgt = [f"{prefix}tgt {i}" for i in range(n)]
    base = rng.standard_normal((n, 12)).astype(np.float32)
    noise = rng.standard_normal((n, 12)).astype(np.float32) * 0.8
    vectors = {s: base[i] for i, s in enumerate(src)}
    vectors |= {t: base[i] + noise[i] for i, t in enumerate(tgt)}
    for i in range(5, n, 9):
        tgt[i] = tgt[i - 1]  # duplicate target text → identical vectors → tied neighbours
    return src, tgt, vectors


def _ctx(similarity: SimilarityName = "cosine", subset: str = "deu-eng") -> EvalContext:
    return EvalContext("Tatoeba", "BitextMining", "test", subset, {}, similarity=similarity)


def _mteb_evaluate(task: Any, dataset: Any, model: SimilarityEncoder, subset: str) -> Any:
    task.dataset = dataset
    task.data_loaded = True
    return task.evaluate(
        model, split="test", subsets_to_run=[subset], encode_kwargs={"batch_size": 64}
    )


def _strip(scores: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in scores.items() if k != "main_score"}


@pytest.mark.oracle
@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
def test_bitext_equals_mteb_synthetic(similarity: SimilarityName) -> None:
    from datasets import Dataset, DatasetDict

    src, tgt, vectors = _pairs(230, seed=len(similarity))  # 3 query chunks of 100
    model = SimilarityEncoder(src + tgt, similarity=similarity, vectors=vectors)
    rows = Dataset.from_dict({"sentence1": src, "sentence2": tgt})
    theirs = _mteb_evaluate(
        fresh_task("Tatoeba"), {"deu-eng": DatasetDict({"test": rows})}, model, "deu-eng"
    )
    ours = BitextMiningEvaluator().evaluate(BitextMiningData(src, tgt), model, _ctx(similarity))
    assert list(ours.scores) == list(BITEXT_KEYS) == list(_strip(theirs["deu-eng"]))
    assert_same(ours.scores, _strip(theirs["deu-eng"]), "Tatoeba", tol=0.0)
    accuracy = float(ours.scores["accuracy"])  # type: ignore[arg-type]
    assert 0.2 < accuracy < 1.0
    assert ours.outcomes["correct"].mean() == accuracy


@pytest.mark.oracle
def test_nearest_neighbours_across_corpus_chunks_equal_mteb(monkeypatch: Any) -> None:
    from mteb._evaluators.text.bitext_mining_evaluator import BitextMiningEvaluator as Mteb

    src, tgt, vectors = _pairs(120, seed=9)
    tgt[30] = tgt[6] = tgt[5]  # "tgt 4" at 4, 5, 6 (chunk 0) and 30 (chunk 4) of chunks of 7
    vectors["tgt 4"] = vectors["src 4"]  # ... and the exact match of query 4
    model: Any = SimilarityEncoder(src + tgt, vectors=vectors)
    queries, corpus = model(src), model(tgt)
    evaluator = Mteb.__new__(Mteb)
    theirs = evaluator._similarity_search(queries, corpus, model, corpus_chunk_size=7)
    monkeypatch.setattr(bitext_metrics_module, "CORPUS_CHUNK", 7)
    ours = nearest_neighbours(queries, corpus, "cosine")
    assert ours.tolist() == [hit["corpus_id"] for hit in theirs]
    assert ours[4] in {4, 5, 6}  # a tie inside a chunk goes to torch.topk, across to the first


@pytest.mark.oracle
def test_bucc_gold_equals_mteb() -> None:
    """Old BUCC: a dict split with an explicit gold list, indexed by query position."""
    src, tgt, vectors = _pairs(60, seed=4)
    rng = np.random.default_rng(5)
    order = rng.permutation(60)
    shuffled = [tgt[j] for j in order]  # target of source i now sits at position inv[i]
    inverse = np.argsort(order)
    gold = [(i, int(inverse[i])) for i in range(60)]
    model = SimilarityEncoder(src + tgt, vectors=vectors)
    split = {"sentence1": src, "sentence2": shuffled, "gold": gold}
    theirs = _mteb_evaluate(fresh_task("BUCC"), {"de-en": {"test": split}}, model, "de-en")
    data = BitextMiningData(src, shuffled, gold)
    ours = BitextMiningEvaluator().evaluate(data, model, _ctx(subset="de-en"))
    assert_same(ours.scores, _strip(theirs["de-en"]), "BUCC", tol=0.0)
    assert float(ours.scores["accuracy"]) > 0.2  # type: ignore[arg-type]


@pytest.mark.oracle
def test_parallel_subsets_equal_mteb() -> None:
    """Parallel datasets: one table, each subset ``xxx-yyy`` pairs two of its columns."""
    from datasets import Dataset, DatasetDict

    src, tgt, vectors = _pairs(50, seed=6)
    third = [f"third {i}" for i in range(50)]
    model = SimilarityEncoder(src + tgt + third, dim=12, vectors=vectors, seed=8)
    columns = {"deu_Latn": src, "eng_Latn": tgt, "fra_Latn": third}
    task = fresh_task("NTREXBitextMining")
    task.hf_subsets = ["deu_Latn-eng_Latn", "eng_Latn-deu_Latn", "fra_Latn-eng_Latn"]
    theirs = _mteb_evaluate(task, DatasetDict({"test": Dataset.from_dict(columns)}), model, "")
    assert set(theirs) == set(task.hf_subsets)
    for subset in task.hf_subsets:
        first, second = subset.split("-")
        data = BitextMiningData(columns[first], columns[second])
        ours = BitextMiningEvaluator().evaluate(data, model, _ctx(subset=subset))
        assert_same(ours.scores, _strip(theirs[subset]), subset, tol=0.0)


def test_metrics_by_hand_and_bad_gold() -> None:
    scores = bitext_metrics([0, 1, 2, 3], np.array([0, 1, 1, 9]))
    assert scores["accuracy"] == 0.5
    # per gold class (support 1 each): P = 1, 0.5, 0, 0; R = 1, 1, 0, 0
    assert scores["precision"] == pytest.approx(1.5 / 4)
    assert scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx((1 + 2 / 3) / 4)
    src, tgt, vectors = _pairs(10, seed=0)
    model = SimilarityEncoder(src + tgt, vectors=vectors)
    with pytest.raises(DataError, match="gold"):
        BitextMiningEvaluator().evaluate(BitextMiningData(src, tgt, [(0, 0)]), model, _ctx())
