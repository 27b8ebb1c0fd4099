"""Redact's card and IBAN scan in Rust (`DigitsScan`) finds the items their Hyperscan database
finds, with the card hint's screen."""

from __future__ import annotations

import os

import hyperscan
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import redact_prefilter
from logpipe.redact_prefilter import _digits_scan, _newlines, _scan
from logpipe.secrets_patterns import CARD_HINT, IBAN_HINT

needs_native = pytest.mark.skipif(
    redact_prefilter.DigitsScan is None or os.environ.get("LOGPIPE_DIGITS_NATIVE") == "0",
    reason="native digits scan not built or turned off",
)

# Real shapes: card numbers that pass (Visa, Mastercard, Amex, Discover) and fail the checks,
# IBANs, ids and times that are no card, JSON escapes before digits, non-ASCII check digits.
SEEDS = [
    "4111111111111111",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5500 0000 0000 0004",
    "3400 000000 00009",
    "6011000990139424",
    "4111111111111112",
    "order 12345678901234567890 shipped",
    "1700000000000 ms",
    "2024-10-10T00:00:01.198Z",
    "\x124111111111111111",  # orjson writes \u0012 before the digits
    "\x1f5500000000000004",
    "x\\u4111111111111111",
    "\x014111111111111111",
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "GB\u0663\u0664WEST12345698765432",
    "XX12 AB",
    "AB12ABCD",
    "ab12abcd",
    "card=4242424242424242&exp=12/30",
    "9" * 70 + "4111111111111111",
    "4111 1111 1111 1111 " * 5,
    "30569309025904",  # Diners Club, JCB, Amex, Mastercard's 2-series, UnionPay test numbers
    "3530111333300000",
    "378282246310005",
    "2221000000000009",
    "6200000000000005",
]
ALPHABET = st.sampled_from(
    list("0123456789") * 4
    + list(" -") * 2
    + list("ABGXZ") * 2
    + list('ax":,\\u')
    + ["\u0663", "\u00e9", "\x01", "\x12", "\n"]
)
TEXTS = st.one_of(
    st.sampled_from(SEEDS),
    st.lists(ALPHABET, max_size=40).map("".join),
    st.tuples(st.sampled_from(SEEDS), st.lists(ALPHABET, max_size=6).map("".join)).map(
        lambda parts: parts[1] + parts[0] + parts[1][::-1]
    ),
)


def both(values: list) -> tuple[list[int], list[int]]:
    items = [orjson.dumps(value) for value in values]
    data, newlines = b"\n".join(items), _newlines(items)
    hyperscan_scan = _scan(hyperscan, [CARD_HINT, IBAN_HINT])
    native = _digits_scan([CARD_HINT, IBAN_HINT])
    return native.matching(data, newlines), hyperscan_scan.matching(data, newlines)


@needs_native
def test_the_built_in_hints_scan_natively() -> None:
    assert _digits_scan([CARD_HINT, IBAN_HINT]) is not None
    assert _digits_scan([CARD_HINT]) is not None
    assert _digits_scan([]) is None
    assert _digits_scan([CARD_HINT, "other"]) is None


@needs_native
def test_seeds_found_as_hyperscan_finds_them() -> None:
    ours, theirs = both([[seed] for seed in SEEDS])
    assert ours == theirs
    # cards, escaped ones, IBANs, other issuers
    assert {0, 1, 2, 3, 4, 5, 10, 11, 13, 14, 15, 16, 23, 24, 25, 26, 27} <= set(ours)
    assert not {6, 7, 8, 9, 17, 19} & set(ours)  # Luhn fails, ids, times, short IBAN-alikes


@needs_native
@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(TEXTS, max_size=4), min_size=1, max_size=12))
def test_any_items_found_as_hyperscan_finds_them(groups) -> None:
    ours, theirs = both(groups)
    assert ours == theirs


@needs_native
@pytest.mark.parametrize("cards, ibans", [(True, False), (False, True)])
def test_one_rule_alone(cards, ibans) -> None:
    hints = [hint for hint, on in ((CARD_HINT, cards), (IBAN_HINT, ibans)) if on]
    items = [orjson.dumps([seed]) for seed in SEEDS]
    data, newlines = b"\n".join(items), _newlines(items)
    assert _digits_scan(hints).matching(data, newlines) == _scan(hyperscan, hints).matching(
        data, newlines
    )
    assert _digits_scan(hints).matching(data) == _digits_scan(hints).matching(data, newlines)


@needs_native
@pytest.mark.parametrize("pad", [0, 1, 7, 8, 31, 32, 55, 56, 57, 63, 64, 65, 120, 127, 128, 129])
def test_runs_across_the_scan_words_found_as_hyperscan_finds_them(pad: int) -> None:
    # the scan reads a bit per byte, 64 to a word: a run may start, end or span at any of them
    card, iban, time_ = "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "2024-10-10T00:00:01"
    values = [
        ["a" * pad + card],
        ["a" * pad + iban + "b"],
        ["a" * pad + time_ + " " + card],
        ["A" * pad + "x" + "7" * pad],  # long runs that hold no card
        ["é" * pad + card + "é" * pad],
        ["a" * pad + time_],
    ]
    ours, theirs = both(values)
    assert ours == theirs
    assert {0, 1, 2} <= set(ours)


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TEXTS, max_size=8), min_size=1, max_size=30))
def test_bytes_classified_one_at_a_time_as_with_avx2(groups) -> None:
    # a CPU without AVX2 classifies each byte in turn: the same items
    items = [orjson.dumps(value) for value in groups]
    data, newlines = b"\n".join(items), _newlines(items)
    wide = redact_prefilter.DigitsScan(True, True)
    narrow = redact_prefilter.DigitsScan(True, True, simd=False)
    assert narrow.matching(data, newlines) == wide.matching(data, newlines)
    assert narrow.matching(data, newlines) == _scan(hyperscan, [CARD_HINT, IBAN_HINT]).matching(
        data, newlines
    )
