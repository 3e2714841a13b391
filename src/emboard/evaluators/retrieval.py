"""Retrieval and reranking by dense search, scored by ``metrics.ranking`` (MTEB 2.26.24's protocol).

Full-corpus search follows MTEB's ``chunked_full_corpus_search``: the corpus is embedded and
scored in chunks of 50,000 documents against all queries at once; each chunk's ``torch.topk``
(top_k + 1, sorted) is pushed into a per-query min-heap of ``(score, doc id)`` of size top_k
(push while short, else push-pop), so score ties go to the larger doc id. The result dict of a
query lists its documents in heap order, as MTEB's does. Pushes that cannot change a full heap
(scores below its minimum) are skipped with one vectorised comparison per chunk, so only the
few candidates that enter a heap cost Python time.

Reranking (``data.top_ranked``) follows ``rerank_top_ranked_documents``: the whole corpus is
embedded once and each query is scored alone against its own candidates (the same float32
``1 x n`` product as MTEB), keeping its ``topk(min(top_k, n))`` in a heap.
"""

from __future__ import annotations

import functools
import heapq
import logging
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from emboard.data.records import RetrievalData
from emboard.errors import DataError, ModelError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.ranking import (
    K_VALUES,
    Qrels,
    RankingScores,
    followir_scores,
    max_over_subqueries,
    paired_accuracy,
    ranking_scores,
    robustness_at_10,
)
from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray, PromptType, ScoreDict

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

TOP_K = 1000
CORPUS_CHUNK = 50_000
FOLLOWIR_TASKS = frozenset(
    {
        "Core17InstructionRetrieval",
        "News21InstructionRetrieval",
        "Robust04InstructionRetrieval",
        "mFollowIR",
        "mFollowIRCrossLingual",
    }
)

Heaps = dict[str, list[tuple[float, str]]]
Run = dict[str, dict[str, float]]


def query_texts(queries: Sequence[str], instructions: Sequence[str] | None) -> list[str]:
    """What the model reads for each query: MTEB appends ``" " + instruction`` (no strip)."""
    if instructions is None:
        return list(queries)
    if len(instructions) != len(queries):
        raise DataError(f"instructions has {len(instructions)} entries for {len(queries)} queries")
    return [q + " " + i for q, i in zip(queries, instructions, strict=True)]


