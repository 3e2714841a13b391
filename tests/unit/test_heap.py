"""The run's allocator settings (emboard.heap)."""

from __future__ import annotations

import sys

import pytest

from emboard.heap import DEFAULT_MMAP_THRESHOLD, limit_heap_growth


def test_none_leaves_malloc_alone() -> None:
    assert limit_heap_growth(None) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_threshold_set_and_arrow_on_system_pool() -> None:
    import pyarrow as pa

    assert limit_heap_growth(DEFAULT_MMAP_THRESHOLD) is True
    assert pa.default_memory_pool().backend_name == "system"


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_release_returns_free_pages_inside_the_heap() -> None:
    from emboard.heap import release_free_heap

    chunks = [bytes(2000) for _ in range(100_000)]  # ~200 MB of heap chunks (not pymalloc)
    pinned = [bytes(2000) for _ in range(100)]  # above them: the heap's top stays in use
    before = _rss_mb()
    del chunks
    freed = _rss_mb()
    assert release_free_heap() is True
    after = _rss_mb()
    assert before - freed < 50  # glibc keeps the free pages below the pinned chunks
    assert freed - after > 150  # malloc_trim hands them back
    del pinned
