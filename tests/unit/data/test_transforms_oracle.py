"""mteb's per-task ``dataset_transform``s and fast loading: the rows emboard builds from a Hub
repo (laid out on disk, read offline by ``datasets``) equal the rows mteb 2.26.24 evaluates after
loading and transforming the same repo with its own task classes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from emboard.data.build import build_record
from emboard.data.hub import HubSource
from emboard.data.local import LocalSource
from emboard.data.records import (
    BitextMiningData,
    ClassificationData,
    ClusteringData,
    PairClassificationData,
    STSData,
)
from tests.unit.data.hub_repo import mteb_task, pointed_at, write_repo

pytestmark = pytest.mark.oracle


@pytest.fixture(autouse=True)
def _own_datasets_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh ``datasets`` cache per test: repos written in the same second at the same
    relative paths would otherwise be served from another test's cache."""
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
]


def _text(rng: random.Random, i: int) -> str:
    return f"{' '.join(rng.choices(WORDS, k=rng.randint(2, 6)))} {i}"


def _texts(rng: random.Random, n: int, tag: str = "") -> list[str]:
    return [f"{tag}{_text(rng, i)}" for i in range(n)]


def _labels(rng: random.Random, n: int, names: list[Any], skew: bool = True) -> list[Any]:
    weights = [1 + 3 * (i % 3) for i in range(len(names))] if skew else None
    return rng.choices(names, weights=weights, k=n)


# --- synthetic Hub repos in the layout of each task's dataset --------------------------------


def _toxic(rng: random.Random) -> dict[str, Any]:
    return {
        "default": {
            split: {"text": _texts(rng, n, split), "label": _labels(rng, n, [0, 1])}
            for split, n in (("train", 400), ("test", 2600))
        }
    }


def _toxic_many_ints(rng: random.Random) -> dict[str, Any]:
    """Plain integer labels 0–11: mteb numbers them by their sorted text ("10" < "2")."""
    return {
        "default": {
            split: {"text": _texts(rng, n, split), "label": _labels(rng, n, list(range(12)))}
            for split, n in (("train", 400), ("test", 2600))
        }
    }


def _bigpatent_classlabel(rng: random.Random) -> dict[str, Any]:
    """A ClassLabel column keeps its ids (which differ from the sorted-text order)."""
    from datasets import ClassLabel, Dataset, Features, Value

    names = [f"cat{i}" for i in range(12)]
    features = Features({"sentences": Value("string"), "labels": ClassLabel(names=names)})
    n = 2500
    cols = {"sentences": _texts(rng, n), "labels": _labels(rng, n, list(range(12)))}
    return {"default": {"test": Dataset.from_dict(cols, features=features)}}


def _tweet_topic(rng: random.Random) -> dict[str, Any]:
    names = list(range(6))
    return {
        "default": {
            split: {"text": _texts(rng, n, split), "label": _labels(rng, n, names)}
            for split, n in (("train_2021", 300), ("test_2021", 200), ("validation_2021", 50))
        }
    }


def _masakha(rng: random.Random) -> dict[str, Any]:
    cats = ["business", "sports", "politics", "health", "technology"]
    return {
        lang: {
            split: {"text": _texts(rng, n, lang), "category": _labels(rng, n, cats)}
            for split, n in (("train", 200), ("test", 100))
        }
        for lang in ("eng", "fra")
    }


def _multihate(rng: random.Random) -> dict[str, Any]:
    funcs = [f"f{i}" for i in range(12)]
    n = 2300
    test: dict[str, list[Any]] = {"text": [], "is_hateful": [], "functionality": [], "lang": []}
    for lang in ("deu", "eng"):
        test["text"] += _texts(rng, n, lang)
        test["functionality"] += _labels(rng, n, funcs)
        test["is_hateful"] += _labels(rng, n, ["hateful", "non-hateful"])
        test["lang"] += [lang] * n
    return {"default": {"test": test}}


def _massive(rng: random.Random) -> dict[str, Any]:
    splits: dict[str, dict[str, list[Any]]] = {}
    for split, n in (("train", 150), ("validation", 60), ("test", 80)):
        cols: dict[str, list[Any]] = {"text": [], "label": [], "lang": []}
        for lang in ("de", "en", "fr"):
            cols["text"] += _texts(rng, n, lang)
            cols["label"] += _labels(rng, n, [f"intent_{i}" for i in range(12)])
            cols["lang"] += [lang] * n
        splits[split] = cols
    return {"default": splits}


