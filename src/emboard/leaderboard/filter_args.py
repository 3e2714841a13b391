"""``key=value`` filter strings (CLI ``--filter``, URL query values) → :class:`LeaderboardFilter`.

Keys: ``type``, ``domain``, ``language``, ``modality``, ``task``, ``model_type``, ``framework``
(repeatable or comma-separated), ``min_params`` / ``max_params`` (``300M``, ``1.5B``, ``7e9``),
``open_weights`` and ``instructions`` (true/false), ``zero_shot`` (allow_all, remove_unknown,
only_zero_shot), ``name`` (substring of the model name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, get_args

from emboard.errors import EmboardError, unknown_name_message
from emboard.leaderboard.filters import LeaderboardFilter, ZeroShotSetting


class FilterError(EmboardError):
    """A filter string is malformed."""


_LISTS = {
    "type": "task_types",
    "domain": "domains",
    "language": "languages",
    "modality": "modalities",
    "task": "tasks",
    "model_type": "model_types",
    "framework": "frameworks",
}
_SCALARS = ("min_params", "max_params", "open_weights", "instructions", "zero_shot", "name")
KEYS = tuple(_LISTS) + _SCALARS
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmbt]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def parse_size(text: str, key: str = "size") -> int:
    """``300M`` → 300_000_000; ``1.5B``; plain numbers are parameter counts."""
    match = _SIZE.match(text)
    if match is None:
        raise FilterError(f"Filter {key}={text!r}: expected a number with an optional K/M/B suffix")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_bool(text: str, key: str) -> bool:
    """true/false, yes/no, 1/0."""
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise FilterError(f"Filter {key}={text!r}: expected true or false")


def _scalar(key: str, value: str) -> dict[str, Any]:
    if key in ("min_params", "max_params"):
        return {
            "min_parameters" if key == "min_params" else "max_parameters": parse_size(value, key)
        }
    if key == "open_weights":
        return {"open_weights": parse_bool(value, key)}
    if key == "instructions":
        return {"use_instructions": parse_bool(value, key)}
    if key == "zero_shot":
        allowed = get_args(ZeroShotSetting)
        if value not in allowed:
            raise FilterError(f"Filter zero_shot={value!r}: expected one of {', '.join(allowed)}")
        return {"zero_shot": value}
    return {"name_contains": value}


def parse_filters(items: Iterable[str]) -> LeaderboardFilter | None:
    """A filter from ``key=value`` strings (None when there are none)."""
    lists: dict[str, list[str]] = {}
    scalars: dict[str, Any] = {}
    seen = False
    for item in items:
        seen = True
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            raise FilterError(f"Filter {item!r}: expected key=value")
        if key in _LISTS:
            lists.setdefault(_LISTS[key], []).extend(
                v.strip() for v in value.split(",") if v.strip()
            )
        elif key in _SCALARS:
            scalars.update(_scalar(key, value.strip()))
        else:
            raise FilterError(unknown_name_message("filter key", key, KEYS))
    if not seen:
        return None
    values: dict[str, Any] = {f: tuple(v) for f, v in lists.items()}
    return LeaderboardFilter(**scalars, **values)
