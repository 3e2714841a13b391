"""oneDNN's primitive cache, which torch's CPU kernels fill while a transformer encodes.

oneDNN (inside torch's CPU build) keeps every primitive it creates for an input shape in an LRU
cache of 1,024 entries. Encoding creates primitives for each new batch shape (each padded
sequence length), and each holds its own buffers: on all-MiniLM-L6-v2 over the 12 local MTEB
tasks' 11,482 first texts (sentence-transformers encoding only) the full cache held ~80 MB
(peak RSS 983 MB with malloc's defaults, 907 MB with 16 entries; with a 4 MiB mmap
threshold 862 and 850 MB). The embedder hands texts over longest first, so batches of one shape
follow each other and a small cache keeps every reuse there is: encode time did not change
measurably (it varied by ±5% between repeats of the same setting on that machine).

oneDNN reads ``ONEDNN_PRIMITIVE_CACHE_CAPACITY`` once, when it creates its first primitive, so
:func:`limit_primitive_cache` must run before the first forward pass; a value the user set in the
environment is kept.
"""

from __future__ import annotations

import os

CAPACITY_VARIABLE = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"
DEFAULT_CAPACITY = 16


def limit_primitive_cache(capacity: int | None = DEFAULT_CAPACITY) -> bool:
    """Cap oneDNN's primitive cache at ``capacity`` entries for this process.

    Returns False (and changes nothing) when ``capacity`` is None or the variable is already set.
    """
    if capacity is None or CAPACITY_VARIABLE in os.environ:
        return False
    if capacity < 0:
        raise ValueError(f"oneDNN primitive cache capacity must be >= 0, got {capacity}")
    os.environ[CAPACITY_VARIABLE] = str(capacity)
    return True
