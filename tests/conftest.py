"""Suite-wide settings: in CI (CI set) Hypothesis replays the same examples, so a landing is
never decided by a new random draw; elsewhere it explores new ones each run."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
