"""Read one MTEB result file exactly as mteb 2.26.24's ``TaskResult.from_disk`` reads it.

:func:`parse_result` takes a file's bytes and returns a :class:`ParsedResult`, or raises
:class:`~emboard.errors.ResultFormatError` (naming the path and the field) for every file mteb
cannot load. The steps are mteb's:

1. Parse the JSON (orjson; Python's json for what orjson refuses, e.g. ``NaN``). The top level
   must be an object, ``mteb_version`` a string or null.
2. The file's version is the first part of a range such as ``"2.12.16-2.15.4"``. A file is
   *pre-1.11* when that version is below 1.11.0 or the ``mteb_version`` key is absent.
3. Validate the current schema as mteb's pydantic ``TaskResult`` does (required keys, their
   types, lax floats and dates; every subset entry needs ``main_score``, a string ``hf_subset``
   and a list ``languages``). Only if that fails and the file is pre-1.11 is it converted
   (:mod:`emboard.results.legacy`).
4. Below 1.12.48, the entries of a PairClassification task get their nested dicts flattened
   (``{"max": {"ap": …}}`` → ``max_ap``).
5. As mteb does, an entry of a current-schema file without its own ``mteb_version`` gets the
   file's (when the file has one).

Top-level keys beyond ParsedResult's fields (``evaluation_phases``, stray keys) go to
``ParsedResult.extra``; in an entry, numeric values (not booleans) go to ``metrics`` and all
else but ``hf_subset``, ``languages`` and ``main_score`` to ``details``.

Where emboard differs from mteb, on purpose:

* A current-schema file whose task is not in the catalog is kept, with ``task_name`` as written
  (mteb does the same, except that below 1.12.48 it fails looking up any name that is not
  exactly a registry name; we ask the lookup, which also knows renames and case variants, and
  skip the PairClassification fix when it does not know the task). Names are never renamed or
  case-folded in current files.
* A ``date`` without a time zone is read as UTC (mteb keeps it naive, i.e. local time).
* Converted pre-1.11 entries carry no ``mteb_version`` of their own (mteb stamps each with the
  version of the mteb that loads it, which says nothing about the file).
* orjson reads an integer beyond 64 bits as a float (Python's json keeps it exact); no result
  file has one.
* ``main_score`` must be a number or null (mteb accepts any JSON value but cannot rank it), and a
  pre-1.11 ``dataset_revision`` must be a string or null.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from packaging.version import InvalidVersion, Version

from emboard.errors import ResultFormatError
from emboard.results.legacy import convert_legacy
from emboard.results.parsed import ParsedResult, ScoreEntry, TaskLookup

__all__ = ["parse_result"]

V1_11 = Version("1.11.0")
V1_12_48 = Version("1.12.48")

REQUIRED_KEYS = ("dataset_revision", "task_name", "mteb_version", "scores", "evaluation_time")
KNOWN_KEYS = frozenset({*REQUIRED_KEYS, "kg_co2_emissions", "date"})
PHASE_KEYS = (("name", str), ("start", float), ("end", float), ("split", str), ("subset", str))
MILLISECONDS_ABOVE = 2e10
"""pydantic reads a numeric date above this (in absolute value) as milliseconds."""


def parse_result(data: bytes | str, *, path: str, tasks: TaskLookup) -> ParsedResult:
    """Parse one result file's content; ``path`` only names the file in errors."""
    raw = _load_json(data, path)
    if not isinstance(raw, dict):
        raise ResultFormatError(
            f"{path}: a result file must hold a JSON object, got {type(raw).__name__}"
        )
    version = _min_version(raw.get("mteb_version"), path)
    pre_1_11 = "mteb_version" not in raw or (version is not None and version < V1_11)
    before_1_12_48 = version is not None and version < V1_12_48
    try:
        return _current(raw, path, tasks, before_1_12_48)
    except ResultFormatError as exc:
        if not pre_1_11:
            if "mteb_dataset_name" in raw:
                raise ResultFormatError(
                    f"{exc} (the file has the pre-1.11 layout, but its mteb_version "
                    f"{raw['mteb_version']!r} is not below 1.11.0, so mteb does not convert it)"
                ) from None
            raise
        reason = str(exc).removeprefix(f"{path}: ")
    content = convert_legacy(raw, path=path, tasks=tasks, reason=reason)
    flatten = before_1_12_48 and tasks.task_type(content.task_name) == "PairClassification"
    entries = tuple(
        entry
        for split, split_scores in content.scores.items()
        for entry in _entries(split, split_scores, path, None, flatten)
    )
    return ParsedResult(
        task_name=content.task_name,
        dataset_revision=content.dataset_revision,
        mteb_version=content.mteb_version,
        entries=entries,
        schema="legacy",
        evaluation_time=content.evaluation_time,
    )


