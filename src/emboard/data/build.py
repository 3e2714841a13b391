"""Turn a task's parts (Arrow tables from any source) into the record its evaluator takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from emboard.data.records import (
    BitextMiningData,
    ClassificationData,
    ClusteringData,
    ClusteringSetsData,
    Label,
    MultilabelClassificationData,
    PairClassificationData,
    STSData,
    SummarizationData,
    TaskData,
)
from emboard.data.retrieval import build_retrieval
from emboard.data.tables import column, str_list
from emboard.data.transforms import NOT_SUPPORTED, split_rows
from emboard.errors import DataError, TaskDefinitionError

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.data.source import DataSource
    from emboard.tasks.metadata import TaskMetadata


def _param(task: TaskMetadata, key: str, default: str) -> str:
    value = task.evaluation_params.get(key)
    return value if isinstance(value, str) else default


def _where(task: TaskMetadata, subset: str, split: str) -> str:
    return f"{task.name} [{subset}/{split}]"


def _expand_single_row(table: pa.Table) -> pa.Table:
    """v1-era datasets store a whole split as one row of lists: make it one row per item."""
    import pyarrow as pa

    if table.num_rows != 1 or not all(
        pa.types.is_list(f.type) or pa.types.is_large_list(f.type) for f in table.schema
    ):
        return table
    return pa.table(
        {name: table.column(name).combine_chunks().flatten() for name in table.column_names}
    )


def _encode_labels(*columns: list[object]) -> list[np.ndarray]:
    """Integer labels unchanged; other labels mapped to ints by sorted value (shared mapping)."""
    if all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for c in columns for v in c
    ):
        return [np.asarray(c, dtype=np.int64) for c in columns]
    classes = {v: i for i, v in enumerate(sorted({str(v) for c in columns for v in c}))}
    return [np.asarray([classes[str(v)] for v in c], dtype=np.int64) for c in columns]


def _sts(source: DataSource, task: TaskMetadata, subset: str, split: str) -> STSData:
    where = _where(task, subset, split)
    table = split_rows(source, task, subset, split)
    scores = column(table, "score", where).to_numpy().astype(np.float64)
    return STSData(str_list(table, "sentence1", where), str_list(table, "sentence2", where), scores)


def _pairs(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> PairClassificationData:
    where = _where(task, subset, split)
    table = _expand_single_row(split_rows(source, task, subset, split))
    label_col = _param(task, "label_column_name", "labels")
    labels = column(table, label_col, where).to_numpy().astype(np.int64)
    return PairClassificationData(
        str_list(table, "sentence1", where), str_list(table, "sentence2", where), labels
    )


def _classification(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> ClassificationData:
    text_col = _param(task, "input_column_name", "text")
    label_col = _param(task, "label_column_name", "label")
    train_split = _param(task, "train_split", "train")
    train = split_rows(source, task, subset, train_split)
    test = split_rows(source, task, subset, split)
    w_train, w_test = _where(task, subset, train_split), _where(task, subset, split)
    train_labels, test_labels = _encode_labels(
        column(train, label_col, w_train).to_pylist(), column(test, label_col, w_test).to_pylist()
    )
    return ClassificationData(
        str_list(train, text_col, w_train),
        train_labels,
        str_list(test, text_col, w_test),
        test_labels,
    )


def _multilabel(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> MultilabelClassificationData:
    text_col = _param(task, "input_column_name", "text")
    label_col = _param(task, "label_column_name", "label")
    train_split = _param(task, "train_split", "train")
    train = split_rows(source, task, subset, train_split)
    test = split_rows(source, task, subset, split)
    w_train, w_test = _where(task, subset, train_split), _where(task, subset, split)

    def labels(table: pa.Table, where: str) -> list[list[Label]]:
        """Label lists as the source types them (mteb binarises the raw values)."""
        rows: list[list[Label]] = column(table, label_col, where).to_pylist()
        return rows

    return MultilabelClassificationData(
        str_list(train, text_col, w_train),
        labels(train, w_train),
        str_list(test, text_col, w_test),
        labels(test, w_test),
    )


def _label_paths(values: list[object]) -> list[list[Label]]:
    """Flat labels as one-element paths; values keep their type (ints stay ints, as in mteb)."""
    return [list(v) if isinstance(v, list) else [v] for v in values]  # type: ignore[list-item]


def _clustering(source: DataSource, task: TaskMetadata, subset: str, split: str) -> ClusteringData:
    where = _where(task, subset, split)
    table = _expand_single_row(split_rows(source, task, subset, split))
    text_col = _param(task, "input_column_name", "sentences")
    label_col = _param(task, "label_column_name", "labels")
    if text_col not in table.column_names and "sentences" in table.column_names:
        text_col, label_col = "sentences", "labels"
    return ClusteringData(
        str_list(table, text_col, where), _label_paths(column(table, label_col, where).to_pylist())
    )


def _clustering_sets(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> ClusteringSetsData:
    where = _where(task, subset, split)
    table = split_rows(source, task, subset, split)
    texts = column(table, "sentences", where).to_pylist()
    labels = column(table, "labels", where).to_pylist()
    sets = [([str(t) for t in ts], list(ls)) for ts, ls in zip(texts, labels, strict=True)]
    return ClusteringSetsData(sets)


def _summarization(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> SummarizationData:
    where = _where(task, subset, split)
    table = split_rows(source, task, subset, split)
    relevance = [[float(x) for x in row] for row in column(table, "relevance", where).to_pylist()]
    return SummarizationData(
        column(table, "human_summaries", where).to_pylist(),
        column(table, "machine_summaries", where).to_pylist(),
        relevance,
    )


def _bitext(source: DataSource, task: TaskMetadata, subset: str, split: str) -> BitextMiningData:
    """``sentence1``/``sentence2`` per subset, or for parallel datasets two language columns of
    one table (subset ``xxx-yyy``); a ``gold`` column lists (source, target) index pairs."""
    where = _where(task, subset, split)
    if task.evaluation_params.get("parallel_subsets"):
        table = split_rows(source, task, "default", split)
        first, _, second = subset.partition("-")
    else:
        table = split_rows(source, task, subset, split)
        first, second = "sentence1", "sentence2"
    if task.name in GOLD_PAIR_TASKS:
        return _gold_pairs(table, where)
    # MTEB ignores a ``gold`` column of a plain table (only old BUCC's transform builds one)
    return BitextMiningData(str_list(table, first, where), str_list(table, second, where))


GOLD_PAIR_TASKS = frozenset({"BUCC"})
"""Old BUCC: one row of ``sentence1[]``, ``sentence2[]`` and 1-based ``gold`` pairs (i, j)."""


def _gold_pairs(table: pa.Table, where: str) -> BitextMiningData:
    """mteb's BUCC transform: 0-based gold pairs; ``sentence1`` keeps, per pair, the sentence at
    the *0-based* source index (as mteb does; BUCC.v2 fixed this)."""
    if table.num_rows != 1:
        raise DataError(f"{where}: expected one row of lists, got {table.num_rows} rows")
    sentence1 = [str(s) for s in column(table, "sentence1", where)[0].as_py()]
    sentence2 = [str(s) for s in column(table, "sentence2", where)[0].as_py()]
    gold = [(int(i) - 1, int(j) - 1) for i, j in column(table, "gold", where)[0].as_py()]
    return BitextMiningData([sentence1[i] for i, _ in gold], sentence2, gold)


Builder = Callable[["DataSource", "TaskMetadata", str, str], TaskData]

BUILDERS: dict[str, Builder] = {
    "STS": _sts,
    "PairClassification": _pairs,
    "Classification": _classification,
    "MultilabelClassification": _multilabel,
    "Clustering": _clustering,
    "ClusteringLegacy": _clustering_sets,
    "BitextMining": _bitext,
    "Summarization": _summarization,
    "SummarizationDeprecated": _summarization,
    "Retrieval": build_retrieval,
    "Reranking": build_retrieval,
    "InstructionRetrieval": build_retrieval,
    "InstructionReranking": build_retrieval,
}


def build_record(source: DataSource, task: TaskMetadata, subset: str, split: str) -> TaskData:
    """The evaluator input for one (subset, split) of a task."""
    if task.name in NOT_SUPPORTED:
        raise DataError(f"Task {task.name}: {NOT_SUPPORTED[task.name]}")
    builder = BUILDERS.get(task.variant)
    if builder is None:
        raise TaskDefinitionError(
            f"Task {task.name}: no data builder for task type {task.variant!r}; "
            f"supported: {', '.join(sorted(BUILDERS))}"
        )
    try:
        return builder(source, task, subset, split)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{_where(task, subset, split)}: malformed data: {exc}") from exc
