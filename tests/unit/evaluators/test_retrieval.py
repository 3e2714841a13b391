"""Retrieval/reranking metrics and evaluator against mteb 2.26.24's own code on synthetic data."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from emboard.data.records import RetrievalData
from emboard.errors import DataError, ModelError
from emboard.evaluators.base import EvalContext
from emboard.evaluators.metrics.ranking import (
    K_VALUES,
    followir_scores,
    max_over_subqueries,
    paired_accuracy,
    ranking_scores,
    robustness_at_10,
)
from emboard.evaluators.retrieval import (
    RetrievalEvaluator,
    dense_search,
    query_texts,
    rerank,
    to_run,
)
from emboard.types import FloatArray, PromptType

MTEB_SIM = {"cosine": "cos_sim", "dot": "dot_score", "euclidean": "euclidean_sim"}


def same(ours: Any, theirs: Any, where: str = "") -> None:
    """Exact equality of nested score structures (NaN equals NaN); key order included."""
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{where}: keys differ"
        for key in theirs:
            same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours), where
    else:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


# ---------------------------------------------------------------- synthetic runs and qrels


def synthetic(seed: int, n_queries: int = 40, n_docs: int = 80) -> tuple[dict, dict]:  # type: ignore[type-arg]
    rng = random.Random(seed)
    docs = [f"d{i}" for i in range(n_docs)]
    qrels = {
        f"q{i}": {d: rng.choice([0, 1, 1, 2, 3]) for d in rng.sample(docs, rng.randint(1, 8))}
        for i in range(n_queries)
    }
    qrels["q0"] = {d: 0 for d in docs[:3]}  # judged, nothing relevant
    run = {
        q: {d: round(rng.random(), 1) for d in rng.sample(docs, rng.randint(2, 60))}  # ties
        for q in qrels
    }
    run["q1"] = {}  # nothing retrieved
    run["q2"] = {"d5": 0.5}  # a single result
    run["q3"] = {d: 0.25 for d in docs[:20]}  # all tied
    return qrels, run


def mteb_scores(run: dict, qrels: dict, skip_first: bool = False) -> tuple[dict, Any]:  # type: ignore[type-arg]
    from mteb._evaluators.retrieval_metrics import calculate_retrieval_scores, make_score_dict

    res = calculate_retrieval_scores(run, qrels, list(K_VALUES), skip_first)
    scores = make_score_dict(
        ndcg=res[1],
        _map=res[2],
        recall=res[3],
        precision=res[4],
        naucs=res[5],
        mrr=res[6],
        naucs_mrr=res[7],
        hit_rate=res[8],
        task_scores={},
    )
    return scores, res


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("skip_first_result", [False, True])
def test_ranking_scores_equal_mteb(seed: int, skip_first_result: bool) -> None:
    from mteb._evaluators.retrieval_metrics import mrr

    qrels, run = synthetic(seed)
    ours = ranking_scores(qrels, run, skip_first_result=skip_first_result)
    theirs, res = mteb_scores(run, qrels, skip_first_result)
    same(ours.scores, theirs)
    assert ours.trec == res[0]
    per_query = res[0]
    for k in K_VALUES:
        assert list(ours.per_query[f"ndcg_at_{k}"]) == [
            v[f"ndcg_cut_{k}"] for v in per_query.values()
        ]
        assert list(ours.per_query[f"precision_at_{k}"]) == [
            v[f"P_{k}"] for v in per_query.values()
        ]
        assert list(ours.per_query[f"hit_rate_at_{k}"]) == [
            v[f"success_{k}"] for v in per_query.values()
        ]
    if not skip_first_result:
        expected = mrr(qrels, run, list(K_VALUES))
        for k in K_VALUES:
            assert list(ours.per_query[f"mrr_at_{k}"]) == expected[f"MRR@{k}"]


def test_ranking_scores_by_hand() -> None:
    qrels = {"q": {"a": 2, "b": 0, "c": 1, "z": 1}}
    run = {"q": {"b": 0.9, "a": 0.5, "c": 0.5, "x": 0.1}}  # a/c tied: "c" ranks first (id desc)
    s = ranking_scores(qrels, run).scores
    # ranking: b(0), c(1), a(2), x(0); ideal: 2, 1, 1
    dcg3 = 1 / math.log2(3) + 2 / math.log2(4)
    idcg3 = 2 + 1 / math.log2(3) + 1 / math.log2(4)
    assert s["ndcg_at_3"] == round(dcg3 / idcg3, 5)
    assert s["mrr_at_1"] == 0.0 and s["mrr_at_3"] == 0.5
    assert s["precision_at_3"] == round(2 / 3, 5) and s["precision_at_5"] == round(2 / 5, 5)
    assert s["recall_at_3"] == round(2 / 3, 5) and s["accuracy"] == 0.0
    assert s["map_at_3"] == round((1 / 2 + 2 / 3) / 3, 5)
    assert s["hit_rate_at_1"] == 0.0 and s["hit_rate_at_3"] == 1.0
    assert math.isnan(s["nauc_ndcg_at_3_max"])  # one query: the oracle curve is flat


def test_ranking_scores_rejects_bad_runs() -> None:
    with pytest.raises(DataError, match="no queries"):
        ranking_scores({"q": {"a": 1}}, {})
    with pytest.raises(DataError, match="no qrels"):
        ranking_scores({"q": {"a": 1}}, {"other": {"a": 1.0}})


@pytest.mark.oracle
def test_max_over_subqueries_equals_mteb() -> None:
    from mteb._evaluators import retrieval_metrics as rm

    rng = random.Random(7)
    docs = [f"n{i}" for i in range(30)]
    qrels, run = {}, {}
    for user in range(25):
        judged = {d: rng.choice([0, 0, 1]) for d in rng.sample(docs, 10)}
        for j in range(rng.randint(1, 4)):
            qrels[f"u_{user}_{j}"] = judged
            run[f"u_{user}_{j}"] = {d: round(rng.random(), 2) for d in judged}
    same(max_over_subqueries(qrels, run), rm.max_over_subqueries(qrels, run, list(K_VALUES)))


@pytest.mark.oracle
def test_paired_accuracy_and_robustness_equal_mteb() -> None:
    from mteb._evaluators import retrieval_metrics as rm

    rng = random.Random(3)
    docs = [f"d{i}" for i in range(12)]
    qrels = {f"{b}_q{j}": {rng.choice(docs): 1} for b in range(20) for j in (1, 2)}
    run = {q: {d: rng.random() for d in docs} for q in qrels}
    trec = ranking_scores(qrels, run).trec
    assert paired_accuracy(qrels, trec) == rm.paired_accuracy(qrels, run, trec)
    assert robustness_at_10(qrels, trec) == rm.robustness_at_10(qrels, run, trec)


@pytest.mark.oracle
def test_followir_scores_equal_mteb() -> None:
    from mteb._evaluators import retrieval_metrics as rm

    rng = random.Random(5)
    docs = [f"d{i}" for i in range(40)]
    qrels, run, changed = {}, {}, {}
    for q in range(15):
        judged = {d: rng.choice([0, 1]) for d in rng.sample(docs, 12)}
        qrels[f"{q}-og"] = judged
        qrels[f"{q}-changed"] = {d: g if rng.random() < 0.7 else 0 for d, g in judged.items()}
        changed[str(q)] = [d for d in judged if judged[d] != qrels[f"{q}-changed"][d]] or [docs[0]]
        for side in ("og", "changed"):
            run[f"{q}-{side}"] = {d: round(rng.random(), 2) for d in rng.sample(docs, 25)}
    ours = followir_scores(qrels, run, changed)
    theirs = rm.evaluate_p_mrr_change(qrels, run, changed, list(K_VALUES))
    assert ours["p-MRR"] == pytest.approx(theirs["p-MRR"], abs=1e-12)
    same(ours["og"], theirs["og"])
    same(ours["changed"], theirs["changed"])


# ---------------------------------------------------------------- search vs mteb's search


class FakeModel:
    """An mteb EncoderProtocol returning fixed embeddings looked up by text."""

    def __init__(self, table: dict[str, np.ndarray], similarity: str) -> None:
        from mteb import similarity_functions

        self.table = table
        self.sim = getattr(similarity_functions, MTEB_SIM[similarity])
        self.calls: list[list[str]] = []

    @property
    def mteb_model_meta(self) -> None:
        return None

    def encode(self, inputs: Any, **kwargs: Any) -> np.ndarray:
        texts = [t for batch in inputs for t in batch["text"]]
        self.calls.append(texts)
        return np.stack([self.table[t] for t in texts]).astype(np.float32)

    def similarity(self, a: Any, b: Any) -> Any:
        return self.sim(a, b)

    def similarity_pairwise(self, a: Any, b: Any) -> Any:
        raise NotImplementedError


def fake_embed(table: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    def embed(texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
        return np.stack([table[t] for t in texts]).astype(np.float32)

    return embed


def make_data(
    seed: int,
    n_queries: int = 30,
    n_docs: int = 120,
    dim: int = 8,
    ties: bool = False,
    reranking: bool = False,
    instructions: bool = False,
    repeat: bool = True,
) -> tuple[RetrievalData, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    corpus_ids = [f"doc{i:03d}" for i in rng.permutation(n_docs)]  # not in sorted order
    corpus_ids[:3] = ["q1", "q2", "x"]  # ids shared with queries (ignore_identical_ids)
    query_ids = [f"q{i}" for i in range(n_queries)]
    if repeat:
        query_ids[-4] = "q6"  # a repeated query id: MTEB merges its rows into one result
    qtexts = [f"query text {i}" for i in range(n_queries)]
    inst = [f"instruction {i % 3}" for i in range(n_queries)] if instructions else None
    doc_texts = [f"document {i}" for i in range(n_docs)]
    qrels = {
        q: {
            str(d): int(g)
            for d, g in zip(rng.choice(corpus_ids, 4), rng.integers(0, 3, 4), strict=True)
        }
        for q in query_ids[:-3]  # the last 3 queries have no qrels: dropped as MTEB drops them
    }
    qrels["q4"] = {}
    texts = query_texts(qtexts, inst) + doc_texts
    vecs = rng.integers(-2, 3, (len(texts), dim)) if ties else rng.normal(size=(len(texts), dim))
    table = {t: v.astype(np.float32) for t, v in zip(texts, vecs, strict=True)}
    top_ranked = None
    if reranking:
        top_ranked = {
            q: [str(d) for d in rng.choice(corpus_ids, 25, replace=False)] for q in query_ids[1:]
        }
        top_ranked["q2"] = []
    data = RetrievalData(corpus_ids, doc_texts, query_ids, qtexts, qrels, top_ranked, inst)
    return data, table


def kept_queries(data: RetrievalData, table: dict[str, np.ndarray]) -> tuple[list[str], FloatArray]:
    """The ids of the queries MTEB keeps (non-empty qrels) and their embeddings."""
    rows = [i for i, q in enumerate(data.query_ids) if data.qrels.get(q)]
    texts = query_texts(data.query_texts, data.instructions)
    return [data.query_ids[i] for i in rows], fake_embed(table)([texts[i] for i in rows])


def mteb_datasets(data: RetrievalData) -> tuple[Any, Any]:
    from datasets import Dataset

    corpus = Dataset.from_dict(
        {"id": data.corpus_ids, "title": [""] * len(data.corpus_ids), "text": data.corpus_texts}
    )
    columns = {"id": data.query_ids, "text": data.query_texts}
    if data.instructions is not None:
        columns["instruction"] = data.instructions
    return corpus, Dataset.from_dict(columns)


def mteb_run(data: RetrievalData, table: dict, similarity: str, chunk: int, top_k: int) -> dict:  # type: ignore[type-arg]
    """mteb's RetrievalEvaluator search over the same data (the queries MTEB keeps)."""
    import mteb
    from mteb._evaluators.retrieval_evaluator import RetrievalEvaluator as MtebEvaluator
    from mteb.abstasks.retrieval import _filter_queries_without_positives
    from mteb.models.search_wrappers import SearchEncoderWrapper
    from mteb.timing import TimingStack

    corpus, queries = mteb_datasets(data)
    _, queries = _filter_queries_without_positives(dict(data.qrels), queries)
    evaluator = MtebEvaluator(
        corpus,
        queries,
        task_metadata=mteb.get_task("SciFact").metadata,
        hf_split="test",
        hf_subset="default",
        top_k=top_k,
        top_ranked=data.top_ranked,
        timer=TimingStack(),
    )
    search = SearchEncoderWrapper(FakeModel(table, similarity), corpus_chunk_size=chunk)
    result: dict = evaluator(search, encode_kwargs={"batch_size": 16, "show_progress_bar": False})  # type: ignore[type-arg]
    return result


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("similarity", "ties", "chunk", "top_k"),
    [
        ("cosine", False, 50_000, 1000),
        ("dot", True, 50_000, 1000),
        ("cosine", False, 17, 5),  # many chunks, heaps evicting
        ("dot", True, 13, 7),  # ties at every chunk and heap boundary
        ("euclidean", True, 40, 10),
    ],
)
def test_dense_search_equals_mteb(similarity: str, ties: bool, chunk: int, top_k: int) -> None:
    data, table = make_data(11, ties=ties, instructions=True)
    theirs = mteb_run(data, table, similarity, chunk, top_k)
    kept, q_emb = kept_queries(data, table)
    embed = fake_embed(table)
    chunks = (
        (data.corpus_ids[s : s + chunk], embed(data.corpus_texts[s : s + chunk]))
        for s in range(0, len(data.corpus_ids), chunk)
    )
    ours = to_run(kept, dense_search(kept, q_emb, chunks, similarity, top_k))
    assert list(ours) == list(theirs)
    for qid in theirs:  # same docs, same scores, same dict order (heap order)
        assert list(ours[qid].items()) == list(theirs[qid].items()), qid


