"""Oracle: emboard's ``parse_result`` reads the public results snapshot as mteb's ``from_disk``.

For every pre-1.11 file of the snapshot, a deterministic sample of current-schema files and every
file of the 13 untouched models, the parsed result must equal mteb 2.26.24's
``TaskResult.from_disk``: task name, dataset revision, mteb version, times, and for every
(split, subset) entry the whole score dict (NaN-aware). Files mteb cannot load must be exactly
the files we reject.
"""

from __future__ import annotations

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
        except Exception as exc:  # noqa: BLE001 - any mteb failure means "cannot load"
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
