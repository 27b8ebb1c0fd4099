"""The generated batch reader of fixed dotted paths, column by column."""

from __future__ import annotations

from logpipe.column_reader import column_reader


def test_reads_each_path_with_its_default_where_a_key_or_a_dict_parent_is_missing() -> None:
    read = column_reader(
        [("message",), ("url", "original"), ("url", "query"), ("url",), ("a", "b", "c"), ("s",)],
        ["", "", "", "", "", None],
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


def test_a_dict_subclass_parent_is_not_descended_into() -> None:
    class Sub(dict):
        pass

    read = column_reader([("url", "original")], [""])
    assert read([{"url": Sub(original="o")}]) == [[""]]


def test_keys_are_taken_literally() -> None:
    key = "a'\"\\\n}{"
    read = column_reader([(key, key)], [0])
    assert read([{key: {key: 1}}, {key: 2}]) == [[1, 0]]