def _load_json(data: bytes | str, path: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # NaN, Infinity, lone surrogates: Python's json reads them
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except UnicodeDecodeError as exc:
        raise ResultFormatError(f"{path}: not UTF-8 text ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ResultFormatError(f"{path}: not valid JSON ({exc})") from None


def _min_version(value: Any, path: str) -> Version | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResultFormatError(
            f"{path}: field 'mteb_version' must be a string or null, got {value!r}"
        )
    return _parse_min_version(value)


@lru_cache(maxsize=4096)
def _parse_min_version(text: str) -> Version | None:
    """mteb's ``_parse_mteb_version_min``: the version, or the first part of ``a-b``."""
    try:
        return Version(text)
    except InvalidVersion:
        pass
    if "-" in text:
        try:
            return Version(text.split("-", 1)[0])
        except InvalidVersion:
            return None
    return None


def _current(
    raw: dict[str, Any], path: str, tasks: TaskLookup, before_1_12_48: bool
) -> ParsedResult:
    """The file read as the current schema; raises if it does not validate."""
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise ResultFormatError(f"{path}: missing required field(s) {', '.join(missing)}")
    revision, name, version = raw["dataset_revision"], raw["task_name"], raw["mteb_version"]
    for key, value in (("dataset_revision", revision), ("task_name", name)):
        if not isinstance(value, str):
            raise ResultFormatError(f"{path}: field {key!r} must be a string, got {value!r}")
    scores = raw["scores"]
    if not isinstance(scores, dict):
        raise ResultFormatError(f"{path}: field 'scores' must be an object, got {scores!r}")
    evaluation_time = _lax_float(raw["evaluation_time"], "evaluation_time", path)
    kg_co2 = _lax_float(raw.get("kg_co2_emissions"), "kg_co2_emissions", path)
    date = _timestamp(raw.get("date"), path)
    _check_phases(raw.get("evaluation_phases"), path)
    flatten = before_1_12_48 and tasks.task_type(name) == "PairClassification"
    entries = []
    for split, split_scores in scores.items():
        if not isinstance(split_scores, list):
            raise ResultFormatError(
                f"{path}: field 'scores.{split}' must be a list of subset scores, "
                f"got {type(split_scores).__name__}"
            )
        entries.extend(_entries(split, split_scores, path, version, flatten))
    return ParsedResult(
        task_name=name,
        dataset_revision=revision,
        mteb_version=version,
        entries=tuple(entries),
        schema="current",
        evaluation_time=evaluation_time,
        kg_co2_emissions=kg_co2,
        date=date,
        extra={k: v for k, v in raw.items() if k not in KNOWN_KEYS},
    )


def _entries(
    split: str, split_scores: list[Any], path: str, version: str | None, flatten: bool
) -> list[ScoreEntry]:
    """One split's subset entries, validated as mteb does, each split into metrics and the rest.

    The hot path of ingest (a million entries): values are nearly all floats, so each dict is
    copied whole, the known keys popped, the value types checked in one C-level pass, and the
    frozen ScoreEntry filled through its slots (its ``__init__`` costs twice as much).
    """
    out = []
    for scores in split_scores:
        if type(scores) is not dict:
            raise _entry_error(split, scores, path)
        metrics: dict[str, Any] = _flattened(scores) if flatten else dict(scores)
        subset = metrics.pop("hf_subset", None)
        languages = metrics.pop("languages", None)
        main_score = metrics.pop("main_score", _MISSING)
        if (
            type(subset) is not str
            or type(languages) is not list
            or (main_score is not None and type(main_score) not in _NUMBER)
        ):
            raise _entry_error(split, scores, path)
        own_version = metrics.pop("mteb_version", version)
        if set(map(type, metrics.values())) <= _NUMBER:
            details: dict[str, Any] = {}
        else:
            details = {k: v for k, v in metrics.items() if type(v) not in _NUMBER}
            for key in details:
                del metrics[key]
        if own_version is not None or "mteb_version" in scores:
            details["mteb_version"] = own_version
        entry: ScoreEntry = _NEW(ScoreEntry)
        _SET_SPLIT(entry, split)
        _SET_SUBSET(entry, subset)
        _SET_LANGUAGES(entry, tuple(languages))
        _SET_MAIN(entry, main_score)
        _SET_METRICS(entry, metrics)
        _SET_DETAILS(entry, details)
        out.append(entry)
    return out


_MISSING: Any = object()
_NUMBER = frozenset({float, int})
_NEW = object.__new__
_FIELDS = ("split", "subset", "languages", "main_score", "metrics", "details")
if tuple(f.name for f in fields(ScoreEntry)) != _FIELDS:  # pragma: no cover - a guard for edits
    raise TypeError(f"ScoreEntry's fields changed; update parse._entries (expected {_FIELDS})")
_SET_SPLIT, _SET_SUBSET, _SET_LANGUAGES, _SET_MAIN, _SET_METRICS, _SET_DETAILS = (
    ScoreEntry.__dict__[name].__set__ for name in _FIELDS
)


def _entry_error(split: str, scores: Any, path: str) -> ResultFormatError:
    where = f"{path}: scores.{split}"
    if not isinstance(scores, dict):
        return ResultFormatError(f"{where}: a subset entry must be an object, got {scores!r}")
    subset = scores.get("hf_subset")
    if not isinstance(subset, str):
        return ResultFormatError(f"{where}: field 'hf_subset' must be a string, got {subset!r}")
    where = f"{where}[{subset}]"
    if "main_score" not in scores:
        return ResultFormatError(f"{where}: field 'main_score' is missing")
    languages = scores.get("languages")
    if not isinstance(languages, list):
        return ResultFormatError(f"{where}: field 'languages' must be a list, got {languages!r}")
    return ResultFormatError(
        f"{where}: field 'main_score' must be a number or null, got {scores['main_score']!r}"
    )


def _flattened(scores: dict[str, Any]) -> dict[str, Any]:
    """mteb's ``_fix_pair_classification_scores``: ``{"max": {"ap": x}}`` → ``{"max_ap": x}``."""
    out = dict(scores)
    for key in list(out):
        value = out[key]
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                out[f"{key}_{sub}"] = sub_value
            out.pop(key)
    return out


def _lax_float(value: Any, field: str, path: str) -> float | None:
    """pydantic's lax ``float | None``: numbers, booleans and numeric strings."""
    if value is None or type(value) is float:
        return value
    if isinstance(value, int):  # bool included, as pydantic does
        try:
            return float(value)
        except OverflowError:
            pass
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ResultFormatError(f"{path}: field {field!r} must be a number or null, got {value!r}")


def _timestamp(value: Any, path: str) -> float | None:
    """pydantic's lax ``datetime | None`` as a POSIX timestamp (naive times read as UTC)."""
    if value is None:
        return None
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return moment.timestamp()
    if seconds is None or not math.isfinite(seconds):
        raise ResultFormatError(
            f"{path}: field 'date' must be a timestamp, an ISO 8601 date or null, got {value!r}"
        )
    return seconds / 1000 if abs(seconds) > MILLISECONDS_ABOVE else seconds


def _check_phases(value: Any, path: str) -> None:
    """mteb's ``list[PhaseTiming] | None``: each phase has name, start, end, split, subset."""
    if value is None:
        return
    if not isinstance(value, list):
        raise ResultFormatError(f"{path}: field 'evaluation_phases' must be a list, got {value!r}")
    for i, phase in enumerate(value):
        if not isinstance(phase, dict):
            raise ResultFormatError(f"{path}: field 'evaluation_phases[{i}]' must be an object")
        for key, kind in PHASE_KEYS:
            field = f"evaluation_phases[{i}].{key}"
            item = phase.get(key)
            if item is None:
                raise ResultFormatError(f"{path}: field {field!r} is missing or null")
            if kind is str and not isinstance(item, str):
                raise ResultFormatError(f"{path}: field {field!r} must be a string, got {item!r}")
            if kind is float:
                _lax_float(item, field, path)
