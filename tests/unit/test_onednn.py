"""The cap on oneDNN's primitive cache (emboard.models.onednn)."""

from __future__ import annotations

import pytest


def test_onednn_cache_capped_unless_the_user_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from emboard.models.onednn import CAPACITY_VARIABLE, limit_primitive_cache

    monkeypatch.delenv(CAPACITY_VARIABLE, raising=False)
    assert limit_primitive_cache(None) is False and CAPACITY_VARIABLE not in os.environ
    with pytest.raises(ValueError, match=">= 0"):
        limit_primitive_cache(-1)
    assert limit_primitive_cache() is True and os.environ[CAPACITY_VARIABLE] == "16"
    monkeypatch.setenv(CAPACITY_VARIABLE, "512")
    assert limit_primitive_cache(4) is False and os.environ[CAPACITY_VARIABLE] == "512"
