"""Counting event tags without letting event content grow memory or metric series.

Tags come from events, so their names are as varied as the input. Only failure tags that a stage
declares become `logpipe_stage_failures{tag}` labels; the per-tag tally keeps a bounded number
of names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

# Failure tags stages add without an option naming them.
BUILT_IN_FAILURE_TAGS = frozenset(
    {
        "_condition_timeout",
        "_dateparsefailure",
        "_geoip_invalid_ip",
        "_geoip_lookup_failure",
        "_geoip_unavailable",
        "_grokparsefailure",
        "_groktimeout",
        "_json_too_deep",
        "_jsonparsefailure",
        "_levelparsefailure",
        "_multiline_timeout",
        "_nul_removed",
        "_redactfailure",
        "_security_failure",
        "_security_unless_timeout",
        "_stacktrace_failure",
        "_stage_exception",
        "_timestamp_out_of_range",
        "_truncated",
        "_utf8_replaced",
    }
)
OTHER = "other"
MAX_NAMES = 1000
MAX_NAME_CHARS = 100


def declared_failure_tags(stages: Iterable[Any]) -> frozenset[str]:
    """The built-in failure tags and those the stages' `tag_on_*` options name."""
    declared = set(BUILT_IN_FAILURE_TAGS)
    for built in stages:
        config = getattr(built.stage, "config", None)
        for name, value in config if config is not None else ():
            if name.startswith("tag_on"):
                values = value if isinstance(value, list | tuple) else [value]
                declared.update(tag for tag in values if isinstance(tag, str))
    return frozenset(declared)


def failure_label(tag: str, declared: frozenset[str]) -> str:
    """The `logpipe_stage_failures` label of a failure tag: itself if declared, else `other`."""
    return tag if tag in declared else OTHER


class TagCounter(Counter):
    """Tag name -> events; beyond MAX_NAMES names (or for names too long) counts as `other`."""

    def add(self, counts: Counter) -> None:
        """Add the counts of one batch."""
        for tag, count in counts.items():
            if tag not in self and (len(self) >= MAX_NAMES or len(tag) > MAX_NAME_CHARS):
                tag = OTHER
            self[tag] += count
