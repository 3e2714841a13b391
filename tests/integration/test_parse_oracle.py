"""Oracle: emboard's ``parse_result`` reads the public results snapshot as mteb's ``from_disk``.

For every pre-1.11 file of the snapshot, a deterministic sample of current-schema files and every
file of the 13 untouched models, the parsed result must equal mteb 2.26.24's
``TaskResult.from_disk``: task name, dataset revision, mteb version, times, and for every
(split, subset) entry the whole score dict (NaN-aware). Files mteb cannot load must be exactly
the files we reject.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest

from emboard.errors import ResultFormatError
from emboard.results.parse import parse_result
from emboard.results.parsed import ParsedResult
from emboard.tasks.lookup import CatalogTaskLookup

pytestmark = pytest.mark.oracle

CURRENT_SAMPLE = 6000


def result_files(root: Path) -> list[Path]:
    """Every ``{Task}.json`` under ``root`` (``model_meta.json`` excluded), sorted."""
    return sorted(p for p in root.rglob("*.json") if p.name != "model_meta.json")


def is_legacy_layout(data: bytes) -> bool:
    """A cheap test for the pre-1.11 layout (task named by ``mteb_dataset_name``)."""
    return b'"mteb_dataset_name"' in data or b'"scores"' not in data


def in_sample(path: Path, root: Path, n_total: int, n_wanted: int) -> bool:
    """Deterministic sample: a stable hash of the relative path, about n_wanted of n_total."""
    key = zlib.crc32(str(path.relative_to(root)).encode())
    return key % max(1, n_total // n_wanted) == 0


def same(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN and 1 equals 1.0."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and isinstance(a, bool) == isinstance(b, bool)


def ours_as_mteb(parsed: ParsedResult) -> list[tuple[str, dict[str, Any]]]:
    """Our entries as mteb's score dicts, in file order."""
    return [
        (
            e.split,
            {
                **e.metrics,
                **e.details,
                "hf_subset": e.subset,
                "languages": list(e.languages),
                "main_score": e.main_score,
            },
        )
        for e in parsed.entries
    ]


def mismatch(parsed: ParsedResult, oracle: Any, lookup: CatalogTaskLookup) -> str | None:
    """What differs between our result and mteb's, or None."""
    if parsed.task_name != oracle.task_name:
        return f"task_name {parsed.task_name!r} != {oracle.task_name!r}"
    for field in ("dataset_revision", "mteb_version", "evaluation_time", "kg_co2_emissions"):
        if not same(getattr(parsed, field), getattr(oracle, field)):
            return f"{field} {getattr(parsed, field)!r} != {getattr(oracle, field)!r}"
    theirs_date = oracle.date.timestamp() if oracle.date is not None else None
    if (parsed.date is None) != (theirs_date is None) or (
        parsed.date is not None and abs(parsed.date - theirs_date) > 1e-3
    ):
        return f"date {parsed.date!r} != {theirs_date!r}"
    theirs = [(split, dict(e)) for split, entries in oracle.scores.items() for e in entries]
    ours = ours_as_mteb(parsed)
    if len(ours) != len(theirs):
        return f"{len(ours)} entries != {len(theirs)}"
    for (split, mine), (their_split, their) in zip(ours, theirs, strict=True):
        if parsed.schema == "legacy" and "mteb_version" not in mine:
            their.pop("mteb_version", None)  # mteb stamps its own version on converted entries
        if split != their_split or not same(mine, their):
            if split == their_split and _same_up_to_language_order(mine, their, parsed, lookup):
                continue
            return f"entry {split}/{mine.get('hf_subset')}: {mine} != {their}"
    return None


def _same_up_to_language_order(
    mine: dict[str, Any], their: dict[str, Any], parsed: ParsedResult, lookup: CatalogTaskLookup
) -> bool:
    """A few tasks build their language list from a set, so mteb's order changes per process."""
    if parsed.schema != "legacy" or sorted(mine["languages"]) != sorted(their["languages"]):
        return False
    return same({**mine, "languages": None}, {**their, "languages": None})


def compare_files(paths: list[Path], lookup: CatalogTaskLookup) -> list[str]:
    """One line per file where we and mteb disagree (load or reject)."""
    from mteb.results.task_result import TaskResult

    problems = []
    for path in paths:
        data = path.read_bytes()
        try:
            parsed: ParsedResult | None = parse_result(data, path=str(path), tasks=lookup)
            ours_error = None
        except ResultFormatError as exc:
            parsed, ours_error = None, str(exc)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                oracle = TaskResult.from_disk(path)
        except Exception as exc:  # any mteb failure means "cannot load"
            if parsed is not None:
                problems.append(f"{path}: mteb fails ({exc!r:.200}), we load it")
            continue
        if parsed is None:
            problems.append(f"{path}: mteb loads it, we reject it: {ours_error}")
            continue
        diff = mismatch(parsed, oracle, lookup)
        if diff:
            problems.append(f"{path}: {diff}"[:2000])
    return problems


@pytest.fixture(scope="module")
def lookup(catalog: Any) -> CatalogTaskLookup:
    return CatalogTaskLookup(catalog)


@pytest.fixture(autouse=True, scope="module")
def _quiet_mteb() -> Any:
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    yield
    logging.disable(previous)


