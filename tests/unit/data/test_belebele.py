"""BelebeleRetrieval: corpus, queries and qrels built from reading-comprehension rows of a Hub
repo on disk equal mteb 2.26.24's own ``load_data``, and the scores equal mteb's."""

from __future__ import annotations

import random
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emboard.data.build import build_record
from emboard.data.hub import HubSource
from emboard.data.records import RetrievalData
from emboard.evaluators.base import EvalContext
from emboard.evaluators.retrieval import RetrievalEvaluator
from tests.unit.data.hub_repo import mteb_task, pointed_at, write_repo
from tests.unit.evaluators._fake_mteb_model import assert_same
from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

pytestmark = pytest.mark.oracle
TASK = "BelebeleRetrieval"
SUBSETS = ["deu_Latn-eng_Latn", "eng_Latn-eng_Latn"]


@pytest.fixture(autouse=True)
def _own_datasets_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


class _Vectors(dict):  # type: ignore[type-arg]
    """Any text → a fixed vector seeded by the text (both sides embed the same strings)."""

    def __missing__(self, text: str) -> Any:
        seed = zlib.crc32(text.encode())
        self[text] = np.random.default_rng(seed).standard_normal(8).astype(np.float32)
        return self[text]


def _rows(rng: random.Random, lang: str) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {
        "link": [],
        "question_number": [],
        "flores_passage": [],
        "question": [],
    }
    for p in range(12):
        for q in range(rng.randint(1, 3)):
            cols["link"].append(f"https://example.org/{p}")
            cols["question_number"].append(q + 1)
            cols["flores_passage"].append(f"{lang} passage {p} about {rng.choice('abcdef')}")
            shared = p % 5 == 0 and q == 0  # the same question asked of two passages
            cols["question"].append(f"{lang} question {'shared' if shared else f'{p}-{q}'}")
    return cols


def test_belebele_equals_mteb(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(8)
    configs = {lang: {"test": _rows(rng, lang[:3])} for lang in ("deu_Latn", "eng_Latn")}
    repo = write_repo(tmp_path / "repo", configs)
    theirs = mteb_task(TASK, repo, SUBSETS)
    task = pointed_at(catalog.get_task(TASK), repo)
    enc = SimilarityEncoder([], dim=8)
    enc.table = _Vectors()
    scores = theirs.evaluate(enc, split="test", encode_kwargs={"batch_size": 32})
    loaded = theirs.dataset  # mteb's v2 layout: subset -> split -> corpus, queries, qrels
    for subset in SUBSETS:
        data = build_record(HubSource(), task, subset, "test")
        assert isinstance(data, RetrievalData)
        part = loaded[subset]["test"]
        assert data.qrels == part["relevant_docs"]
        assert data.query_ids == part["queries"]["id"]
        assert data.query_texts == part["queries"]["text"]
        assert data.corpus_ids == part["corpus"]["id"]
        ctx = EvalContext(TASK, task.type, "test", subset, task.evaluation_params)
        ours = RetrievalEvaluator().evaluate(data, enc, ctx)
        expected = dict(scores[subset])
        for key in ("main_score", "hf_subset", "languages"):
            expected.pop(key, None)
        assert_same(ours.scores, expected, subset, tol=1e-12)