def _sts22(rng: random.Random) -> dict[str, Any]:
    cols: dict[str, list[Any]] = {"sentence1": [], "sentence2": [], "score": [], "lang": []}
    for lang in ("de-en", "en", "pl"):
        cols["sentence1"] += _texts(rng, 40, lang)
        cols["sentence2"] += _texts(rng, 40, lang)
        cols["score"] += [rng.uniform(1, 4) for _ in range(40)]
        cols["lang"] += [lang] * 40
    return {"default": {"test": cols}}


def _tatoeba(rng: random.Random) -> dict[str, Any]:
    cols: dict[str, list[Any]] = {"sentence1": [], "sentence2": [], "lang": []}
    for lang in ("deu-eng", "fra-eng"):
        cols["sentence1"] += _texts(rng, 30, lang)
        cols["sentence2"] += _texts(rng, 30, "en")
        cols["lang"] += [lang] * 30
    return {"default": {"test": cols}}


def _xnli(rng: random.Random) -> dict[str, Any]:
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features(
        {
            "premise": Value("string"),
            "hypothesis": Value("string"),
            "label": ClassLabel(names=["entailment", "neutral", "contradiction"]),
        }
    )

    def split(n: int, tag: str) -> Any:
        cols = {
            "premise": _texts(rng, n, tag),
            "hypothesis": _texts(rng, n, tag),
            "label": _labels(rng, n, [0, 1, 2]),
        }
        return Dataset.from_dict(cols, features=features)

    return {
        lang: {"test": split(2400, lang), "validation": split(300, lang)} for lang in ("de", "en")
    }


def _sprint(rng: random.Random) -> dict[str, Any]:
    n = 120
    return {
        "default": {
            "test": {
                "sent1": [_texts(rng, n, "a")],
                "sent2": [_texts(rng, n, "b")],
                "labels": [_labels(rng, n, [0, 1])],
            }
        }
    }


def _bible(rng: random.Random) -> dict[str, Any]:
    """Configs named ``eng-xxx`` with one column per language; mteb reads the first 256 rows."""
    return {
        f"eng-{lang}": {"train": {"eng": _texts(rng, 300, "en"), lang: _texts(rng, 300, lang)}}
        for lang in ("aai", "deu")
    }


def _bucc(rng: random.Random) -> dict[str, Any]:
    """One row of lists per subset, 1-based gold pairs (only some sentences are aligned)."""

    def row(lang: str) -> dict[str, list[Any]]:
        firsts, seconds = rng.sample(range(1, 51), 30), rng.sample(range(1, 61), 30)
        return {
            "sentence1": [_texts(rng, 50, lang)],
            "sentence2": [_texts(rng, 60, "en")],
            "gold": [[[i, j] for i, j in zip(firsts, seconds, strict=True)]],
        }

    return {lang: {"test": row(lang)} for lang in ("de-en", "fr-en")}


def _cluster_sets(
    rng: random.Random, n_sets: int, size: int, names: list[str]
) -> dict[str, list[Any]]:
    return {
        "sentences": [_texts(rng, size, f"s{k} ") for k in range(n_sets)],
        "labels": [_labels(rng, size, names) for _ in range(n_sets)],
    }


def _stackexchange(rng: random.Random) -> dict[str, Any]:
    return {"default": {"test": _cluster_sets(rng, 5, 600, [f"site{i}" for i in range(15)])}}


def _stackexchange_p2p(rng: random.Random) -> dict[str, Any]:
    sets = _cluster_sets(rng, 4, 150, [f"site{i}" for i in range(8)])
    sets["sentences"].append(["lonely one", "lonely two", "pair a", "pair b"])
    sets["labels"].append(["solo1", "solo2", "site1", "site1"])
    return {"default": {"test": sets}}


def _arxiv(rng: random.Random) -> dict[str, Any]:
    names = ["cs.AI", "cs.CL", "math.AG", "math.PR", "physics.optics", "q-bio.GN", "stat.ML"]
    return {"default": {"test": _cluster_sets(rng, 3, 900, names)}}


def _medrxiv(rng: random.Random) -> dict[str, Any]:
    return {"default": {"test": _cluster_sets(rng, 3, 100, ["neurology", "oncology", "genetics"])}}


def _bigpatent(rng: random.Random) -> dict[str, Any]:
    n = 2500
    return {
        "default": {
            "test": {"sentences": _texts(rng, n), "labels": _labels(rng, n, list("abcdefgh"))}
        }
    }


def _sib200(rng: random.Random) -> dict[str, Any]:
    cats = ["science", "travel", "politics", "sports", "health", "entertainment", "geography"]
    return {
        lang: {
            split: {"text": _texts(rng, n, f"{lang}{split}"), "category": _labels(rng, n, cats)}
            for split, n in (("train", 70), ("validation", 20), ("test", 30))
        }
        for lang in ("deu_Latn", "eng_Latn")
    }


