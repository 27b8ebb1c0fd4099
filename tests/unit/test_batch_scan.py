"""BatchScan: the items of a newline-joined batch a pattern set matches, past the match cap too."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import batch_scan
from logpipe.batch_scan import BatchScan
from logpipe.hyperscan_db import block_database

hyperscan = pytest.importorskip("hyperscan")
PATTERNS = [("ab", 0), ("c[0-9]+d", 0), ("x", 0)]  # none can match a newline
_ITEMS = st.lists(st.text(alphabet="abcdx01 ", max_size=12), max_size=20)


def scanner() -> BatchScan:
    return BatchScan(hyperscan, block_database(hyperscan, PATTERNS, "test"))


def one_by_one(items: list[str]) -> list[int]:
    """The reference: each item scanned alone."""
    scan = scanner()
    return [n for n, item in enumerate(items) if item and scan.matching(item.encode())]


@settings(max_examples=300, deadline=None)
@given(_ITEMS, st.sampled_from([1, 2, 3, 1024]))
def test_matching_finds_exactly_the_items_scanned_alone(items, cap) -> None:
    saved = batch_scan.MATCH_CAP, batch_scan.MATCHES_PER_ITEM
    batch_scan.MATCH_CAP = cap  # a small cap takes the path that scans again
    batch_scan.MATCHES_PER_ITEM = 0 if cap < 1024 else saved[1]
    data = "\n".join(items).encode()
    try:
        found = scanner().matching(data)
        told = scanner().matching(data, newlines(data))
    finally:
        batch_scan.MATCH_CAP, batch_scan.MATCHES_PER_ITEM = saved
    assert found == told == one_by_one(items)


def newlines(data: bytes) -> list[int]:
    return [n for n, byte in enumerate(data) if byte == 10]


def test_a_match_running_over_a_newline_belongs_to_the_item_of_its_last_byte() -> None:
    scan = BatchScan(hyperscan, block_database(hyperscan, [("a\nb", 0), ("c\n", 0)], "test"))
    assert scan.matching(b"xa\nbx\nc") == [1]
    assert scan.matching(b"xa\nbx\nc", [2, 5]) == [1]
    assert scan.matching(b"c\nx\ny", [1, 3]) == scan.matching(b"c\nx\ny") == [1]


SCREENED = 1  # "c[0-9]+d": counts only where the byte before its end is an even digit


def _matters(data: bytes, end: int) -> bool:
    return data[end - 2] in b"02468"


@settings(max_examples=300, deadline=None)
@given(_ITEMS, st.sampled_from([1, 2, 1024]))
def test_a_screened_pattern_counts_only_where_its_screen_says(items, cap) -> None:
    database = block_database(hyperscan, PATTERNS, "test")
    scan = BatchScan(hyperscan, database, {SCREENED: _matters})
    others = BatchScan(hyperscan, block_database(hyperscan, [PATTERNS[0], PATTERNS[2]], "test"))
    exact = [
        n
        for n, item in enumerate(items)
        if others.matching(item.encode()) or re.search(r"c[0-9]*[02468]d", item)
    ]
    saved = batch_scan.MATCH_CAP, batch_scan.MATCHES_PER_ITEM
    batch_scan.MATCH_CAP = cap
    batch_scan.MATCHES_PER_ITEM = 0 if cap < 1024 else saved[1]
    data = "\n".join(items).encode()
    try:
        found = scan.matching(data)
        assert scan.matching(data, newlines(data)) == found
    finally:
        batch_scan.MATCH_CAP, batch_scan.MATCHES_PER_ITEM = saved
    if cap == 1024:
        assert found == exact
    else:  # past the cap every match counts: more items, never fewer
        assert set(exact) <= set(found) <= set(one_by_one(items))
