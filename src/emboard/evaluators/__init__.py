"""The one registry of evaluators: task type (protocol variant) → evaluator class.

Targets are ``"module:Class"`` strings imported on first use, so listing tasks or printing
``--help`` never imports scikit-learn, scipy or torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from emboard.errors import TaskDefinitionError

EVALUATORS: dict[str, str] = {
    "Classification": "emboard.evaluators.classification:ClassificationEvaluator",
    "MultilabelClassification": (
        "emboard.evaluators.multilabel_classification:MultilabelClassificationEvaluator"
    ),
    "Clustering": "emboard.evaluators.clustering:ClusteringEvaluator",
    "ClusteringLegacy": "emboard.evaluators.clustering:ClusteringLegacyEvaluator",
    "PairClassification": "emboard.evaluators.pair_classification:PairClassificationEvaluator",
    "STS": "emboard.evaluators.sts:STSEvaluator",
    "Summarization": "emboard.evaluators.summarization:SummarizationEvaluator",
    "SummarizationDeprecated": "emboard.evaluators.summarization:DeprecatedSummarizationEvaluator",
    "BitextMining": "emboard.evaluators.bitext_mining:BitextMiningEvaluator",
    "Retrieval": "emboard.evaluators.retrieval:RetrievalEvaluator",
    "Reranking": "emboard.evaluators.retrieval:RetrievalEvaluator",
    "InstructionRetrieval": "emboard.evaluators.retrieval:RetrievalEvaluator",
    "InstructionReranking": "emboard.evaluators.retrieval:RetrievalEvaluator",
}


def get_evaluator(variant: str) -> Any:
    """A new evaluator for a protocol variant (``TaskMetadata.variant``)."""
    target = EVALUATORS.get(variant)
    if target is None:
        raise TaskDefinitionError(
            f"No evaluator for task type {variant!r}; supported: {', '.join(sorted(EVALUATORS))}"
        )
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls()