def test_snapshot_legacy_and_sampled_current_files_match_mteb(
    snapshot_results: Path, lookup: CatalogTaskLookup
) -> None:
    paths = result_files(snapshot_results)
    legacy, current = [], []
    for path in paths:
        (legacy if is_legacy_layout(path.read_bytes()) else current).append(path)
    sample = [p for p in current if in_sample(p, snapshot_results, len(current), CURRENT_SAMPLE)]
    assert len(legacy) > 1500
    assert len(sample) >= 5000
    problems = compare_files(legacy + sample, lookup)
    assert not problems, f"{len(problems)} files differ:\n" + "\n".join(problems[:20])


def test_full_13_models_match_mteb(full_13_results: Path, lookup: CatalogTaskLookup) -> None:
    paths = result_files(full_13_results)
    assert len(paths) > 5000
    problems = compare_files(paths, lookup)
    assert not problems, f"{len(problems)} files differ:\n" + "\n".join(problems[:20])


CURRENT_FILE = "AITeamVN__Vietnamese_Embedding/fcbbb905e6c3757d421aaa5db6fd7c53d038f6fb/AmazonCounterfactualVNClassification.json"
LEGACY_FILE = "Alibaba-NLP__gte-Qwen1.5-7B-instruct/no_revision_available/ATEC.json"
PAIR_FILE = "Alibaba-NLP__gte-Qwen2-7B-instruct/e26182b2122f4435e8b3ebecbf363990f409b45b/SprintDuplicateQuestions.json"


def _variants(root: Path) -> dict[str, bytes]:
    """Files built from real ones, each broken or bent in one way mteb has a rule for."""
    current = json.loads((root / CURRENT_FILE).read_bytes())
    legacy = json.loads((root / LEGACY_FILE).read_bytes())
    pair = json.loads((root / PAIR_FILE).read_bytes())
    entry = next(iter(current["scores"].values()))[0]

    def cur(**changes: Any) -> dict[str, Any]:
        return {**current, **changes}

    def with_entry(**changes: Any) -> dict[str, Any]:
        first, *rest = next(iter(current["scores"].values()))
        return cur(scores={"test": [{**first, **changes}, *rest]})

    nested = {
        **pair,
        "mteb_version": "1.12.0",
        "scores": {
            s: [
                {
                    **{k: v for k, v in e.items() if not k.startswith("max_")},
                    "max": {k[4:]: v for k, v in e.items() if k.startswith("max_")},
                }
                for e in es
            ]
            for s, es in pair["scores"].items()
        },
    }
    docs: dict[str, Any] = {
        "no_main_score": cur(
            scores={"test": [{k: v for k, v in entry.items() if k != "main_score"}]}
        ),
        "hf_subset_int": with_entry(hf_subset=3),
        "languages_str": with_entry(languages="eng-Latn"),
        "scores_list": cur(scores=[]),
        "split_not_list": cur(scores={"test": entry}),
        "revision_null": cur(dataset_revision=None),
        "version_int": cur(mteb_version=2),
        "version_null": cur(mteb_version=None),
        "version_range": cur(mteb_version="1.12.50-2.1.0"),
        "eval_time_str": cur(evaluation_time="1.5"),
        "eval_time_bad": cur(evaluation_time="soon"),
        "date_iso": cur(date="2025-01-02T03:04:05Z"),
        "date_bad": cur(date="yesterday"),
        "phases_bad": cur(evaluation_phases=[{"name": "x"}]),
        "unknown_task": cur(task_name="NoSuchTask"),
        "not_object": [current],
        "legacy_range_old": {**legacy, "mteb_version": "1.2.0-1.20.0"},
        "legacy_range_new": {**legacy, "mteb_version": "1.11.0-1.20.0"},
        "legacy_unknown_task": {**legacy, "mteb_dataset_name": "NoSuchTask"},
        "legacy_lower_case": {**legacy, "mteb_dataset_name": "atec"},
        "legacy_no_name": {k: v for k, v in legacy.items() if k != "mteb_dataset_name"},
        "legacy_mixed": {**legacy, "test": {"main_score": 0.5, "en": {"accuracy": 1.0}}},
        "legacy_scalar_split": {**legacy, "note": "x"},
        "legacy_bad_family": {**legacy, "test": {"max": 0.5}},
        "legacy_no_version": {k: v for k, v in legacy.items() if k != "mteb_version"},
        "legacy_bad_version": {**legacy, "mteb_version": "abc"},
        "no_version": {k: v for k, v in current.items() if k != "mteb_version"},
        "bad_version": cur(mteb_version="abc"),
        "pair_nested_old": nested,
        "pair_nested_new": {**nested, "mteb_version": "1.12.48"},
    }
    out = {name: json.dumps(doc).encode() for name, doc in docs.items()}
    raw = (root / CURRENT_FILE).read_bytes()
    out["truncated"] = raw[: len(raw) // 2]
    out["not_utf8"] = b"\xff" + raw
    out["bom"] = b"\xef\xbb\xbf" + raw
    out["nan"] = raw.replace(str(entry["main_score"]).encode(), b"NaN", 1)
    return out


def test_variants_of_real_files_load_or_fail_as_in_mteb(
    snapshot_results: Path, lookup: CatalogTaskLookup, tmp_path: Path
) -> None:
    paths = []
    for name, data in _variants(snapshot_results).items():
        path = tmp_path / name / "Task.json"
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    problems = compare_files(paths, lookup)
    assert not problems, "\n".join(problems)
