"""The batch reader of fixed dotted paths, column by column: native (Rust) and generated Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe import column_reader as module
from logpipe.column_reader import column_reader

BOTH = pytest.mark.parametrize("native", [True, False], ids=["native", "python"])


def test_the_native_reader_is_built() -> None:
    assert module.ColumnReader is not None, "logpipe._grokmatch is not built: pip install -e ."


@BOTH
def test_reads_each_path_with_its_default_where_a_key_or_a_dict_parent_is_missing(native) -> None:
    read = column_reader(
        [("message",), ("url", "original"), ("url", "query"), ("url",), ("a", "b", "c"), ("s",)],
        ["", "", "", "", "", None],
        native,
    )
    events = [
        {"message": "m", "url": {"original": "o"}, "a": {"b": {"c": None}}, "s": 401},
        {"url": "plain", "a": {"b": "x"}},
        {"url": {"original": ["l"], "query": 1}, "a": None, "message": None},
        {},
    ]
    rows = [
        ("m", "o", "", {"original": "o"}, None, 401),
        ("", "", "", "plain", "", None),
        (None, ["l"], 1, {"original": ["l"], "query": 1}, "", None),
        ("", "", "", "", "", None),
    ]
    assert read(events) == [list(column) for column in zip(*rows, strict=True)]


class Sub(dict):
    pass


@BOTH
def test_a_dict_subclass_parent_is_not_descended_into(native) -> None:
    read = column_reader([("url", "original")], [""], native)
    assert read([{"url": Sub(original="o")}]) == [[""]]


@BOTH
def test_an_event_that_is_a_dict_subclass_is_read_as_the_python_reads_it(native) -> None:
    read = column_reader([("url", "original"), ("m",)], ["", 0], native)
    assert read([{"m": 1}, Sub(url={"original": "o"})]) == [["", "o"], [1, 0]]


@BOTH
def test_keys_are_taken_literally(native) -> None:
    key = "a'\"\\\n}{"
    read = column_reader([(key, key)], [0], native)
    assert read([{key: {key: 1}}, {key: 2}]) == [[1, 0]]


_KEYS = st.sampled_from(["a", "b", "url", "\u00e9", ""])
_PATHS = st.lists(st.lists(_KEYS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=6)
_VALUES = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.dictionaries(_KEYS, inner, max_size=3) | st.lists(inner, max_size=2),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(_PATHS, st.lists(st.dictionaries(_KEYS, _VALUES, max_size=4), max_size=6))
def test_the_native_reader_reads_what_the_python_reads(paths, events) -> None:
    defaults = [object() for _ in paths]
    native = column_reader(paths, defaults, native=True)(events)
    python = column_reader(paths, defaults, native=False)(events)
    assert len(native) == len(python)
    for mine, theirs in zip(native, python, strict=True):
        assert len(mine) == len(theirs)
        assert all(a is b for a, b in zip(mine, theirs, strict=True))  # the same objects


def test_a_key_the_native_reader_cannot_take_is_read_in_python() -> None:
    read = column_reader([("\ud800",)], [0])  # a lone surrogate: no Rust string
    assert read([{"\ud800": 1}, {}]) == [[1, 0]]


def test_a_batch_that_shrinks_while_it_is_read_is_read_again_in_python() -> None:
    events: list[dict] = []

    class Shrinking:  # a key equal in hash to "url" whose comparison empties the batch
        def __hash__(self) -> int:
            return hash("url")

        def __eq__(self, other: object) -> bool:
            events.clear()
            return False

    events += [{Shrinking(): 1}, {"url": "x"}, {"url": "y"}]
    assert column_reader([("url",)], [""])(events) == [[]]