@pytest.mark.oracle
@pytest.mark.parametrize(("ties", "top_k"), [(False, 1000), (True, 10)])
def test_rerank_equals_mteb(ties: bool, top_k: int) -> None:
    data, table = make_data(12, ties=ties, reranking=True)
    theirs = mteb_run(data, table, "cosine", 50_000, top_k)
    kept, q_emb = kept_queries(data, table)
    d_emb = fake_embed(table)(data.corpus_texts)
    assert data.top_ranked is not None
    heaps = rerank(kept, q_emb, data.corpus_ids, d_emb, data.top_ranked, "cosine", top_k)
    ours = to_run(kept, heaps)
    assert list(ours) == list(theirs)
    for qid in theirs:
        assert list(ours[qid].items()) == list(theirs[qid].items()), qid


# ---------------------------------------------------------------- whole evaluator vs mteb's task


def mteb_subset_scores(data: RetrievalData, table: dict, similarity: str, ignore_ids: bool) -> dict:  # type: ignore[type-arg]
    import mteb
    from mteb.timing import TimingStack

    task = mteb.get_task("SciFact")
    task.ignore_identical_ids = ignore_ids
    corpus, queries = mteb_datasets(data)
    split = {
        "corpus": corpus,
        "queries": queries,
        "relevant_docs": dict(data.qrels),
        "top_ranked": data.top_ranked,
    }
    scores: dict = task._evaluate_subset(  # type: ignore[type-arg]
        FakeModel(table, similarity),
        split,
        encode_kwargs={"batch_size": 16, "show_progress_bar": False},
        hf_split="test",
        hf_subset="default",
        timer=TimingStack(),
    )
    return scores


