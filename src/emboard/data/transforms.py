"""MTEB's per-task ``dataset_transform``s, as data, applied to the rows of any source.

mteb changes the rows of some tasks after loading them (rename columns, flatten v1-era
clustering sets, subsample a split, build a split from others...). ``TRANSFORMS`` lists, per
task of MTEB(eng, v1), MTEB(eng, v2) and MTEB(Multilingual, v2) (and a few more), the steps of
its transform; :func:`split_rows` reads one split of one subset the way mteb has it after its
transform. Local folders and the Hugging Face Hub go through the same steps, so a local folder
holds the rows of the Hub dataset (before the transform).

``FAST_LOADING`` lists mteb's "fast loading" tasks: their Hub dataset is one ``default`` table
per split with a ``lang`` column naming each row's subset. A subset without rows of its own in
the source is cut out of that table (mteb's ``fast_load``); a local folder may do the same with
one flat ``<split>.jsonl`` carrying a ``lang`` column.

Steps, in the order applied (each optional):

1. ``fast loading`` (above);
2. ``language_pair_config`` (BibleNLP), ``splits_from`` (a split made by concatenating other
   splits) or ``split_by_column``;
3. ``rename`` columns, then ``head`` (first rows only);
4. ``flatten``: rows of lists become one row per list item (all rows concatenated);
5. ``split_labels``: a ``"a.b"`` label becomes the path ``["a", "b"]``;
6. ``drop_single_labels``: drop the first row of each label seen only once;
7. ``class_encode``: label ids by the sorted ``str`` of the values (Hugging Face
   ``class_encode_column``; ClassLabel columns keep their ids);
8. ``stratify`` (``stratified_subsampling``: label column, number of rows) or ``sample``
   (``train_test_split(test_size=n)``) on the evaluation splits;
9. ``pair_labels``: keep rows whose label is a key, relabel by the mapping (XNLI);
10. ``rename_after``: rename columns again.

``stratified_split`` (MultiHateClassification) makes the train and test splits from one split.
Old BUCC's gold pairs are built in ``data.build``, BelebeleRetrieval's retrieval data in
``data.belebele``. Label columns keep their type (integers stay integers), as in mteb.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emboard.data.sampling import (
    class_ids,
    drop_single_labels,
    flatten_lists,
    random_rows,
    stratified_rows,
    stratified_split_rows,
)
from emboard.data.tables import column
from emboard.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.data.source import DataSource
    from emboard.tasks.metadata import TaskMetadata


@dataclass(frozen=True, slots=True)
class Transform:
    """The steps of one task's ``dataset_transform`` (see the module docstring)."""

    rename: Mapping[str, str] = field(default_factory=dict)
    splits_from: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    split_by_column: tuple[str, str] | None = None
    flatten: bool = False
    split_labels: str | None = None
    drop_single_labels: bool = False
    class_encode: tuple[str, ...] = ()
    stratify: tuple[str, int] | None = None
    sample: int | None = None
    pair_labels: Mapping[int, int] = field(default_factory=dict)
    rename_after: Mapping[str, str] = field(default_factory=dict)
    stratified_split: tuple[str, str, int, int] | None = None
    """(source split, label column, train rows, test rows)."""
    language_pair_config: bool = False
    """BibleNLP: subset ``aaa_Xxxx-eng_Latn`` is read from config ``eng-aaa`` (English first),
    its language columns ``aaa``/``eng`` renamed to ``sentence1``/``sentence2`` in subset order."""
    head: int | None = None
    """Only the first rows of each split (a ``split="train[:256]"`` dataset argument)."""


_SENT = {"sent1": "sentence1", "sent2": "sentence2"}