CASES: dict[str, tuple[Any, list[str] | None]] = {
    "ToxicConversationsClassification": (_toxic, None),
    "ToxicConversationsClassification#12-int-labels": (_toxic_many_ints, None),
    "TweetTopicSingleClassification": (_tweet_topic, None),
    "MasakhaNEWSClassification": (_masakha, ["eng", "fra"]),
    "MultiHateClassification": (_multihate, ["deu", "eng"]),
    "MassiveIntentClassification": (_massive, ["de", "en", "fr"]),
    "STS22.v2": (_sts22, ["de-en", "en", "pl"]),
    "Tatoeba": (_tatoeba, ["deu-eng", "fra-eng"]),
    "BUCC": (_bucc, ["de-en", "fr-en"]),
    "BibleNLPBitextMining": (
        _bible,
        ["aai_Latn-eng_Latn", "eng_Latn-aai_Latn", "deu_Latn-eng_Latn"],
    ),
    "XNLI": (_xnli, ["de", "en"]),
    "SprintDuplicateQuestions": (_sprint, None),
    "StackExchangeClustering.v2": (_stackexchange, None),
    "StackExchangeClusteringP2P.v2": (_stackexchange_p2p, None),
    "ArXivHierarchicalClusteringS2S": (_arxiv, None),
    "MedrxivClusteringS2S.v2": (_medrxiv, None),
    "TwentyNewsgroupsClustering.v2": (_medrxiv, None),
    "BigPatentClustering.v2": (_bigpatent, None),
    "BigPatentClustering.v2#classlabel": (_bigpatent_classlabel, None),
    "SIB200ClusteringS2S": (_sib200, ["deu_Latn", "eng_Latn"]),
}


def _mteb_split(task: Any, subset: str, split: str) -> Any:
    data = task.dataset[subset] if task.metadata.is_multilingual else task.dataset
    return data[split]


def _assert_same_rows(ours: Any, theirs: Any, train: Any = None) -> None:
    if isinstance(ours, ClassificationData):
        assert ours.test_texts == theirs["text"] and ours.train_texts == train["text"]
        test_labels, train_labels = list(theirs["label"]), list(train["label"])
        if not all(isinstance(v, int) for v in test_labels + train_labels):
            # string labels: emboard numbers them by sorted value, one mapping for both splits
            names = {v: i for i, v in enumerate(sorted(set(test_labels + train_labels)))}
            test_labels = [names[v] for v in test_labels]
            train_labels = [names[v] for v in train_labels]
        assert ours.test_labels.tolist() == test_labels
        assert ours.train_labels.tolist() == train_labels
    elif isinstance(ours, ClusteringData):
        labels = [lab if isinstance(lab, list) else [lab] for lab in theirs["labels"]]
        assert ours.texts == theirs["sentences"]
        assert ours.labels == labels  # same values and types (ints stay ints)
    elif isinstance(ours, PairClassificationData):
        row = theirs[0] if isinstance(theirs, list) else theirs[:]
        flat = {k: (v[0] if len(v) == 1 and isinstance(v[0], list) else v) for k, v in row.items()}
        assert ours.sentence1 == flat["sentence1"] and ours.sentence2 == flat["sentence2"]
        assert ours.labels.tolist() == list(flat["labels"])
    elif isinstance(ours, STSData):
        assert ours.sentence1 == theirs["sentence1"]
        assert ours.scores.tolist() == pytest.approx(list(theirs["score"]), abs=0)
    elif isinstance(ours, BitextMiningData):
        assert ours.sentence1 == theirs["sentence1"] and ours.sentence2 == theirs["sentence2"]
        gold = theirs.get("gold") if isinstance(theirs, dict) else None
        assert ours.gold == (None if gold is None else [tuple(p) for p in gold])
    else:  # pragma: no cover - every case above
        raise AssertionError(type(ours))


@pytest.mark.parametrize("case", list(CASES))
def test_hub_rows_after_transform_equal_mteb(tmp_path: Path, catalog, case: str) -> None:  # type: ignore[no-untyped-def]
    make, subsets = CASES[case]
    name = case.partition("#")[0]
    repo = write_repo(tmp_path / "repo", make(random.Random(len(name))))
    theirs = mteb_task(name, repo, subsets)
    task = pointed_at(catalog.get_task(name), repo)
    train_split = str(task.evaluation_params.get("train_split", "train"))
    for subset in subsets or ["default"]:
        for split in task.eval_splits:
            ours = build_record(HubSource(), task, subset, split)
            train = (
                _mteb_split(theirs, subset, train_split)
                if isinstance(ours, ClassificationData)
                else None
            )
            _assert_same_rows(ours, _mteb_split(theirs, subset, split), train)


