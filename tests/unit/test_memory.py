"""The run's allocator settings (emboard.models.memory)."""

from __future__ import annotations

import sys

import pytest

from emboard.models.memory import DEFAULT_MMAP_THRESHOLD, limit_heap_growth


def test_none_leaves_malloc_alone() -> None:
    assert limit_heap_growth(None) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_threshold_set_and_arrow_on_system_pool() -> None:
    import pyarrow as pa

    assert limit_heap_growth(DEFAULT_MMAP_THRESHOLD) is True
    assert pa.default_memory_pool().backend_name == "system"
