"""Hand the C heap's free pages back to the system (glibc's `malloc_trim`).

glibc keeps what a batch freed in its heaps for the next one; pages that stay free in the middle
of a heap stay resident until trimmed, so a worker's memory creeps toward its busiest moment.
Trimming costs under a millisecond; where the C library has no `malloc_trim`, nothing happens.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _trimmer() -> Callable[[], None]:
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has none)
        return lambda: None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int

    def release() -> None:
        trim(0)

    return release


release_free_heap: Callable[[], None] = _trimmer()