def test_local_fast_loading_table_is_split_by_lang(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    """A local flat ``test.jsonl`` with a ``lang`` column reads like the Hub's merged table."""
    import json

    cols = _sts22(random.Random(3))["default"]["test"]
    folder = tmp_path / "STS22.v2"
    folder.mkdir()
    rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    repo = write_repo(tmp_path / "repo", {"default": {"test": cols}})
    task = catalog.get_task("STS22.v2")
    for subset in ("de-en", "pl"):
        local = build_record(LocalSource(tmp_path), task, subset, "test")
        hub = build_record(HubSource(), pointed_at(task, repo), subset, "test")
        assert isinstance(local, STSData) and isinstance(hub, STSData)
        assert local.sentence1 == hub.sentence1 and len(local.sentence1) == 40
        assert all(s.startswith(subset) for s in local.sentence1)


@pytest.mark.parametrize(
    ("name", "subset"),
    [
        pytest.param(  # ~40 s: mteb reads the label column row by row for every metric
            "ToxicConversationsClassification", "default", marks=pytest.mark.slow
        ),
        ("XNLI", "en"),
        ("BUCC", "fr-en"),
        ("SIB200ClusteringS2S", "eng_Latn"),
    ],
)
def test_scores_on_transformed_rows_equal_mteb(
    tmp_path: Path, catalog, name: str, subset: str
) -> None:  # type: ignore[no-untyped-def]
    """mteb's whole task (load, transform, evaluate) and emboard's (Hub source, evaluator) give
    the same scores for the same fixed embeddings."""
    from threadpoolctl import threadpool_limits

    from emboard.evaluators import get_evaluator
    from emboard.evaluators.base import EvalContext
    from tests.unit.evaluators._fake_mteb_model import assert_same
    from tests.unit.evaluators._fake_similarity_model import SimilarityEncoder

    make, subsets = CASES[name]
    configs = make(random.Random(len(name)))
    repo = write_repo(tmp_path / "repo", configs)
    theirs_task = mteb_task(name, repo, [subset] if subsets else None)
    task = pointed_at(catalog.get_task(name), repo)
    split = task.eval_splits[0]
    data = build_record(HubSource(), task, subset, split)
    texts = [t for d in configs.values() for cols in d.values() for t in _all_texts(cols)]
    enc = SimilarityEncoder(texts, dim=8, seed=1)
    with threadpool_limits(limits=1):
        scores = theirs_task.evaluate(enc, split=split, encode_kwargs={"batch_size": 32})
        theirs = dict(scores[subset])
        ctx = EvalContext(name, task.type, split, subset, task.evaluation_params)
        ours = get_evaluator(task.variant).evaluate(data, enc, ctx)
    for key in ("main_score", "hf_subset", "languages"):
        theirs.pop(key, None)
    assert_same(ours.scores, theirs, name, tol=1e-12)


def _all_texts(cols: Any) -> list[str]:
    from datasets import Dataset

    table = cols.to_dict() if isinstance(cols, Dataset) else cols
    out: list[str] = []
    for values in table.values():
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, list):
                out += [x for x in v if isinstance(x, str)]
    return out


def test_every_benchmark_transform_is_listed() -> None:
    """Each task of the three benchmarks whose mteb class defines a ``dataset_transform`` or
    uses fast loading is in emboard's tables (or explicitly marked as not needing one)."""
    import mteb

    from emboard.data.transforms import CHECK_ONLY, FAST_LOADING, NOT_SUPPORTED, TRANSFORMS

    names = {
        t.metadata.name
        for b in ("MTEB(eng, v1)", "MTEB(eng, v2)", "MTEB(Multilingual, v2)")
        for t in mteb.get_benchmark(b).tasks
    }
    with_transform, fast = set(), set()
    for name in names:
        task = mteb.get_task(name)
        owner = next(k for k in type(task).__mro__ if "dataset_transform" in k.__dict__)
        if owner.__module__.startswith("mteb.tasks"):
            with_transform.add(name)
        if getattr(task, "fast_loading", False):
            fast.add(name)
        loader = next(k for k in type(task).__mro__ if "load_data" in k.__dict__)
        if loader.__module__.startswith("mteb.tasks") and name not in NOT_SUPPORTED:
            with_transform.add(name)  # own load_data: must be covered or parallel_subsets
    parallel = {"FloresBitextMining", "NTREXBitextMining", "IN22GenBitextMining"}
    listed = set(TRANSFORMS) | set(CHECK_ONLY) | set(NOT_SUPPORTED) | parallel
    assert sorted(with_transform - listed) == []
    assert sorted(fast - FAST_LOADING) == []
