"""Retrieval and reranking: dense search over a corpus or a candidate list (main: ndcg_at_10 /
map_at_1000), scored by ``metrics.ranking``.

Search follows MTEB's: the corpus is scored in chunks of 50,000 documents against all queries at
once, each chunk keeps its top (k + 1) by score, and the best ``top_k`` (score, doc id) pairs
survive, ties going to the larger doc id. Reranking scores each query against its own
candidates, one query at a time, as MTEB does (the same float32 products).
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from emboard.data.records import RetrievalData
from emboard.errors import ModelError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.ranking import K_VALUES, ranking_scores
from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray, PromptType

TOP_K = 1000
CORPUS_CHUNK = 50_000

Run = dict[str, dict[str, float]]


def full_corpus_search(
    query_ids: list[str],
    q_emb: FloatArray,
    corpus_ids: list[str],
    d_emb: FloatArray,
    similarity: str,
    top_k: int = TOP_K,
    chunk: int = CORPUS_CHUNK,
) -> Run:
    """Top ``top_k`` documents per query by similarity, MTEB's chunked search."""
    import torch

    candidates: list[list[tuple[float, str]]] = [[] for _ in query_ids]
    for start in range(0, len(corpus_ids), chunk):
        ids = corpus_ids[start : start + chunk]
        scores = torch.as_tensor(similarity_matrix(q_emb, d_emb[start : start + chunk], similarity))
        values, idx = torch.topk(scores, min(top_k + 1, scores.shape[1]), dim=1, largest=True)
        for q, (row_idx, row_val) in enumerate(zip(idx.tolist(), values.tolist(), strict=True)):
            candidates[q] += [(v, ids[i]) for i, v in zip(row_idx, row_val, strict=True)]
    return {
        qid: {doc: score for score, doc in heapq.nlargest(top_k, cands)}
        for qid, cands in zip(query_ids, candidates, strict=True)
    }


def rerank(
    query_ids: list[str],
    q_emb: FloatArray,
    corpus_ids: list[str],
    d_emb: FloatArray,
    top_ranked: dict[str, list[str]],
    similarity: str,
    top_k: int = TOP_K,
) -> Run:
    """Each query scored against its own candidates only."""
    position = {doc: i for i, doc in enumerate(corpus_ids)}
    run: Run = {qid: {} for qid in query_ids}
    for q, qid in enumerate(query_ids):
        ranked = top_ranked.get(qid) or []
        if not ranked:
            continue
        scores = similarity_matrix(
            q_emb[q : q + 1], d_emb[[position[d] for d in ranked]], similarity
        )[0]
        if np.isnan(scores).any():
            raise ModelError(f"NaN similarity scores for query {qid}")
        keep = min(top_k, len(ranked))
        order = np.argsort(-scores, kind="stable")[:keep]
        best = heapq.nlargest(keep, [(float(scores[i]), ranked[i]) for i in order])
        run[qid] = {doc: score for score, doc in best}
    return run


class RetrievalEvaluator:
    """Encode queries and corpus, search (or rerank), score with pytrec_eval and friends."""

    def evaluate(self, data: RetrievalData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        queries = data.query_texts
        if data.instructions is not None:
            queries = [f"{q} {i}".strip() for q, i in zip(queries, data.instructions, strict=True)]
        q_emb = embed(queries, PromptType.query)
        d_emb = embed(data.corpus_texts, PromptType.document)
        if data.top_ranked is not None:
            run = rerank(
                data.query_ids, q_emb, data.corpus_ids, d_emb, data.top_ranked, ctx.similarity
            )
        else:
            run = full_corpus_search(data.query_ids, q_emb, data.corpus_ids, d_emb, ctx.similarity)
        if ctx.params.get("ignore_identical_ids"):
            run = {qid: {d: s for d, s in docs.items() if d != qid} for qid, docs in run.items()}
        if ctx.params.get("skip_first_result"):
            run = {
                qid: dict(sorted(docs.items(), key=lambda x: x[1], reverse=True)[1:])
                for qid, docs in run.items()
            }
        result = ranking_scores(data.qrels, run, K_VALUES)
        scores: dict[str, Any] = result.scores
        return SubsetResult(scores=scores, outcomes=result.per_query)
