"""Bitext mining: is each sentence's nearest neighbour on the other side its translation?
(main: f1, weighted over gold targets).

One (split, subset) is one language pair: ``sentence1``/``sentence2`` of a subset, or for
"parallel" datasets the two language columns named by the subset ``xxx-yyy``.
"""

from __future__ import annotations

import numpy as np

from emboard.data.records import BitextMiningData
from emboard.errors import DataError
from emboard.evaluators.base import Embed, EvalContext, SubsetResult
from emboard.evaluators.metrics.bitext import (
    BITEXT_KEYS,
    bitext_metrics,
    gold_targets,
    nearest_neighbours,
)


class BitextMiningEvaluator:
    """Nearest-neighbour matching of sentence1 (queries) to sentence2 (targets)."""

    def evaluate(self, data: BitextMiningData, embed: Embed, ctx: EvalContext) -> SubsetResult:
        """Score one (split, subset)."""
        n = len(data.sentence1)
        if data.gold is not None and len(data.gold) < n:
            raise DataError(
                f"{ctx.task_name} [{ctx.subset}/{ctx.split}]: gold has {len(data.gold)} pairs "
                f"for {n} source sentences; expected one (source, target) pair per sentence1 row"
            )
        queries = embed(data.sentence1)
        corpus = embed(data.sentence2)
        predicted = nearest_neighbours(queries, corpus, ctx.similarity)
        gold = gold_targets(n, data.gold)
        metrics = bitext_metrics(gold, predicted)
        outcomes = {
            "correct": (predicted == np.asarray(gold, dtype=np.int64)).astype(np.float64),
            "predicted": predicted.astype(np.float64),
        }
        return SubsetResult(scores={key: metrics[key] for key in BITEXT_KEYS}, outcomes=outcomes)
