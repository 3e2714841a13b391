"""Row-level helpers of the task transforms: label ids, flattening and seeded subsampling.

Every draw is the one Hugging Face ``datasets`` makes for mteb (``train_test_split`` with
``seed=42``, the task seed), so the selected rows and their order equal mteb's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from emboard.data.tables import column
from emboard.errors import DataError
from emboard.types import IntArray

if TYPE_CHECKING:
    import pyarrow as pa

SEED = 42
"""mteb's default task seed (``AbsTask.seed``), used by every transform draw."""


def hf_feature(table: pa.Table, name: str) -> dict[str, Any] | None:
    """The Hugging Face feature of a column, from the table's ``huggingface`` metadata."""
    meta = table.schema.metadata or {}
    raw = meta.get(b"huggingface")
    if raw is None:
        return None
    features = json.loads(raw).get("info", {}).get("features", {})
    feature = features.get(name) if isinstance(features, dict) else None
    return feature if isinstance(feature, dict) else None


def class_ids(table: pa.Table, name: str, where: str) -> IntArray:
    """Label ids of a column: a ``ClassLabel`` keeps its ids, other values are numbered by
    their sorted ``str`` (``class_encode_column``, mteb's ``stratified_subsampling``)."""
    col = column(table, name, where)
    feature = hf_feature(table, name)
    if feature is not None and feature.get("_type") == "ClassLabel":
        ids: IntArray = col.to_numpy().astype(np.int64)
        return ids
    from emboard.evaluators.metrics.classification import class_encode

    return class_encode(col.to_pylist())[0]


def flatten_lists(table: pa.Table) -> pa.Table:
    """Rows of list columns (v1-era clustering sets) as one row per item, all rows in order."""
    import pyarrow as pa

    if not all(pa.types.is_list(f.type) or pa.types.is_large_list(f.type) for f in table.schema):
        return table
    return pa.table(
        {name: table.column(name).combine_chunks().flatten() for name in table.column_names}
    )


def drop_single_labels(table: pa.Table, labels: Sequence[Any]) -> pa.Table:
    """Drop the row of every label that occurs once (mteb's StackExchangeClusteringP2P.v2)."""
    import pyarrow as pa

    values, counts = np.unique(np.asarray(labels), return_counts=True)
    solo = set(values[counts == 1].tolist())
    keep = [label not in solo for label in labels]
    return table.filter(pa.array(keep))


def stratified_rows(ids: IntArray, n_samples: int) -> IntArray:
    """The ``n_samples`` rows ``stratified_subsampling`` keeps (all rows when fewer)."""
    from emboard.evaluators.metrics.classification import stratified_subsample

    return stratified_subsample(ids, n_samples, seed=SEED)


def random_rows(n_rows: int, n_samples: int) -> IntArray:
    """The ``test`` rows of ``train_test_split(test_size=n_samples, seed=42)``."""
    from emboard.evaluators.metrics.classification import random_subsample

    return random_subsample(n_rows, n_samples, seed=SEED)


def stratified_split_rows(labels: IntArray, n_train: int, n_test: int) -> tuple[IntArray, IntArray]:
    """Train and test rows of ``train_test_split(train_size=n_train, test_size=n_test,
    seed=42, stratify_by_column=...)`` (Hugging Face ``datasets``' stratified shuffle split)."""
    from emboard.evaluators.metrics.classification import stratified_train_test

    n = len(labels)
    if n_train + n_test > n:
        raise DataError(f"stratified split: {n_train} train + {n_test} test rows of {n}")
    rng = np.random.default_rng(SEED)
    _, y_idx = np.unique(np.asarray(labels), return_inverse=True)
    counts = np.bincount(y_idx.ravel())
    if counts.min() < 2 or min(n_train, n_test) < len(counts):
        raise DataError(
            f"stratified split: {len(counts)} labels, least populated has {counts.min()} rows, "
            f"for {n_train} train / {n_test} test rows"
        )
    return stratified_train_test(y_idx, counts, n_train, n_test, rng)