TRANSFORMS: dict[str, Transform] = {
    # pair classification: v1-era column names
    "SprintDuplicateQuestions": Transform(rename=_SENT),
    "TwitterSemEval2015": Transform(rename=_SENT),
    "TwitterURLCorpus": Transform(rename=_SENT),
    "XNLI": Transform(
        stratify=("label", 2048),
        pair_labels={0: 1, 2: 0},
        rename_after={"premise": "sentence1", "hypothesis": "sentence2", "label": "labels"},
    ),
    # classification
    "ToxicConversationsClassification": Transform(stratify=("label", 2048)),
    "TweetTopicSingleClassification": Transform(splits_from={"train": ("train_2021",)}),
    "MasakhaNEWSClassification": Transform(rename={"category": "label"}),
    "MultiHateClassification": Transform(
        rename={"is_hateful": "label"},
        class_encode=("label", "functionality"),
        stratified_split=("test", "functionality", 1000, 1000),
    ),
    # ScalaClassification maps its two labels by Python set order (hash-seeded in mteb): the
    # sorted order is used here; only the binary AP of a run can depend on it.
    "ScalaClassification": Transform(class_encode=("label",)),
    # clustering
    "ArXivHierarchicalClusteringP2P": Transform(flatten=True, split_labels=".", sample=2048),
    "ArXivHierarchicalClusteringS2S": Transform(flatten=True, split_labels=".", sample=2048),
    "BigPatentClustering.v2": Transform(stratify=("labels", 2048)),
    "MedrxivClusteringP2P.v2": Transform(flatten=True),
    "MedrxivClusteringS2S.v2": Transform(flatten=True),
    "StackExchangeClustering.v2": Transform(flatten=True, stratify=("labels", 2048)),
    "StackExchangeClusteringP2P.v2": Transform(flatten=True, drop_single_labels=True),
    "TwentyNewsgroupsClustering.v2": Transform(flatten=True),
    "SIB200ClusteringS2S": Transform(
        splits_from={"test": ("train", "validation", "test")},
        rename={"category": "labels", "text": "sentences"},
        class_encode=("labels",),
    ),
    "HumanConceptsClustering": Transform(split_by_column=("train", "subdataset")),
    # bitext mining
    "BibleNLPBitextMining": Transform(language_pair_config=True, head=256),
}

CHECK_ONLY = {
    "BiorxivClusteringP2P.v2": "its transform only checks the label distribution",
    "BelebeleRetrieval": "its own load_data is reproduced by data.belebele",
}
"""Tasks with an mteb transform or loader that needs no entry in ``TRANSFORMS``."""

NOT_SUPPORTED: dict[str, str] = {}
"""Tasks whose mteb loading is not reproduced: loading them raises DataError."""

FAST_LOADING = frozenset(
    {
        "BUCC.v2",
        "HUMESIB200ClusteringS2S",
        "HUMESTS22",
        "IndicSentimentClassification",
        "MassiveIntentClassification",
        "MassiveScenarioClassification",
        "MultiHateClassification",
        "MultilingualSentimentClassification",
        "RuSciBenchBitextMining",
        "RuSciBenchBitextMining.v2",
        "SICK-NL-STS",
        "STS17",
        "STS22",
        "STS22.v2",
        "STSBenchmarkMultilingualSTS",
        "Tatoeba",
        "TweetSentimentClassification",
    }
)
"""Tasks mteb 2.26.24 loads with ``fast_loading`` (one ``default`` table with a ``lang``
column); a catalog exported with the ``fast_loading`` evaluation parameter may name more."""


def is_fast_loading(task: TaskMetadata) -> bool:
    """True for mteb's "fast loading" tasks (table above, or the catalog's parameter)."""
    return task.name in FAST_LOADING or task.evaluation_params.get("fast_loading") is True


def _where(task: TaskMetadata, subset: str, split: str) -> str:
    return f"{task.name} [{subset}/{split}]"


def raw_rows(source: DataSource, task: TaskMetadata, subset: str, split: str) -> pa.Table:
    """One split of one subset as the source holds it (per-subset rows or fast-loading table)."""
    if subset == "default" or not is_fast_loading(task):
        return source.read(task, subset, "rows", split)
    own = source.has_part(task, subset, "rows", split)
    table = source.read(task, subset if own else "default", "rows", split)
    if "lang" not in table.column_names:
        if own:
            return table
        column(table, "lang", f"{_where(task, 'default', split)} (fast-loading layout)")
    import pyarrow.compute as pc

    rows = table.filter(pc.equal(table.column("lang"), subset)).drop_columns(["lang"])
    if rows.num_rows == 0:
        raise DataError(f"{_where(task, subset, split)}: no rows with lang == {subset!r}")
    return rows


def _pair_languages(subset: str) -> tuple[str, str]:
    first, second = (part.split("_")[0] for part in subset.split("-"))
    return first, second


