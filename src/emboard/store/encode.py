"""Values to and from the store's columns: JSON text (non-finite floats kept), model columns."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _finite_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_safe(v) for v in value]
    return value


def _has_non_finite(value: Any) -> bool:
    """True if ``value`` may hold a NaN or an infinity (the C JSON encoder refuses them)."""
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError):  # TypeError: keys json cannot write; walk to be sure
        return True
    return False


def dumps(value: Any) -> str:
    """JSON text; NaN and infinities become the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``."""
    out = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    # orjson writes non-finite floats as null: redo with them kept (a real None is null too,
    # so look first: rebuilding every catalog record took 2 s of a cold ingest)
    if b"null" in out and _has_non_finite(value):
        out = orjson.dumps(_finite_safe(value), option=orjson.OPT_NON_STR_KEYS)
    return out.decode()


def canonical(value: Any) -> str:
    """JSON text with sorted keys: equal for equal values whatever the key order (jsonb sorts)."""
    return orjson.dumps(
        _finite_safe(value), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    ).decode()


def canonical_json(stored: Any) -> str:
    """:func:`canonical` of a JSON column's value (text on SQLite, decoded on PostgreSQL)."""
    return canonical(orjson.loads(stored) if isinstance(stored, str | bytes) else stored)


def metrics_json(main_score: float | None, metrics: dict[str, float]) -> str:
    """The ``score.metrics`` text: every numeric value of an entry, ``main_score`` included."""
    if main_score is None:
        return dumps(metrics)
    return dumps({"main_score": main_score, **metrics})


def decode_metric(value: Any) -> float | None:
    """A stored metric value back to a float (``"NaN"`` → nan)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _NON_FINITE.get(value)
    return float(value)


def finite_or_none(value: float | None) -> float | None:
    """The value for a float column: NaN is stored as NULL (MTEB's tables treat NaN as null)."""
    if value is None or math.isnan(value):
        return None
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return int(value)
    return None


def model_columns(meta: dict[str, Any]) -> dict[str, Any]:
    """The filterable ``model`` columns from a ModelMeta dict."""
    embed = meta.get("embed_dim")
    if isinstance(embed, list):
        embed = max((e for e in embed if isinstance(e, int)), default=None)
    max_tokens = meta.get("max_tokens")
    if not isinstance(max_tokens, int | float) or not math.isfinite(max_tokens):
        max_tokens = None
    memory = meta.get("memory_usage_mb")
    return {
        "n_parameters": _as_int(meta.get("n_parameters")),
        "memory_usage_mb": float(memory) if isinstance(memory, int | float) else None,
        "embed_dim": _as_int(embed),
        "max_tokens": float(max_tokens) if max_tokens is not None else None,
        "open_weights": meta.get("open_weights")
        if isinstance(meta.get("open_weights"), bool)
        else None,
        "use_instructions": meta.get("use_instructions")
        if isinstance(meta.get("use_instructions"), bool)
        else None,
        "license": str(meta["license"])[:200] if meta.get("license") else None,
        "release_date": str(meta["release_date"])[:32] if meta.get("release_date") else None,
    }


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, old, new)`` for every key whose value differs (added and removed keys too)."""
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if canonical(before) != canonical(after):
            out.append((key, before, after))
    return out