def _top_hits(
    q_emb: FloatArray, d_emb: FloatArray, similarity: str, k: int, where: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """``torch.topk`` (sorted, largest) of each query row's similarity scores, as MTEB calls it.

    torch.topk ranks NaN above every number, so a row with a NaN score shows one in its hits.
    """
    import torch

    scores = torch.as_tensor(similarity_matrix(q_emb, d_emb, similarity))
    values, indices = torch.topk(scores, min(k, scores.shape[1]), dim=1, largest=True)
    if bool(torch.isnan(values).any()):
        raise ModelError(
            f"NaN similarity scores for {where}: the model returned NaN or infinite embeddings"
        )
    return values, indices


@functools.lru_cache(maxsize=8)
def _push_layout(n: int) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Heap array after pushing ``n`` strictly decreasing items into an empty heap.

    Each push sifts the new (smallest) item up to the root, so the layout depends on ``n``
    only. Returns a function picking, from the pushed items in push order, the heap array.
    """
    if n < 2:
        return lambda items: tuple(items[:n])
    heap: list[int] = []
    for i in range(n):
        heapq.heappush(heap, -i)
    getter: Callable[[list[Any]], tuple[Any, ...]] = operator.itemgetter(*(-x for x in heap))
    return getter


def _decreasing(scores: list[float], ids: list[str]) -> bool:
    """Whether sorted hits are strictly decreasing as ``(score, id)`` tuples (ties by id)."""
    return all(ids[i] > ids[i + 1] for i in range(len(scores) - 1) if scores[i] == scores[i + 1])


def _push_row(
    heap: list[tuple[float, str]], scores: list[float], ids: list[str], top_k: int, ties: bool
) -> None:
    """MTEB's loop for one query: push while the heap is short, else push-pop.

    ``ties``: whether equal scores may occur among the hits (checked by id only then).
    """
    if not heap and (not ties or _decreasing(scores, ids)):
        # Pushing decreasing items: a fixed layout; any item past top_k is the smallest of
        # all, so its push-pop returns it untouched.
        pick = _push_layout(min(len(scores), top_k))
        heap.extend(zip(pick(scores), pick(ids), strict=True))
        return
    for item in zip(scores, ids, strict=True):
        if len(heap) < top_k:
            heapq.heappush(heap, item)
        else:
            heapq.heappushpop(heap, item)


def _push_chunk(
    heaps: Heaps,
    query_ids: Sequence[str],
    values: torch.Tensor,
    indices: torch.Tensor,
    chunk_ids: Sequence[str],
    top_k: int,
) -> None:
    """Push one chunk's sorted top hits into the heaps, skipping pushes that change nothing.

    A push-pop of an item not above the heap minimum returns it untouched, and a full heap's
    minimum only grows, so a row's hits below its minimum at the start of the chunk (a suffix,
    the hits being sorted) are dropped before the loop.
    """
    import torch

    floor = [heaps[q][0][0] if len(heaps[q]) >= top_k else -np.inf for q in query_ids]
    thresholds = torch.tensor(floor, dtype=values.dtype).unsqueeze(1)
    counts = (values >= thresholds).sum(dim=1).tolist()
    vals, idxs = values.numpy(), indices.numpy()
    ties = (vals[:, 1:] == vals[:, :-1]).any(axis=1).tolist()
    id_array = np.asarray(chunk_ids, dtype=object)
    for row, qid in enumerate(query_ids):
        count = counts[row]
        if count:
            ids = id_array[idxs[row, :count]].tolist()
            _push_row(heaps[qid], vals[row, :count].tolist(), ids, top_k, ties[row])


def dense_search(
    query_ids: Sequence[str],
    q_emb: FloatArray,
    doc_chunks: Iterable[tuple[Sequence[str], FloatArray]],
    similarity: str,
    top_k: int = TOP_K,
) -> Heaps:
    """Top ``top_k`` ``(score, doc id)`` heaps per query over corpus chunks (ids, embeddings).

    Rows sharing a query id share one heap, as in MTEB.
    """
    heaps: Heaps = {qid: [] for qid in query_ids}
    for n, (chunk_ids, d_emb) in enumerate(doc_chunks):
        values, indices = _top_hits(q_emb, d_emb, similarity, top_k + 1, f"corpus chunk {n}")
        _push_chunk(heaps, query_ids, values, indices, chunk_ids, top_k)
    return heaps


def rerank(
    query_ids: Sequence[str],
    q_emb: FloatArray,
    corpus_ids: Sequence[str],
    d_emb: FloatArray,
    top_ranked: Mapping[str, Sequence[str]],
    similarity: str,
    top_k: int = TOP_K,
) -> Heaps:
    """Each query scored against its own candidates only; its top ``top_k`` in a heap.

    A query missing from ``top_ranked`` gets no results (MTEB warns and goes on).
    """
    position = {doc: i for i, doc in enumerate(corpus_ids)}
    heaps: Heaps = {qid: [] for qid in query_ids}
    for row, qid in enumerate(query_ids):
        ranked = top_ranked.get(qid)
        if ranked is None:
            logger.warning("No candidate documents for query %s; it scores 0", qid)
            continue
        if not ranked:
            continue
        missing = [d for d in ranked if d not in position]
        if missing:
            raise DataError(f"top_ranked of query {qid!r} names unknown corpus ids {missing[:3]}")
        rows = [position[d] for d in ranked]
        query = q_emb[row : row + 1]
        values, indices = _top_hits(query, d_emb[rows], similarity, top_k, f"query {qid!r}")
        for score, i in zip(values[0].tolist(), indices[0].tolist(), strict=True):
            heapq.heappush(heaps[qid], (score, ranked[i]))
    return heaps


def to_run(query_ids: Sequence[str], heaps: Heaps) -> Run:
    """``{qid: {doc: score}}`` with every query, each dict in heap order (MTEB's results)."""
    run: Run = {qid: {} for qid in query_ids}
    for qid, heap in heaps.items():
        run[qid] = {doc: score for score, doc in heap}
    return run


def drop_identical_ids(run: Run) -> None:
    """MTEB's ``ignore_identical_ids``: remove a query's own id from its results, in place."""
    for qid, docs in run.items():
        docs.pop(qid, None)


def _task_extras(
    task: str, data: RetrievalData, qrels: Qrels, run: Run, res: RankingScores
) -> ScoreDict:
    """``task_specific_scores`` of the MTEB tasks that override it (empty for the others)."""
    if task == "MindSmallReranking":
        return dict(max_over_subqueries(qrels, run, K_VALUES))
    if task == "NevIR":
        return {"paired_accuracy": paired_accuracy(qrels, res.trec)}
    if task == "InstructIR":
        return {"robustness_at_10": robustness_at_10(qrels, res.trec)}
    if task in FOLLOWIR_TASKS:
        changed: Mapping[str, Sequence[str]] | None = getattr(data, "changed_qrels", None)
        if changed is None:
            raise DataError(f"{task} needs its qrel_diff table (changed_qrels) for p-MRR")
        return followir_scores(qrels, run, changed, K_VALUES)
    return {}


def _judged(data: RetrievalData) -> tuple[list[int], dict[str, dict[str, int]]]:
    """MTEB's ``_filter_queries_without_positives``: keep queries with a non-empty qrels entry."""
    qrels = {qid: docs for qid, docs in data.qrels.items() if docs}
    keep = [i for i, qid in enumerate(data.query_ids) if qid in qrels]
    if not keep:
        raise DataError("No query has relevance judgements (qrels); nothing to evaluate")
    return keep, qrels


def _corpus_chunks(
    data: RetrievalData, embed: Embed, chunk: int
) -> Iterable[tuple[Sequence[str], FloatArray]]:
    for start in range(0, len(data.corpus_ids), chunk):
        texts = data.corpus_texts[start : start + chunk]
        yield data.corpus_ids[start : start + chunk], embed(texts, PromptType.document)


class RetrievalEvaluator:
    """Encode queries and corpus, search (or rerank), score as MTEB's retrieval tasks do."""

    corpus_chunk: int = CORPUS_CHUNK
    top_k: int = TOP_K

    def evaluate(self, data: RetrievalData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset); every metric key MTEB writes, per-query outcomes."""
        if len(data.corpus_ids) != len(data.corpus_texts):
            raise DataError(
                f"corpus_ids has {len(data.corpus_ids)} entries, corpus_texts "
                f"{len(data.corpus_texts)}"
            )
        keep, qrels = _judged(data)
        query_ids = [data.query_ids[i] for i in keep]
        texts = query_texts(data.query_texts, data.instructions)
        q_emb = embed([texts[i] for i in keep], PromptType.query)
        heaps = self._search(data, query_ids, q_emb, embed, ctx.similarity)
        run = to_run(query_ids, heaps)
        if ctx.params.get("ignore_identical_ids", False):
            drop_identical_ids(run)
        skip = bool(ctx.params.get("skip_first_result", False))
        result = ranking_scores(qrels, run, K_VALUES, skip_first_result=skip)
        scores: ScoreDict = {key: value for key, value in result.scores.items()}
        scores.update(_task_extras(ctx.task_name, data, qrels, run, result))
        return SubsetResult(scores=scores, outcomes=result.per_query)

    def _search(
        self,
        data: RetrievalData,
        query_ids: list[str],
        q_emb: FloatArray,
        embed: Embed,
        similarity: str,
    ) -> Heaps:
        if data.top_ranked is None:
            chunks = _corpus_chunks(data, embed, self.corpus_chunk)
            return dense_search(query_ids, q_emb, chunks, similarity, self.top_k)
        d_emb = embed(data.corpus_texts, PromptType.document)
        return rerank(
            query_ids, q_emb, data.corpus_ids, d_emb, data.top_ranked, similarity, self.top_k
        )


__all__ = [
    "RetrievalEvaluator",
    "dense_search",
    "drop_identical_ids",
    "query_texts",
    "rerank",
    "to_run",
]
