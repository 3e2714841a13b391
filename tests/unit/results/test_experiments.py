"""Experiment names and table variants equal mteb's for real and awkward kwargs."""

from __future__ import annotations

from typing import Any

import pytest

from emboard.results.experiments import experiment_name, experiment_variant

CASES: list[dict[str, Any] | None] = [
    None,
    {},
    {"model_kwargs": {}},
    {"use_image_modality": False},
    {"vector_type": "multi_vector"},
    {"b": [1, 2.5, None], "a": {"y": "x/y", "x": True}},
    {"prompt": "a" * 300},
    {"path": "C:\\models\\x"},
    {"model_kwargs": {}, "embed_dim": 512},
]


@pytest.mark.oracle
@pytest.mark.parametrize("kwargs", CASES)
def test_equal_to_mteb(kwargs: dict[str, Any] | None) -> None:
    from mteb.models.model_meta import _has_meaningful_value, _serialize_experiment_kwargs_to_name

    assert experiment_name(kwargs) == _serialize_experiment_kwargs_to_name(kwargs)
    meaningful = {k: v for k, v in (kwargs or {}).items() if _has_meaningful_value(v)}
    expected = _serialize_experiment_kwargs_to_name(meaningful) if meaningful else ""
    assert experiment_variant(kwargs) == (expected or "")
