"""FollowIR's ``qrel_diff`` table, read from a Hub repo on disk and from a local folder: the
changed judgements and the p-MRR scores equal those mteb 2.26.24 loads and computes itself."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emboard.data.build import build_record
from emboard.data.hub import HubSource
from emboard.data.local import LocalSource
from emboard.data.records import RetrievalData
from emboard.evaluators.base import EvalContext
from emboard.evaluators.metrics.ranking import followir_scores
from emboard.evaluators.retrieval import RetrievalEvaluator, query_texts
from tests.unit.data.hub_repo import mteb_task, pointed_at, write_repo
from tests.unit.evaluators._fake_mteb_model import FakeEncoder, assert_same

pytestmark = pytest.mark.oracle
TASK = "Core17InstructionRetrieval"


@pytest.fixture(autouse=True)
def _own_datasets_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


def _parts(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    docs = [f"d{i}" for i in range(40)]
    parts: dict[str, list[dict[str, Any]]] = {
        "corpus": [{"_id": d, "title": "", "text": f"document {d} text"} for d in docs],
        "queries": [],
        "qrels": [],
        "instruction": [],
        "top_ranked": [],
        "qrel_diff": [],
    }
    for q in range(6):
        pool = rng.sample(docs, 15)
        relevant = pool[:5]
        changed = relevant[:2]
        parts["qrel_diff"].append({"query-id": f"q{q}", "corpus-ids": changed})
        for suffix, rel in (("-og", relevant), ("-changed", relevant[2:])):
            qid = f"q{q}{suffix}"
            parts["queries"].append({"_id": qid, "text": f"query {q}"})
            parts["instruction"].append({"query-id": qid, "instruction": f"narrative {qid}"})
            parts["top_ranked"].append({"query-id": qid, "corpus-ids": pool})
            parts["qrels"] += [{"query-id": qid, "corpus-id": d, "score": 1} for d in rel]
            parts["qrels"] += [
                {"query-id": qid, "corpus-id": d, "score": 0} for d in pool if d not in rel
            ]
    return parts


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [r[key] for r in rows] for key in rows[0]}


def _hub_repo(root: Path, parts: dict[str, list[dict[str, Any]]]) -> Path:
    configs = {
        "corpus": {"corpus": _columns(parts["corpus"])},
        "queries": {"queries": _columns(parts["queries"])},
        "default": {"test": _columns(parts["qrels"])},
        "instruction": {"instruction": _columns(parts["instruction"])},
        "top_ranked": {"top_ranked": _columns(parts["top_ranked"])},
        "qrel_diff": {"qrel_diff": _columns(parts["qrel_diff"])},
    }
    return write_repo(root, configs)


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _local_folder(root: Path, parts: dict[str, list[dict[str, Any]]]) -> Path:
    folder = root / TASK
    _jsonl(folder / "corpus.jsonl", parts["corpus"])
    _jsonl(folder / "queries.jsonl", parts["queries"])
    _jsonl(folder / "instruction" / "test.jsonl", parts["instruction"])
    _jsonl(folder / "top_ranked" / "test.jsonl", parts["top_ranked"])
    _jsonl(folder / "qrel_diff.jsonl", parts["qrel_diff"])
    header = "query-id\tcorpus-id\tscore\n"
    rows = "".join(f"{r['query-id']}\t{r['corpus-id']}\t{r['score']}\n" for r in parts["qrels"])
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text(header + rows)
    return root


def test_qrel_diff_and_p_mrr_equal_mteb(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    parts = _parts(random.Random(3))
    repo = _hub_repo(tmp_path / "repo", parts)
    task = catalog.get_task(TASK)
    hub = build_record(HubSource(), pointed_at(task, repo), "default", "test")
    local = build_record(
        LocalSource(_local_folder(tmp_path / "local", parts)), task, "default", "test"
    )
    assert isinstance(hub, RetrievalData) and isinstance(local, RetrievalData)
    expected = {r["query-id"]: r["corpus-ids"] for r in parts["qrel_diff"]}
    assert hub.changed_qrels == local.changed_qrels == expected
    assert hub.qrels == local.qrels and hub.instructions == local.instructions

    theirs_task = mteb_task(TASK, repo)
    rng = np.random.default_rng(0)
    run = {
        q: {d: float(s) for d, s in zip(docs, rng.standard_normal(len(docs)), strict=True)}
        for q, docs in (hub.top_ranked or {}).items()
    }
    theirs = theirs_task.task_specific_scores({}, hub.qrels, run, "test", "default")
    assert hub.changed_qrels is not None
    ours = followir_scores(hub.qrels, run, hub.changed_qrels)
    assert_same(ours, dict(theirs), tol=0.0)


def test_followir_record_is_scored(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """The evaluator no longer stops for a missing qrel_diff: p-MRR is in the scores."""
    parts = _parts(random.Random(4))
    source = LocalSource(_local_folder(tmp_path, parts))
    data = build_record(source, catalog.get_task(TASK), "default", "test")
    assert isinstance(data, RetrievalData)
    texts = query_texts(data.query_texts, data.instructions) + data.corpus_texts
    ctx = EvalContext(TASK, "InstructionReranking", "test", "default", {})
    result = RetrievalEvaluator().evaluate(data, FakeEncoder(texts), ctx)
    assert isinstance(result.scores["p-MRR"], float)
    assert set(result.scores) >= {"og", "changed", "ndcg_at_5"}
