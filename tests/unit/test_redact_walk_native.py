"""The redact stage's walk in Rust (`RedactWalk`) leaves every event as the Python walk does."""

from __future__ import annotations

import copy
import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages import redact as module
from logpipe.stages.base import BuildContext
from logpipe.stages.redact import RedactConfig, RedactStage

needs_native = pytest.mark.skipif(
    module.RedactWalk is None or os.environ.get("LOGPIPE_REDACT_NATIVE") == "0",
    reason="native redact walk not built or turned off",
)
CARD = 4111111111111111  # Visa's test number: passes Luhn
# Key names the walk treats each way: secrets by name, weak names, cookies, plain names.
KEYS = ["password", "api_key", "Authorization", "token", "key", "code", "cookie", "set-cookie",
        "user", "message", "url", "id", "käse", "pässword", "signature", "nested"]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(
        [
            "x",
            "hunter2",
            "aZ3kQ9pL2mX7vB4nR8tY",
            "a=b; c=d",
            "user@example.com",
            "card 4111 1111 1111 1111",
            "Bearer abc.def.ghi",
            "",
            "ünïcödé",
        ]
    ),
    st.sampled_from([CARD, -CARD, 4111111111111112, 10**12, 10**19, 2**70, 7, True, None, 1.5]),
    st.text(max_size=12),
)
TREES = st.recursive(
    VALUES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    ),
    max_leaves=20,
)


def build(native: bool, **options) -> RedactStage:
    stage = RedactStage(RedactConfig(**options), BuildContext())
    if not native:
        stage._walk = stage._walk_python
    return stage


def same_as_python(events: list[dict], **options) -> list[dict]:
    expected = build(False, **options)(copy.deepcopy(events))
    got = build(True, **options)(copy.deepcopy(events))
    assert got == expected
    return got


def test_the_extension_is_built_unless_turned_off():
    stage = build(True)
    if os.environ.get("LOGPIPE_REDACT_NATIVE") == "0":
        assert stage._walk == stage._walk_python
    else:
        assert module.RedactWalk is not None, "logpipe._grokmatch is not built"
        assert isinstance(stage._walk, module.RedactWalk)


@needs_native
def test_the_walk_collects_in_the_python_order_and_redacts_on_the_way():
    stage = build(True)
    event = {
        "message": "m",
        "user": {"password": "hunter2", "name": "n", "cards": [CARD, "t", 5]},
        "list": [{"a": "1"}, ["2"]],
        "@metadata": {"password": "kept"},
    }
    python_event = copy.deepcopy(event)
    leaves, strings = stage._walk(event)
    python_leaves, python_strings = build(False)._walk_python(python_event)
    assert strings == python_strings == ["m", "2", "1", "n", "t"]
    assert [key for _, key in leaves] == [key for _, key in python_leaves]
    assert event == python_event
    assert event["user"]["password"] == "[REDACTED:field]"
    assert event["user"]["cards"][0] == "[REDACTED:card]"


@needs_native
@pytest.mark.parametrize("mode", ["mask", "remove", "hash"])
@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6), max_size=4))
def test_any_event_as_python(mode, events):
    with mock.patch.dict(os.environ, {"LOGPIPE_REDACT_KEY": "test-key"}):  # for the hash mode
        same_as_python(events, default_mode=mode, skip_fields=("nested.password", "signature"))


@needs_native
@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6), max_size=4))
def test_card_numbers_off_and_names_off_as_python(events):
    same_as_python(events, rules={"card": "off"})
    same_as_python(events, rules={"field": "off"})


@needs_native
def test_a_shared_node_is_walked_twice_as_python():
    shared = {"password": "p", "note": "n"}
    same_as_python([{"a": shared, "b": shared}], default_mode="remove")
    same_as_python([{"a": shared, "b": [shared, shared]}])
