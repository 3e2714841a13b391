"""What a data source hands to an evaluator: one record type per kind of task data.

Records hold whole columns (lists of str, numpy arrays), never rows. They are built once per
(task, split, subset) by a data source (local files or the Hugging Face Hub) after any task
transform, so evaluators see exactly the rows MTEB evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emboard.types import Float64Array, IntArray

Label = str | int
"""A class label as the data types it: mteb keeps integer labels integers (numeric sort order,
``-1`` for a missing level of a hierarchical label), so records do not turn them into text."""


@dataclass(frozen=True, slots=True)
class STSData:
    """Sentence pairs with a raw gold similarity score each."""

    sentence1: list[str]
    sentence2: list[str]
    scores: Float64Array


@dataclass(frozen=True, slots=True)
class PairClassificationData:
    """Sentence pairs with a binary label each (1 = paraphrase / duplicate)."""

    sentence1: list[str]
    sentence2: list[str]
    labels: IntArray


@dataclass(frozen=True, slots=True)
class ClassificationData:
    """A training split and an evaluation split of (text, label)."""

    train_texts: list[str]
    train_labels: IntArray
    test_texts: list[str]
    test_labels: IntArray


@dataclass(frozen=True, slots=True)
class MultilabelClassificationData:
    """Like ClassificationData, with a list of labels per row."""

    train_texts: list[str]
    train_labels: list[list[Label]]
    test_texts: list[str]
    test_labels: list[list[Label]]


@dataclass(frozen=True, slots=True)
class ClusteringData:
    """A flat list of documents, each with a label path (one element for flat labels).

    Used by the fast (bootstrapped) clustering protocol.
    """

    texts: list[str]
    labels: list[list[Label]]


@dataclass(frozen=True, slots=True)
class ClusteringSetsData:
    """The legacy clustering layout: a list of sets, each a list of texts with labels."""

    sets: list[tuple[list[str], list[Label]]]


@dataclass(frozen=True, slots=True)
class RetrievalData:
    """Corpus, queries, graded judgements and (for reranking) candidate lists.

    ``corpus_texts`` are already built as MTEB builds them (``title + " " + text`` stripped).
    ``qrels`` maps query id → doc id → grade; queries without judgements are already dropped.
    ``top_ranked`` maps query id → candidate doc ids (reranking); ``None`` = full corpus search.
    """

    corpus_ids: list[str]
    corpus_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]
    top_ranked: dict[str, list[str]] | None = None
    instructions: list[str] | None = None
    changed_qrels: dict[str, list[str]] | None = None
    """FollowIR: per query, the documents whose judgement the instruction changed (p-MRR)."""


@dataclass(frozen=True, slots=True)
class SummarizationData:
    """Per source text: human summaries, machine summaries and one gold score per machine one."""

    human_summaries: list[list[str]]
    machine_summaries: list[list[str]]
    relevance: list[list[float]]


@dataclass(frozen=True, slots=True)
class BitextMiningData:
    """Aligned sentence lists; ``gold`` pairs (source index, target index) when not 1:1."""

    sentence1: list[str]
    sentence2: list[str]
    gold: list[tuple[int, int]] | None = field(default=None)


TaskData = (
    STSData
    | PairClassificationData
    | ClassificationData
    | MultilabelClassificationData
    | ClusteringData
    | ClusteringSetsData
    | RetrievalData
    | SummarizationData
    | BitextMiningData
)
