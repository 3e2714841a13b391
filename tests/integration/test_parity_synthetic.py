"""Oracle parity for task types without shared data: small synthetic rows in the layout of real
MTEB tasks, evaluated by mteb 2.26.24 itself (benchmarks/peer_mteb.py) and by emboard."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.integration.parity import compare_files, run_both

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

TOPICS = {
    "sport": "goal match team player coach league score win ball stadium",
    "food": "bread cheese soup recipe cook kitchen taste dinner sauce bake",
    "tech": "computer software code chip network data server cloud phone app",
    "music": "song guitar band concert album drum melody singer piano tune",
    "nature": "tree river forest mountain flower bird rain lake stone wind",
}


def _sentence(rng: random.Random, topic: str, noise: float = 0.3) -> str:
    words = TOPICS[topic].split()
    every = " ".join(TOPICS.values()).split()
    return " ".join(
        rng.choice(every) if rng.random() < noise else rng.choice(words)
        for _ in range(rng.randint(3, 9))
    )


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def build_tasks(root: Path) -> list[str]:
    rng = random.Random(7)
    topics = list(TOPICS)
    # BitextMining, two subsets (language-pair folders), with a duplicated target sentence
    for subset in ("ru-en", "en-ru"):
        rows = []
        for _ in range(150):
            t = rng.choice(topics)
            s = _sentence(rng, t)
            rows.append({"sentence1": s, "sentence2": " ".join(reversed(s.split()))})
        rows[5]["sentence2"] = rows[6]["sentence2"]
        _write(root / "RuSciBenchBitextMining" / subset / "test.jsonl", rows)
    # Legacy clustering: several sets, one with a single label (scored 1.0 without encoding)
    sets = []
    for size in (60, 45, 30):
        labels = [rng.choice(topics) for _ in range(size)]
        sets.append({"sentences": [_sentence(rng, t) for t in labels], "labels": labels})
    sets.append({"sentences": ["a b", "c d"], "labels": ["x", "x"]})
    _write(root / "ArxivClusteringS2S" / "test.jsonl", sets)
    # Fast clustering with 4% downsampling drawn from the task's random stream
    flat = [
        {"sentences": _sentence(rng, t), "labels": t}
        for t in (rng.choice(topics) for _ in range(2500))
    ]
    _write(root / "PlscClusteringS2S" / "test.jsonl", flat)
    # Hierarchical labels of varying depth
    hier = []
    for _ in range(400):
        t = rng.choice(topics)
        path = [t, f"{t}-{rng.randint(0, 2)}"][: rng.choice([1, 2, 2])]
        hier.append({"sentences": _sentence(rng, t), "labels": path})
    _write(root / "SNLHierarchicalClusteringS2S" / "test.jsonl", hier)
    # Multilabel classification: each row carries one to three topic labels
    for split, n in (("train", 600), ("test", 200)):
        rows = []
        for _ in range(n):
            labs = sorted(set(rng.sample(range(5), rng.randint(1, 3))))
            text = " ".join(_sentence(rng, topics[i], noise=0.1) for i in labs)
            rows.append({"text": text, "label": labs})
        _write(root / "CEDRClassification" / f"{split}.jsonl", rows)
    return [
        "RuSciBenchBitextMining",
        "ArxivClusteringS2S",
        "PlscClusteringS2S",
        "SNLHierarchicalClusteringS2S",
        "CEDRClassification",
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("synthetic")
    names = build_tasks(base / "tasks")
    return run_both(base / "tasks", base, list(names), names)


@pytest.mark.parametrize(
    "task",
    [
        "RuSciBenchBitextMining",
        "ArxivClusteringS2S",
        "PlscClusteringS2S",
        "SNLHierarchicalClusteringS2S",
        "CEDRClassification",
    ],
)
def test_synthetic_task_equals_mteb(runs: dict[str, Any], task: str) -> None:
    failed = {o.task.name: o.error for o in runs["report"].failed}
    assert task not in failed, failed.get(task)
    assert task in runs["mteb"] and task in runs["emboard"]
    problems = compare_files(runs["emboard"][task], runs["mteb"][task])
    assert not problems, "\n".join(problems[:20])
