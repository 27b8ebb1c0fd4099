"""Whether a part of the native extension (`logpipe._grokmatch`) is turned on.

Each part has its own switch, `LOGPIPE_<PART>_NATIVE`: `0` leaves that part to the Python it
replaces (the same results, the Python's speed); anything else, or unset, uses it where built.
"""

from __future__ import annotations

import os


def native_on(part: str) -> bool:
    """Whether `LOGPIPE_<part>_NATIVE` leaves the part on (it is not `0`)."""
    return os.environ.get(f"LOGPIPE_{part}_NATIVE", "1") != "0"
