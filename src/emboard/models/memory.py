"""Keeping a long encoding run's heap from growing: glibc's malloc thresholds.

A transformer forward pass allocates and frees activations of a different size for every batch
shape. glibc serves a freed block above its *mmap threshold* back to the OS, but the threshold
is dynamic: each freed mmapped block raises it (up to 32 MiB on 64-bit), after which blocks of
that size come from the heap, are kept there when freed, and fragment as batch shapes vary. On
all-MiniLM-L6-v2 over the 12 local MTEB tasks this retained ~450 MB. Setting the threshold
explicitly (here to glibc's own initial 128 KiB) turns the dynamic raise off, so activations are
returned to the OS after each batch; the cost is page faults on every large allocation, which
measured within noise of the default. Numbers do not change (only where memory comes from).

Arrow's default pool (mimalloc in the pyarrow wheels) likewise keeps what it freed: reading the
classification tasks' files retained ~14 MB per task (55 MB over the four local ones). With the
threshold set, Arrow is switched to the system allocator, which then returns it.
"""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

DEFAULT_MMAP_THRESHOLD = 128 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def limit_heap_growth(mmap_threshold: int | None = DEFAULT_MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``mmap_threshold`` bytes (trim threshold: twice that) and
    make Arrow allocate through it.

    Process-wide settings, applied once before data is read and texts are encoded; ``None``
    leaves both as they are. No effect (returns False) where the C library is not glibc.
    """
    if mmap_threshold is None or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold))
    ok = bool(mallopt(_M_TRIM_THRESHOLD, 2 * mmap_threshold)) and ok
    if not ok:
        logger.debug("mallopt refused mmap threshold %d", mmap_threshold)
        return False
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return True
