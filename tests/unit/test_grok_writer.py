"""Generated capture writers: nested fields, conversions, empty captures, repeats, odd names."""

from __future__ import annotations

from logpipe.grok.expression import to_int
from logpipe.grok.writer import Target, compile_writer


def test_captures_go_to_nested_fields_in_order_with_conversions():
    write = compile_writer(
        [
            Target(0, ("http", "request", "method"), None, False),
            Target(1, ("http", "response", "status_code"), to_int, False),
            Target(2, ("message",), None, True),
        ],
        keep_empty=False,
    )
    event = {"message": "GET / 200", "http": "not a dict"}
    write(event, ("GET", "200", "/"))
    assert event == {
        "message": "/",
        "http": {"request": {"method": "GET"}, "response": {"status_code": 200}},
    }


def test_empty_captures_are_kept_only_when_asked_and_none_never():
    targets = [Target(0, ("a",), None, False), Target(1, ("b",), None, False)]
    dropped, kept = {}, {}
    compile_writer(targets, keep_empty=False)(dropped, ("", None))
    compile_writer(targets, keep_empty=True)(kept, ("", None))
    assert dropped == {} and kept == {"a": ""}


def test_a_value_there_before_stays_single_but_one_match_twice_makes_a_list():
    write = compile_writer(
        [Target(0, ("host",), None, False), Target(1, ("host",), None, False)], keep_empty=False
    )
    event = {"host": "web-1"}
    write(event, ("web-1", "web-1"))
    assert event == {"host": ["web-1", "web-1"]}  # the second is this match's own repeat
    other = {"host": "web-1"}
    write(other, ("web-1", None))
    assert other == {"host": "web-1"}


def test_field_names_are_data_not_code():
    odd = ("a'\"\\\n", "}{) or 1")
    write = compile_writer([Target(0, odd, None, False)], keep_empty=False)
    event: dict = {}
    write(event, ("v",))
    assert event == {odd[0]: {odd[1]: "v"}}
