"""parse_result on real files of the results snapshot (and variants built from them)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from emboard.errors import ResultFormatError
from emboard.results.legacy import NO_REVISION, NO_VERSION
from emboard.results.parse import parse_result
from emboard.results.parsed import ParsedResult
from emboard.tasks.lookup import CatalogTaskLookup

QWEN = "Alibaba-NLP__gte-Qwen1.5-7B-instruct/no_revision_available"
XLMR = "FacebookAI__xlm-roberta-base/no_revision_available"
LEGACY_FLAT = f"{QWEN}/ATEC.json"
LEGACY_PER_LANGUAGE = f"{QWEN}/STS17.json"
LEGACY_PAIR_CLASSIFICATION = f"{QWEN}/SprintDuplicateQuestions.json"
MINIMAL_API = "openai__text-embedding-3-large/1/AmazonPolarityClassification.json"
CURRENT = "AITeamVN__Vietnamese_Embedding/fcbbb905e6c3757d421aaa5db6fd7c53d038f6fb/AmazonCounterfactualVNClassification.json"
CURRENT_WITH_NAN = "Alibaba-NLP__gte-multilingual-base/ca1791e0bcc104f6db161f27de1340241b13c5a4/MassiveIntentClassification.json"
CURRENT_PAIR_CLASSIFICATION = "Alibaba-NLP__gte-Qwen2-7B-instruct/e26182b2122f4435e8b3ebecbf363990f409b45b/SprintDuplicateQuestions.json"


@pytest.fixture(scope="module")
def lookup(catalog: Any) -> CatalogTaskLookup:
    return CatalogTaskLookup(catalog)


def read(root: Path, rel: str) -> tuple[bytes, dict[str, Any]]:
    data = (root / rel).read_bytes()
    return data, json.loads(data)


def parse(data: bytes | str, lookup: CatalogTaskLookup, path: str = "x.json") -> ParsedResult:
    return parse_result(data, path=path, tasks=lookup)


def test_legacy_flat_file_is_converted(snapshot_results: Path, lookup: CatalogTaskLookup) -> None:
    data, raw = read(snapshot_results, LEGACY_FLAT)
    parsed = parse(data, lookup)
    assert parsed.schema == "legacy"
    assert parsed.task_name == raw["mteb_dataset_name"] == "ATEC"
    assert parsed.dataset_revision == raw["dataset_revision"]
    assert parsed.mteb_version == raw["mteb_version"]
    assert parsed.evaluation_time == raw["test"]["evaluation_time"]
    (entry,) = parsed.entries
    assert (entry.split, entry.subset) == ("test", "default")
    assert entry.languages == tuple(lookup.languages("ATEC", "default"))
    assert entry.main_score == raw["test"]["cos_sim"]["spearman"]  # ATEC's main: cosine_spearman
    expected = {
        f"{prefix}_{k}": v
        for family, prefix in (("cos_sim", "cosine"), ("euclidean", "euclidean"))
        for k, v in raw["test"][family].items()
    }
    assert expected.items() <= entry.metrics.items()
    assert "evaluation_time" not in entry.metrics and "main_score" not in entry.metrics


def test_legacy_per_language_file_keeps_one_entry_per_language(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    data, raw = read(snapshot_results, LEGACY_PER_LANGUAGE)
    parsed = parse(data, lookup)
    subsets = [k for k in raw["test"] if k != "evaluation_time"]
    assert [e.subset for e in parsed.entries] == subsets
    for entry in parsed.entries:
        assert entry.languages == lookup.languages("STS17", entry.subset)
        assert entry.languages  # every STS17 subset is in the catalog's subset map
        assert entry.main_score == raw["test"][entry.subset]["cos_sim"]["spearman"]


def test_minimal_api_model_file_gets_mteb_defaults(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    data, raw = read(snapshot_results, MINIMAL_API)
    parsed = parse(data, lookup)
    assert set(raw) == {"test", "mteb_dataset_name"}
    assert parsed.dataset_revision == NO_REVISION
    assert parsed.mteb_version == NO_VERSION
    assert parsed.evaluation_time == 0.0
    (entry,) = parsed.entries
    assert entry.main_score == raw["test"]["accuracy"]
    assert entry.metrics == {"accuracy": raw["test"]["accuracy"]}
    assert entry.details == {}


def test_legacy_task_names_are_renamed_and_case_resolved(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    ppc = parse(
        (
            snapshot_results / "sentence-transformers__LaBSE/no_revision_available/PPC.json"
        ).read_bytes(),
        lookup,
    )
    assert ppc.task_name == "PpcPC"
    case = parse(
        (
            snapshot_results
            / "Cohere__Cohere-embed-multilingual-light-v3.0/no_revision_available/DiaBLaBitextMining.json"
        ).read_bytes(),
        lookup,
    )
    assert case.task_name == lookup.resolve("diablabitextmining") != "DiaBLaBitextMining"
    scala = parse((snapshot_results / XLMR / "ScalaDaClassification.json").read_bytes(), lookup)
    assert scala.task_name == "ScalaDaClassification"
    assert {e.languages for e in scala.entries} == {("dan-Latn",)}


def test_legacy_subset_fixes(snapshot_results: Path, lookup: CatalogTaskLookup) -> None:
    xpqa = parse((snapshot_results / XLMR / "XPQARetrieval.json").read_bytes(), lookup)
    assert "fra-fra" in {e.subset for e in xpqa.entries}
    assert "fr" not in {e.subset for e in xpqa.entries}
    mlsum = parse((snapshot_results / XLMR / "MLSUMClusteringP2P.json").read_bytes(), lookup)
    assert [e.subset for e in mlsum.entries] == ["fr"]
    assert mlsum.entries[0].languages == lookup.languages("MLSUMClusteringP2P", "fr")


def test_current_file(snapshot_results: Path, lookup: CatalogTaskLookup) -> None:
    data, raw = read(snapshot_results, CURRENT)
    parsed = parse(data, lookup)
    assert parsed.schema == "current"
    assert parsed.task_name == raw["task_name"]
    assert (parsed.dataset_revision, parsed.mteb_version) == (
        raw["dataset_revision"],
        raw["mteb_version"],
    )
    assert parsed.evaluation_time == raw["evaluation_time"]
    assert parsed.kg_co2_emissions == raw.get("kg_co2_emissions")
    flat = [(split, e) for split, entries in raw["scores"].items() for e in entries]
    assert len(parsed.entries) == len(flat)
    for entry, (split, scores) in zip(parsed.entries, flat, strict=True):
        assert (entry.split, entry.subset, list(entry.languages)) == (
            split,
            scores["hf_subset"],
            scores["languages"],
        )
        assert entry.main_score == scores["main_score"]
        numeric = {k: v for k, v in scores.items() if type(v) in (int, float)}
        numeric.pop("main_score")
        assert entry.metrics == numeric
        assert entry.details.get("mteb_version") == scores.get("mteb_version", raw["mteb_version"])


def test_nan_scores_are_read(snapshot_results: Path, lookup: CatalogTaskLookup) -> None:
    data = (snapshot_results / CURRENT_WITH_NAN).read_bytes()
    assert b"NaN" in data
    parsed = parse(data, lookup)
    assert any(math.isnan(v) for e in parsed.entries for v in e.metrics.values())


def _nest_families(scores: dict[str, Any]) -> dict[str, Any]:
    """A PairClassification entry written the pre-1.12.48 way: ``{"max": {"ap": …}}``."""
    out: dict[str, Any] = {}
    for key, value in scores.items():
        prefix, _, rest = key.partition("_")
        if prefix in {"cosine", "dot", "euclidean", "manhattan", "max", "similarity"} and rest:
            out.setdefault(prefix, {})[rest] = value
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("version", ["1.12.0", "1.11.0-1.14.0"])
def test_old_pair_classification_entries_are_flattened(
    snapshot_results: Path, lookup: CatalogTaskLookup, version: str
) -> None:
    data, raw = read(snapshot_results, CURRENT_PAIR_CLASSIFICATION)
    expected = parse(data, lookup)
    nested = {**raw, "mteb_version": version}
    nested["scores"] = {s: [_nest_families(e) for e in es] for s, es in raw["scores"].items()}
    assert any(isinstance(v, dict) for e in nested["scores"]["test"] for v in e.values())
    parsed = parse(json.dumps(nested), lookup)
    assert [e.metrics for e in parsed.entries] == [e.metrics for e in expected.entries]
    newer = parse(json.dumps({**nested, "mteb_version": "1.12.48"}), lookup)
    assert all(isinstance(e.details.get("max"), dict) for e in newer.entries)


def test_version_range_decides_the_legacy_conversion(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    _, raw = read(snapshot_results, LEGACY_FLAT)
    assert parse(json.dumps({**raw, "mteb_version": "1.2.0-1.20.0"}), lookup).schema == "legacy"
    with pytest.raises(ResultFormatError, match="missing required field"):
        parse(json.dumps({**raw, "mteb_version": "1.11.0-1.20.0"}), lookup)


def test_unknown_task_in_current_file_is_kept_as_written(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    _, raw = read(snapshot_results, CURRENT)
    parsed = parse(json.dumps({**raw, "task_name": "NoSuchTask"}), lookup)
    assert parsed.task_name == "NoSuchTask"
    assert len(parsed.entries) == sum(len(v) for v in raw["scores"].values())


def test_extra_top_level_keys_are_kept(snapshot_results: Path, lookup: CatalogTaskLookup) -> None:
    _, raw = read(snapshot_results, CURRENT)
    parsed = parse(json.dumps({**raw, "note": {"by": "me"}}), lookup)
    assert parsed.extra["note"] == {"by": "me"}


def _first_entry(raw: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = next(iter(raw["scores"].values()))[0]
    return entry


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda raw: _first_entry(raw).pop("main_score"), "main_score' is missing"),
        (lambda raw: _first_entry(raw).pop("hf_subset"), "hf_subset' must be a string"),
        (lambda raw: _first_entry(raw).update(languages="eng-Latn"), "languages' must be a list"),
        (lambda raw: _first_entry(raw).update(main_score="high"), "main_score' must be a number"),
        (lambda raw: raw.update(scores=[]), "'scores' must be an object"),
        (lambda raw: raw.update(dataset_revision=None), "dataset_revision' must be a string"),
        (lambda raw: raw.update(evaluation_time="soon"), "evaluation_time' must be a number"),
        (lambda raw: raw.update(mteb_version=2), "mteb_version' must be a string or null"),
        (lambda raw: raw.update(date="yesterday"), "'date' must be a timestamp"),
        (lambda raw: raw.pop("task_name"), "missing required field.*task_name"),
    ],
)
def test_malformed_current_files_are_rejected(
    snapshot_results: Path, lookup: CatalogTaskLookup, break_it: Any, message: str
) -> None:
    _, raw = read(snapshot_results, CURRENT)
    break_it(raw)
    with pytest.raises(ResultFormatError, match=message) as caught:
        parse(json.dumps(raw), lookup, path="some/model/Task.json")
    assert str(caught.value).startswith("some/model/Task.json: ")


def test_truncated_and_non_object_files_are_rejected(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    data = (snapshot_results / CURRENT).read_bytes()
    with pytest.raises(ResultFormatError, match=r"^t\.json: not valid JSON"):
        parse(data[: len(data) // 2], lookup, path="t.json")
    with pytest.raises(ResultFormatError, match="not UTF-8"):
        parse(b"\xff" + data, lookup)
    with pytest.raises(ResultFormatError, match="must hold a JSON object"):
        parse(b"[1, 2]", lookup)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mteb_dataset_name": "NoSuchTask"}, "unknown task 'NoSuchTask'"),
        ({"mteb_dataset_name": None}, "mteb_dataset_name' must be a string"),
        ({"test": [1]}, "top-level field 'test' should be a split"),
        ({"test": {"main_score": 0.5, "en": {"accuracy": 1.0}}}, "mixes per-language score"),
    ],
)
def test_malformed_legacy_files_are_rejected(
    snapshot_results: Path, lookup: CatalogTaskLookup, change: dict[str, Any], message: str
) -> None:
    _, raw = read(snapshot_results, LEGACY_FLAT)
    with pytest.raises(ResultFormatError, match=message):
        parse(json.dumps({**raw, **change}), lookup)


def test_legacy_file_without_task_name_is_rejected(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    _, raw = read(snapshot_results, LEGACY_FLAT)
    raw.pop("mteb_dataset_name")
    with pytest.raises(ResultFormatError, match="'mteb_dataset_name' is missing"):
        parse(json.dumps(raw), lookup)


def test_lookup_answers_as_mteb(lookup: CatalogTaskLookup, catalog: Any) -> None:
    assert lookup.resolve("PPC") == "PpcPC"
    assert lookup.resolve("sts12") == "STS12"
    assert lookup.resolve("NoSuchTask") is None
    assert lookup.main_score("STS12") == catalog.get_task("STS12").main_score
    assert lookup.task_type("SprintDuplicateQuestions") == "PairClassification"
    sts22 = catalog.get_task("STS22")
    assert lookup.languages("STS22", "de-en") == tuple(sts22.languages("de-en"))
    assert lookup.languages("STS22", "default") == tuple(sts22.all_languages)
    assert lookup.languages("NoSuchTask", "default") == ()