def ctx(similarity: str = "cosine", **params: Any) -> EvalContext:
    return EvalContext("SciFact", "Retrieval", "test", "default", params, similarity)  # type: ignore[arg-type]


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("similarity", "ties", "reranking", "ignore_ids", "instructions"),
    [
        ("cosine", False, False, False, False),
        ("cosine", False, False, True, True),
        ("dot", True, False, True, False),
        ("cosine", False, True, False, False),
        ("dot", True, True, True, True),
    ],
)
def test_evaluator_equals_mteb(
    similarity: str, ties: bool, reranking: bool, ignore_ids: bool, instructions: bool
) -> None:
    data, table = make_data(21, ties=ties, reranking=reranking, instructions=instructions)
    result = RetrievalEvaluator().evaluate(
        data, fake_embed(table), ctx(similarity, ignore_identical_ids=ignore_ids)
    )
    same(result.scores, mteb_subset_scores(data, table, similarity, ignore_ids))
    kept = {q for q in data.query_ids if data.qrels.get(q)}
    assert all(len(v) == len(kept) for v in result.outcomes.values())


def renamed(data: RetrievalData, name: Any) -> RetrievalData:
    """The same data with query ``q{i}`` renamed ``name(i)``."""
    new = {q: name(int(q[1:])) for q in data.query_ids}
    top = {new[q]: docs for q, docs in data.top_ranked.items()} if data.top_ranked else None
    qrels = {new[q]: docs for q, docs in data.qrels.items()}
    ids = [new[q] for q in data.query_ids]
    return RetrievalData(
        data.corpus_ids, data.corpus_texts, ids, data.query_texts, qrels, top, data.instructions
    )


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("task", "name"),
    [
        ("MindSmallReranking", lambda i: f"u{i // 3}_{i % 3}"),
        ("NevIR", lambda i: f"{i // 2}_q{i % 2 + 1}"),
        ("InstructIR", lambda i: f"{i // 4}_{i % 4}"),
    ],
)
def test_task_specific_scores_equal_mteb(task: str, name: Any) -> None:
    import mteb
    from mteb.timing import TimingStack

    data, table = make_data(8, n_queries=24, reranking=True, repeat=False)
    extra = {data.corpus_ids[10]: 1}
    qrels = {q: data.qrels.get(q, {}) | extra for q in data.query_ids}  # every query judged
    data = renamed(RetrievalData(**{**_fields(data), "qrels": qrels}), name)
    context = EvalContext(task, "Reranking", "test", "default", {}, "cosine")
    ours = RetrievalEvaluator().evaluate(data, fake_embed(table), context).scores
    corpus, queries = mteb_datasets(data)
    split = {
        "corpus": corpus,
        "queries": queries,
        "relevant_docs": dict(data.qrels),
        "top_ranked": data.top_ranked,
    }
    theirs = mteb.get_task(task)._evaluate_subset(
        FakeModel(table, "cosine"),
        split,
        encode_kwargs={"batch_size": 16, "show_progress_bar": False},
        hf_split="test",
        hf_subset="default",
        timer=TimingStack(),
    )
    same(ours, theirs)
    assert len(ours) > 148


