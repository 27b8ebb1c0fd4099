"""Generated capture writers: nested fields, conversions, empty captures, repeats, odd names;
checked against a plain walk of each path, down to the order of keys."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.grok.expression import to_float, to_int
from logpipe.grok.writer import Target, add_value, compile_writer


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
        "_http": "not a dict",
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


def walked(event: dict, targets: list[Target], groups: tuple, keep_empty: bool) -> None:
    """The writer's meaning spelled as a loop: every capture walks its path from the event."""
    seen = set()
    for target in targets:
        v = groups[target.group]
        if v is not None if keep_empty else v:
            if target.convert is not None:
                v = target.convert(v)
            node = event
            for key in target.path[:-1]:
                child = node.get(key)
                if child.__class__ is not dict:
                    if child is not None:
                        node["_" + key] = child
                    child = node[key] = {}
                node = child
            leaf, old = target.path[-1], node.get(target.path[-1])
            if target.overwrite or old is None:
                node[leaf] = v
            else:
                add_value(node, leaf, old, v, target.path in seen)
        seen.add(target.path)


def same_as_walked(targets: list[Target], event: dict, groups: tuple, keep_empty: bool) -> dict:
    """The generated writer's event, checked against `walked` down to the order of keys."""
    expected, got = copy.deepcopy(event), copy.deepcopy(event)
    walked(expected, targets, groups, keep_empty)
    compile_writer(targets, keep_empty)(got, groups)
    assert repr(got) == repr(expected)
    return got


ACCESS = [
    Target(0, ("source", "address"), None, False),
    Target(1, ("http", "request", "method"), None, False),
    Target(2, ("http", "version"), None, False),
    Target(3, ("http", "response", "status_code"), to_int, False),
    Target(4, ("http", "response", "body", "bytes"), to_int, False),
    Target(5, ("http", "request", "referrer"), None, False),
    Target(6, ("message",), None, True),
    Target(7, ("timestamp",), None, False),
]


def test_new_top_level_keys_are_built_in_the_order_a_walk_adds_them():
    groups = ("1.2.3.4", "GET", "1.1", "200", "512", "https://r/", "rest", "26/Nov/2026")
    event = same_as_walked(ACCESS, {"message": "line"}, groups, keep_empty=False)
    assert list(event) == ["message", "source", "http", "timestamp"]
    assert list(event["http"]) == ["request", "version", "response"]
    # the first capture under a parent missing: the next one makes the parent, later in order
    event = same_as_walked(ACCESS, {}, (None, None, "1.1", "", "7", "r", None, None), False)
    assert event == {
        "http": {"version": "1.1", "response": {"body": {"bytes": 7}}, "request": {"referrer": "r"}}
    }


def test_keys_already_in_the_event_are_merged_into_or_replaced_as_before():
    groups = ("1.2.3.4", "GET", "1.1", "200", "512", "https://r/", "rest", "26/Nov/2026")
    for before in (
        {"source": {"ip": "1.2.3.4"}, "http": {"request": {"id": "x"}}},  # dicts: merged
        {"source": "scalar", "http": ["a list"]},  # no dict: moved aside to _source, _http
        {"http": {"request": "scalar", "version": "1.1"}, "timestamp": "26/Nov/2026"},  # equal
        {"http": {"version": "1.0"}, "timestamp": ["a", "b"]},  # a second value: a list
    ):
        same_as_walked(ACCESS, before, groups, keep_empty=False)
    event = same_as_walked(ACCESS, {"http": {"version": "1.0"}}, groups, keep_empty=False)
    assert event["http"]["version"] == ["1.0", "1.1"]
    event = same_as_walked(ACCESS, {"source": "/var/log/nginx/access.log"}, groups, False)
    assert event["_source"] == "/var/log/nginx/access.log"  # an old Filebeat's `source`: kept
    assert event["source"] == {"address": "1.2.3.4"}


