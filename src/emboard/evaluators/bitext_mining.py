"""Bitext mining: is each sentence's nearest neighbour on the other side its translation?
(main: f1, weighted over gold targets)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from emboard.data.records import BitextMiningData
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray

QUERY_CHUNK = 100
CORPUS_CHUNK = 500_000


def nearest_neighbours(
    queries: FloatArray, corpus: FloatArray, similarity: str
) -> NDArray[np.int64]:
    """Index of the most similar corpus row per query, in MTEB's chunks (ties as torch.topk)."""
    import torch

    best = np.zeros(len(queries), dtype=np.int64)
    for q0 in range(0, len(queries), QUERY_CHUNK):
        found: list[list[tuple[float, int]]] = [
            [] for _ in range(min(QUERY_CHUNK, len(queries) - q0))
        ]
        for c0 in range(0, len(corpus), CORPUS_CHUNK):
            sims = torch.as_tensor(
                similarity_matrix(
                    queries[q0 : q0 + QUERY_CHUNK], corpus[c0 : c0 + CORPUS_CHUNK], similarity
                )
            )
            values, idx = torch.topk(sims, 1, dim=1, largest=True, sorted=False)
            for row, (v, i) in enumerate(zip(values.tolist(), idx.tolist(), strict=True)):
                found[row].append((v[0], c0 + i[0]))
        for row, hits in enumerate(found):
            best[q0 + row] = sorted(hits, key=lambda h: h[0], reverse=True)[0][1]
    return best


class BitextMiningEvaluator:
    """Nearest-neighbour matching of sentence1 to sentence2."""

    def evaluate(self, data: BitextMiningData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset) (one language pair)."""
        emb1 = embed(data.sentence1)
        emb2 = embed(data.sentence2)
        predicted = nearest_neighbours(emb1, emb2, ctx.similarity)
        gold = data.gold or [(i, i) for i in range(len(data.sentence1))]
        labels = [g[1] for g in gold[: len(predicted)]]
        preds = predicted.tolist()
        scores: dict[str, Any] = {
            "precision": float(precision_score(labels, preds, zero_division=0, average="weighted")),
            "recall": float(recall_score(labels, preds, zero_division=0, average="weighted")),
            "f1": float(f1_score(labels, preds, zero_division=0, average="weighted")),
            "accuracy": float(accuracy_score(labels, preds)),
        }
        correct = (np.asarray(preds) == np.asarray(labels)).astype(np.float64)
        return SubsetResult(scores=scores, outcomes={"correct": correct})
