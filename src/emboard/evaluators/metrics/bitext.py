"""Bitext mining scoring, equal to MTEB 2.26.24's ``BitextMiningEvaluator``.

Each source sentence is matched to its single most similar target sentence, searched in MTEB's
chunks (100 queries × 500 000 targets, ``torch.topk(k=1)`` per chunk, so ties inside a chunk
resolve as torch does; across chunks the earlier chunk wins a tie, like MTEB's stable
descending sort). Predicted target indices are compared with the gold ones by scikit-learn.
"""

from __future__ import annotations

from typing import Literal, TypedDict

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from emboard.evaluators.metrics.similarity import similarity_matrix
from emboard.types import FloatArray

QUERY_CHUNK = 100
CORPUS_CHUNK = 500_000


BitextKey = Literal["precision", "recall", "f1", "accuracy"]
BITEXT_KEYS: tuple[BitextKey, ...] = ("precision", "recall", "f1", "accuracy")


class BitextMetrics(TypedDict):
    """MTEB's ``BitextMiningMetrics``, in its key order."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def nearest_neighbours(
    queries: FloatArray, corpus: FloatArray, similarity: str = "cosine"
) -> NDArray[np.int64]:
    """Index of the most similar corpus row for every query row."""
    import torch

    best_index = np.zeros(len(queries), dtype=np.int64)
    best_score = np.full(len(queries), -np.inf, dtype=np.float64)
    for q0 in range(0, len(queries), QUERY_CHUNK):
        rows = slice(q0, q0 + QUERY_CHUNK)
        for c0 in range(0, len(corpus), CORPUS_CHUNK):
            sims = similarity_matrix(queries[rows], corpus[c0 : c0 + CORPUS_CHUNK], similarity)
            values, idx = torch.topk(torch.as_tensor(sims), 1, dim=1, largest=True, sorted=False)
            value = values[:, 0].numpy().astype(np.float64)
            better = (value > best_score[rows]) | (c0 == 0)
            best_score[rows] = np.where(better, value, best_score[rows])
            best_index[rows] = np.where(better, c0 + idx[:, 0].numpy(), best_index[rows])
    return best_index


def gold_targets(n_queries: int, gold: list[tuple[int, int]] | None) -> list[int]:
    """Gold target index per query: ``gold[i][1]`` for query ``i`` (MTEB indexes ``gold`` by
    query position), or ``i`` itself when there is no gold list."""
    if gold is None:
        return list(range(n_queries))
    return [int(gold[i][1]) for i in range(n_queries)]


def bitext_metrics(gold: list[int], predicted: NDArray[np.int64]) -> BitextMetrics:
    """Accuracy and weighted precision / recall / F1 (``zero_division=0``) over target indices."""
    pred = predicted.tolist()
    return BitextMetrics(
        precision=float(precision_score(gold, pred, zero_division=0, average="weighted")),
        recall=float(recall_score(gold, pred, zero_division=0, average="weighted")),
        f1=float(f1_score(gold, pred, zero_division=0, average="weighted")),
        accuracy=float(accuracy_score(gold, pred)),
    )