def test_one_field_twice_under_a_new_key_makes_a_list_and_overwrite_wins():
    targets = [
        Target(0, ("process", "name"), None, False),
        Target(1, ("process", "name"), None, False),
        Target(2, ("process", "pid"), to_int, True),
        Target(3, ("process", "pid"), to_int, True),
    ]
    event = same_as_walked(targets, {}, ("sshd", "sshd", "1", "2"), keep_empty=False)
    assert event == {"process": {"name": ["sshd", "sshd"], "pid": 2}}
    same_as_walked(targets, {}, (None, "sshd", None, "2"), keep_empty=False)


def test_a_field_that_is_another_ones_parent_walks_its_path_each_time():
    targets = [
        Target(0, ("a", "b"), None, False),
        Target(1, ("a",), None, True),
        Target(2, ("a", "c"), None, False),
        Target(3, ("x",), None, False),
        Target(4, ("x", "y"), None, False),
    ]
    event = same_as_walked(targets, {}, ("1", "2", "3", "4", "5"), keep_empty=False)
    assert event == {"a": {"c": "3"}, "_a": "2", "x": {"y": "5"}, "_x": "4"}


def test_integers_convert_inline_as_to_int_does():
    targets = [Target(0, ("n", "v"), to_int, False), Target(1, ("m",), to_float, False)]
    bounds = [str(n) for n in (-(2**63) - 1, -(2**63), 2**63 - 1, 2**63)]  # a long's, and past
    plain = ("42", "-7", " 12 ", "+3", "1_000", "٣", "9" * 19)  # int() reads all of these
    for text in (*plain, "12abc", "abc", "9" * 5000, *bounds):
        event = same_as_walked(targets, {}, (text, text), keep_empty=False)
        assert event["n"]["v"] == to_int(text)


def test_empty_captures_under_new_keys_follow_keep_empty():
    groups = ("", "", "", None, None, "", None, "")
    assert same_as_walked(ACCESS, {}, groups, keep_empty=False) == {}
    kept = same_as_walked(ACCESS, {}, groups, keep_empty=True)
    assert kept == {
        "source": {"address": ""},
        "http": {"request": {"method": "", "referrer": ""}, "version": ""},
        "timestamp": "",
    }


PATHS = st.sampled_from(
    [("a",), ("b",), ("a", "x"), ("a", "y"), ("a", "x", "k"), ("c", "d"), ("c", "e", "f"), ("t",)]
)
VALUES = st.one_of(st.none(), st.sampled_from(["", "v", "1", "12x", "w"]))
NODES = st.recursive(
    st.one_of(st.none(), st.sampled_from(["v", "1", "other"]), st.just(["v"])),
    lambda inner: st.dictionaries(
        st.sampled_from(["a", "c", "x", "y", "e", "k", "f"]), inner, max_size=3
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(PATHS, st.booleans(), st.booleans()), min_size=1, max_size=6),
    st.dictionaries(st.sampled_from(["a", "b", "c", "t"]), NODES, max_size=3),
    st.lists(VALUES, min_size=6, max_size=6),
    st.booleans(),
)
def test_any_fields_and_event_give_what_walking_gives(specs, event, groups, keep_empty):
    targets = [
        Target(n, path, to_int if typed else None, overwrite)
        for n, (path, typed, overwrite) in enumerate(specs)
    ]
    same_as_walked(targets, event, tuple(groups), keep_empty)


def test_a_writer_compiles_on_its_first_call_and_keeps_that_code():
    write = compile_writer([Target(0, ("http", "status"), to_int, False)], keep_empty=False)
    stub = write.__code__
    first, second = {}, {"http": {"status": "ok"}}
    write(first, ("200",))
    assert write.__code__ is not stub and write.__code__.co_name == "write"
    compiled = write.__code__
    write(second, ("404",))
    assert write.__code__ is compiled
    assert first == {"http": {"status": 200}} and second == {"http": {"status": ["ok", 404]}}
