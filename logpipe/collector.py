"""The garbage collector's setting for a batch loop that runs for the whole process."""

from __future__ import annotations

import gc

# Net container objects allocated before a young collection (CPython's default is 700): above a
# batch's events, which die together by reference counting, so collections stop costing per event.
GC_YOUNG = 50_000


def settle_after_startup() -> None:
    """Leave what startup built (pipeline, rules, clients) out of the collector's passes, which
    otherwise rescan it as batches age, and make young collections rare."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
