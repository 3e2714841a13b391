"""The C heap of a long-running process: glibc's malloc thresholds and giving freed memory back.

Two users, one mechanism. An evaluation run's transformer forward passes allocate and free
activations of a different size for every batch shape; the server's leaderboard builds make
large temporaries. glibc serves a freed block above its *mmap threshold* back to the OS, but the
threshold is dynamic: each freed mmapped block raises it (up to 32 MiB on 64-bit), after which
blocks of that size come from the heap, are kept there when freed, and fragment as shapes vary.
On all-MiniLM-L6-v2 over the 12 local MTEB tasks this retained ~450 MB.

:func:`limit_heap_growth` fixes the threshold, which turns the dynamic raise off: a block above
it is mmapped and returned when freed, at the cost of page faults each time it is allocated
again. Measured on the 12 tasks' 45,855 unique texts, sentence-transformers encoding only, with
oneDNN's cache capped (:mod:`emboard.models.onednn`), in a venv of ``emboard[eval]`` (no
``datasets``), two rounds alternating the settings on a 2-core machine:

=============  =============  ============
threshold      encode         peak RSS
=============  =============  ============
dynamic        140.4-142.1 s  701-722 MB
4 MiB          149.4-153.7 s  676-685 MB
8 MiB          146.4 s        711-721 MB
=============  =============  ============

On the whole 12-task run (data, scoring and encoding in one process) malloc's own threshold
peaked at 851 MB, 8 MiB at 747-767 MB and 4 MiB at 729-750 MB (16 MiB: 833 MB). 8 MiB (the
default) keeps the run under 800 MB for 2-5% of encode time; a previous machine, in a venv with
``datasets``, had it at 144 s / 804 MB against 150 s / 720 MB for 4 MiB. Below 4 MiB the faults
of mid-sized tensors cost more than they save (2 MiB: 159 s, 128 KiB: 203 s there). Numbers never
change (only where memory comes from). Arrow's default pool (mimalloc in the pyarrow wheels)
likewise keeps what it freed (~14 MB per classification task), so with a threshold set Arrow
allocates through the system allocator.

:func:`release_free_heap` (``malloc_trim``) returns the free pages inside the heap: the
embedder calls it after each encoded block, the board after each build.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys

logger = logging.getLogger(__name__)

DEFAULT_MMAP_THRESHOLD = 8 * 1024 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@functools.cache
def _libc_function(name: str) -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    """A glibc function by name, or None where the C library is not glibc (musl, macOS)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def threshold_option(value: int | None) -> int | None:
    """The threshold a command-line option asks for: not given (None) is the default, 0 is
    malloc's own dynamic threshold (None to :func:`limit_heap_growth`)."""
    return DEFAULT_MMAP_THRESHOLD if value is None else (value or None)


def limit_heap_growth(mmap_threshold: int | None = DEFAULT_MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``mmap_threshold`` bytes (trim threshold: twice that) and
    make Arrow allocate through it.

    Process-wide settings, applied once before data is read and texts are encoded; ``None``
    leaves both as they are. No effect (returns False) where the C library is not glibc.
    """
    if mmap_threshold is None:
        return False
    mallopt = _libc_function("mallopt")
    if mallopt is None:
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


def release_free_heap() -> bool:
    """Give the C heap's free pages back to the OS (glibc's ``malloc_trim``; False elsewhere).

    Costs ~1 ms (~10 ms with 200 MB to return). In the server, without it RSS holds the peak of
    every leaderboard build (MTEB(Multilingual, v2)'s rows left 508 MB where 294 MB are live);
    a fixed mmap threshold there instead made aggregation ~60% slower (a fault per large array).
    """
    trim = _libc_function("malloc_trim")
    return False if trim is None else bool(trim(0))
