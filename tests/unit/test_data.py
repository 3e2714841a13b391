from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emboard.data.build import build_record
from emboard.data.local import LocalSource
from emboard.data.records import (
    ClassificationData,
    ClusteringData,
    PairClassificationData,
    RetrievalData,
    STSData,
    SummarizationData,
)
from emboard.errors import DataError
from tests.conftest import TASKS_DIR


@pytest.fixture(scope="module")
def source() -> LocalSource:
    return LocalSource(TASKS_DIR)


def test_sts_rows(source, catalog) -> None:  # type: ignore[no-untyped-def]
    data = build_record(source, catalog.get_task("STS12"), "default", "test")
    assert isinstance(data, STSData)
    assert len(data.sentence1) == len(data.sentence2) == len(data.scores) == 3108
    assert data.scores.dtype == np.float64 and data.scores.min() >= 0 and data.scores.max() <= 5


def test_classification_reads_train_and_eval_split(source, catalog) -> None:  # type: ignore[no-untyped-def]
    data = build_record(source, catalog.get_task("Banking77Classification"), "default", "test")
    assert isinstance(data, ClassificationData)
    assert (len(data.train_texts), len(data.test_texts)) == (10003, 3080)
    assert set(np.unique(data.test_labels)) == set(range(77))
    amazon = catalog.get_task("AmazonCounterfactualClassification")
    val = build_record(source, amazon, "en", "validation")
    assert isinstance(val, ClassificationData)
    assert (len(val.train_texts), len(val.test_texts)) == (4018, 335)


def test_retrieval_parts(source, catalog) -> None:  # type: ignore[no-untyped-def]
    data = build_record(source, catalog.get_task("SciFact"), "default", "test")
    assert isinstance(data, RetrievalData)
    assert len(data.corpus_ids) == len(data.corpus_texts) == 5183
    assert len(data.query_ids) == 300 and set(data.query_ids) == set(data.qrels)
    assert sum(len(d) for d in data.qrels.values()) == 339
    assert data.top_ranked is None
    # MTEB's document text: title + " " + text
    assert data.corpus_texts[0].startswith("Microstructural development of human newborn")


def test_legacy_reranking_rows_convert_as_mteb(source, catalog) -> None:  # type: ignore[no-untyped-def]
    spec = catalog.get_task("SciDocsRR").model_copy(update={"name": "SciFactReranking-derived"})
    data = build_record(source, spec, "default", "test")
    assert isinstance(data, RetrievalData)
    assert len(data.query_ids) == 300 and data.query_ids[0] == "test_query0"
    assert data.top_ranked is not None
    n_pos = sum(g for d in data.qrels.values() for g in d.values())
    n_all = sum(len(d) for d in data.qrels.values())
    assert (n_pos, n_all - n_pos) == (339, 8661)
    first = data.top_ranked["test_query0"]
    assert first[0] == "apositive_test_query0_00000" and first[-1].startswith(
        "negative_test_query0_"
    )


def test_pairs_single_row_layout_is_expanded(source, catalog) -> None:  # type: ignore[no-untyped-def]
    data = build_record(source, catalog.get_task("TwitterURLCorpus"), "default", "test")
    assert isinstance(data, PairClassificationData)
    assert len(data.sentence1) == len(data.labels) == 9334
    assert set(np.unique(data.labels)) == {0, 1}


def test_clustering_and_summarization(source, catalog) -> None:  # type: ignore[no-untyped-def]
    task = catalog.get_task("HumanConceptsClustering")
    sizes = {}
    for split in task.eval_splits:
        data = build_record(source, task, "default", split)
        assert isinstance(data, ClusteringData)
        assert all(len(path) == 1 for path in data.labels)
        sizes[split] = len(data.texts)
    assert sizes == {"Rosch1973": 48, "Rosch1975": 565, "McCloskey1978": 492}
    summ = build_record(source, catalog.get_task("SummEval"), "default", "test")
    assert isinstance(summ, SummarizationData)
    assert len(summ.machine_summaries) == 100
    assert all(
        len(m) == len(r) == 16 for m, r in zip(summ.machine_summaries, summ.relevance, strict=True)
    )


def _task_dir(tmp_path: Path, name: str, content: str) -> LocalSource:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "test.jsonl").write_text(content)
    return LocalSource(tmp_path)


def test_bad_json_line_is_named(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    good = '{"sentence1": "a", "sentence2": "b", "score": 1.0}\n'
    src = _task_dir(tmp_path, "STS12", good * 3 + '{"sentence1": "a", "sentence2": \n' + good)
    with pytest.raises(DataError, match=r"test\.jsonl: line 4: invalid JSON"):
        build_record(src, catalog.get_task("STS12"), "default", "test")


def test_missing_field_is_named(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    src = _task_dir(tmp_path, "STS12", '{"sentence1": "a", "score": 1.0}\n')
    with pytest.raises(DataError, match="missing field 'sentence2'"):
        build_record(src, catalog.get_task("STS12"), "default", "test")


def test_missing_split_file_is_named(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    src = _task_dir(tmp_path, "Banking77Classification", '{"text": "a", "label": 1}\n')
    with pytest.raises(DataError, match="no file for train"):
        build_record(src, catalog.get_task("Banking77Classification"), "default", "test")


def test_fast_loading_table_errors_are_named(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """A flat table of a fast-loading task with a ``lang`` column serves the subsets it has."""
    task = catalog.get_task("STS22.v2")
    row = '{"sentence1": "a", "sentence2": "b", "score": 1.0, "lang": "de"}\n'
    src = _task_dir(tmp_path, "STS22.v2", row)
    with pytest.raises(DataError, match="no rows with lang == 'en'"):
        build_record(src, task, "en", "test")
    data = build_record(src, task, "de", "test")
    assert isinstance(data, STSData) and data.sentence1 == ["a"]


def test_multilabel_and_clustering_labels_keep_their_type(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.data.records import MultilabelClassificationData

    folder = tmp_path / "CEDRClassification"
    folder.mkdir()
    for split in ("train", "test"):
        (folder / f"{split}.jsonl").write_text('{"text": "a", "label": [10, 2]}\n')
    data = build_record(
        LocalSource(tmp_path), catalog.get_task("CEDRClassification"), "default", "test"
    )
    assert isinstance(data, MultilabelClassificationData)
    assert data.test_labels == [[10, 2]]
    folder = tmp_path / "SNLHierarchicalClusteringS2S"
    folder.mkdir()
    (folder / "test.jsonl").write_text(
        '{"sentences": "a", "labels": [1, 5]}\n{"sentences": "b", "labels": [2]}\n'
    )
    clusters = build_record(
        LocalSource(tmp_path), catalog.get_task("SNLHierarchicalClusteringS2S"), "default", "test"
    )
    assert isinstance(clusters, ClusteringData) and clusters.labels == [[1, 5], [2]]
