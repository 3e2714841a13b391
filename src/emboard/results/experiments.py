"""MTEB's experiment names: ``experiment_kwargs`` of a ``model_meta.json`` as a folder-safe id.

``key_value__key2_value2`` over sorted keys (lists ``[a,b]``, dicts ``{k:v}``; unsafe characters
in values become ``_``); ``exp_<sha256[:16]>`` when longer than 200 characters or still unsafe.
The table *variant* (mteb's ``_experiment_id``) is the same over the kwargs with a meaningful
value only, so ``{"model_kwargs": {}}`` pools with the default run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

_INVALID = set('<>:"|?*\\/\0')
_MAX_LENGTH = 200


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return f"[{','.join(_value(v) for v in value)}]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_value(v)}" for k, v in sorted(value.items())) + "}"
    text = str(value)
    for char in _INVALID:
        text = text.replace(char, "_")
    return text


def experiment_name(kwargs: Mapping[str, Any] | None) -> str | None:
    """The experiment folder name of ``kwargs`` (None when there are none)."""
    if not kwargs:
        return None
    text = "__".join(f"{key}_{_value(value)}" for key, value in sorted(kwargs.items()))
    if len(text) > _MAX_LENGTH or any(c in _INVALID for c in text):
        return f"exp_{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    return text


def _meaningful(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict | list | tuple | set | str):
        return len(value) > 0
    return True


def experiment_variant(kwargs: Mapping[str, Any] | None) -> str:
    """mteb's ``_experiment_id``: the name over meaningful kwargs only ("" for the default run)."""
    if not kwargs:
        return ""
    return experiment_name({k: v for k, v in kwargs.items() if _meaningful(v)}) or ""