def _language_pair_rows(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> pa.Table:
    """BibleNLP's config of a pair (``eng`` first) with the columns named as the subset says."""
    first, second = _pair_languages(subset)
    config = f"{second}-{first}" if second == "eng" else f"{first}-{second}"
    table = source.read(task, config, "rows", split)
    return _rename(table, {first: "sentence1", second: "sentence2"})


def _concat(tables: list[pa.Table]) -> pa.Table:
    import pyarrow as pa

    return pa.concat_tables(tables, promote_options="default")


def _base_rows(
    source: DataSource, task: TaskMetadata, spec: Transform, subset: str, split: str
) -> pa.Table:
    """Steps 1–2: the split's rows, possibly made from other splits or a column."""
    if spec.language_pair_config:
        return _language_pair_rows(source, task, subset, split)
    if split in spec.splits_from:
        return _concat([raw_rows(source, task, subset, s) for s in spec.splits_from[split]])
    if spec.split_by_column is not None:
        if source.has_part(task, subset, "rows", split):  # a folder already split
            return raw_rows(source, task, subset, split)
        import pyarrow.compute as pc

        table_split, col = spec.split_by_column
        table = raw_rows(source, task, subset, table_split)
        where = _where(task, subset, table_split)
        return table.filter(pc.equal(column(table, col, where), split))
    return raw_rows(source, task, subset, split)


def _rename(table: pa.Table, names: Mapping[str, str]) -> pa.Table:
    """Rename present columns (rows already carrying the new names are left as they are)."""
    if not any(old in table.column_names for old in names):
        return table
    return table.rename_columns([names.get(c, c) for c in table.column_names])


def _split_labels(table: pa.Table, sep: str, where: str) -> pa.Table:
    import pyarrow.compute as pc

    labels = column(table, "labels", where)
    index = table.column_names.index("labels")
    return table.set_column(index, "labels", pc.split_pattern(labels.cast("string"), sep))


def _encode(table: pa.Table, names: tuple[str, ...], where: str) -> pa.Table:
    import pyarrow as pa

    for name in names:
        ids = class_ids(table, name, where)
        table = table.set_column(table.column_names.index(name), name, pa.array(ids))
    return table


def _pair_labels(table: pa.Table, mapping: Mapping[int, int], where: str) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    labels = column(table, "label", where).to_numpy()
    keep = np.isin(labels, list(mapping))
    table = table.filter(pa.array(keep))
    new = np.asarray([mapping[int(v)] for v in labels[keep]], dtype=np.int64)
    return table.set_column(table.column_names.index("label"), "label", pa.array(new))


def split_rows(source: DataSource, task: TaskMetadata, subset: str, split: str) -> pa.Table:
    """One split of one subset as mteb has it after the task's ``dataset_transform``."""
    spec = TRANSFORMS.get(task.name)
    if spec is None:
        return raw_rows(source, task, subset, split)
    where = _where(task, subset, split)
    if spec.stratified_split is not None:
        return _stratified_split(source, task, spec, subset, split)
    table = _rename(_base_rows(source, task, spec, subset, split), spec.rename)
    if spec.head is not None:
        table = table.slice(0, spec.head)
    if spec.flatten:
        table = flatten_lists(table)
    if spec.split_labels is not None:
        table = _split_labels(table, spec.split_labels, where)
    if spec.drop_single_labels:
        table = drop_single_labels(table, column(table, "labels", where).to_pylist())
    table = _encode(table, spec.class_encode, where)
    evaluated = split in task.eval_splits
    if spec.stratify is not None:  # mteb casts the label of every split to ClassLabel ids
        label, n_samples = spec.stratify
        table = _encode(table, (label,), where)
        if evaluated:
            ids = column(table, label, where).to_numpy()
            table = table.take(stratified_rows(ids, n_samples))
    if spec.sample is not None and evaluated:
        table = table.take(random_rows(table.num_rows, spec.sample))
    if spec.pair_labels:
        table = _pair_labels(table, spec.pair_labels, where)
    return _rename(table, spec.rename_after)


def _stratified_split(
    source: DataSource, task: TaskMetadata, spec: Transform, subset: str, split: str
) -> pa.Table:
    assert spec.stratified_split is not None
    from_split, label, n_train, n_test = spec.stratified_split
    if split not in ("train", "test"):
        raise DataError(f"{_where(task, subset, split)}: only train and test splits are made")
    table = _rename(raw_rows(source, task, subset, from_split), spec.rename)
    table = _encode(table, spec.class_encode, _where(task, subset, from_split))
    labels = column(table, label, _where(task, subset, from_split)).to_numpy()
    train, test = stratified_split_rows(labels, n_train, n_test)
    return table.take(train if split == "train" else test).drop_columns([label])