def _fields(data: RetrievalData) -> dict[str, Any]:
    return {f: getattr(data, f) for f in RetrievalData.__slots__}


@pytest.mark.parametrize("reranking", [False, True])
def test_evaluator_encodes_each_side_once_and_raises_on_nan(reranking: bool) -> None:
    data, table = make_data(3, reranking=reranking)
    calls: list[tuple[int, PromptType | None]] = []
    embed = fake_embed(table)

    def counting(texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
        calls.append((len(texts), prompt_type))
        return embed(texts, prompt_type)

    RetrievalEvaluator().evaluate(data, counting, ctx())
    assert calls == [(26, PromptType.query), (120, PromptType.document)]  # 4 queries dropped
    nan_doc = data.top_ranked["q5"][3] if data.top_ranked else data.corpus_ids[5]
    table[data.corpus_texts[data.corpus_ids.index(nan_doc)]] = np.full(8, np.nan, np.float32)
    with pytest.raises(ModelError, match="NaN"):
        RetrievalEvaluator().evaluate(data, fake_embed(table), ctx())


def test_evaluator_chunks_the_corpus_and_rejects_bad_data() -> None:
    data, table = make_data(4, n_docs=50, repeat=False)  # a repeated id depends on push order
    sizes: list[int] = []
    embed = fake_embed(table)

    def recording(texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
        if prompt_type == PromptType.document:
            sizes.append(len(texts))
        return embed(texts, prompt_type)

    whole = RetrievalEvaluator().evaluate(data, embed, ctx()).scores
    evaluator = RetrievalEvaluator()
    evaluator.corpus_chunk = 20
    same(evaluator.evaluate(data, recording, ctx()).scores, whole)
    assert sizes == [20, 20, 10]
    unjudged = RetrievalData(data.corpus_ids, data.corpus_texts, ["q0"], ["t"], {"q0": {}})
    with pytest.raises(DataError, match="qrels"):
        RetrievalEvaluator().evaluate(unjudged, embed, ctx())
    unknown = RetrievalData(
        data.corpus_ids,
        data.corpus_texts,
        ["q0"],
        ["query text 0"],
        {"q0": {"x": 1}},
        {"q0": ["nope"]},
    )
    with pytest.raises(DataError, match="nope"):
        RetrievalEvaluator().evaluate(unknown, embed, ctx())


def test_query_texts_appends_instruction_like_mteb() -> None:
    assert query_texts([" a ", "b"], None) == [" a ", "b"]
    assert query_texts([" a ", "b"], ["i ", ""]) == [" a  i ", "b "]
    with pytest.raises(DataError, match="instructions"):
        query_texts(["a"], ["x", "y"])


@pytest.mark.oracle
def test_scifact_with_random_embeddings_equals_mteb() -> None:
    """Real SciFact rows (5,183 docs, 300 queries, graded qrels) with seeded random vectors."""
    import gzip
    import json

    from tests.conftest import TASKS_DIR

    root = TASKS_DIR / "SciFact"
    if not root.exists():
        pytest.skip(f"shared data missing: {root}")
    with gzip.open(root / "corpus.jsonl.gz", "rt") as f:
        corpus = [json.loads(line) for line in f]
    queries = [json.loads(line) for line in (root / "queries.jsonl").open()]
    qrels: dict[str, dict[str, int]] = {}
    for line in (root / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        qid, did, grade = line.split("\t")
        qrels.setdefault(qid, {})[did] = int(grade)
    docs = [
        (c["title"] + " " + c["text"]).strip() if c["title"] else c["text"].strip() for c in corpus
    ]
    data = RetrievalData(
        [c["_id"] for c in corpus],
        docs,
        [q["_id"] for q in queries],
        [q["text"] for q in queries],
        qrels,
    )
    rng = np.random.default_rng(0)
    unique = sorted(set(data.corpus_texts) | set(data.query_texts))
    table = {
        t: v
        for t, v in zip(unique, rng.normal(size=(len(unique), 16)).astype(np.float32), strict=True)
    }
    result = RetrievalEvaluator().evaluate(data, fake_embed(table), ctx("cosine"))
    same(result.scores, mteb_subset_scores(data, table, "cosine", False))
