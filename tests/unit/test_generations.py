"""`Generations`: a bounded memo whose regulars survive turnover."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logpipe.generations import Generations


def test_a_full_young_generation_becomes_the_old_one() -> None:
    memo = Generations(2)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.put("c", 3)  # turns over: a and b are old now
    assert memo.dicts == [{"c": 3}, {"a": 1, "b": 2}]
    memo.put("d", 4)
    memo.put("e", 5)  # turns over again: a and b are gone
    assert memo.dicts == [{"e": 5}, {"c": 3, "d": 4}]
    assert memo.get("a") is None
    assert len(memo) == 3


def test_an_entry_found_in_the_old_generation_moves_to_the_young_one() -> None:
    memo = Generations(2)
    for key in "abc":
        memo.put(key, key.upper())
    assert memo.get("a") == "A"
    assert memo.dicts == [{"c": "C", "a": "A"}, {"b": "B"}]
    memo.put("d", "D")  # young was full: a survives in the old generation, b is gone
    assert memo.dicts == [{"d": "D"}, {"c": "C", "a": "A"}]


def test_replacing_a_kept_key_does_not_turn_over() -> None:
    memo = Generations(1)
    memo.put("a", 1)
    memo.put("a", 2)
    assert memo.dicts == [{"a": 2}, {}]


def test_clear_forgets_everything() -> None:
    memo = Generations(1)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.clear()
    assert len(memo) == 0 and memo.get("a") is None


def test_a_generation_holds_at_least_one_entry() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Generations(0)


@given(st.integers(1, 4), st.lists(st.integers(0, 9), max_size=60))
def test_at_most_two_generations_are_held_and_the_last_key_is_young(limit, keys) -> None:
    memo = Generations(limit)
    for key in keys:
        if memo.get(key) is None:
            memo.put(key, str(key))
        assert memo.dicts[0][key] == str(key)
        assert len(memo.dicts[0]) <= limit and len(memo.dicts[1]) <= limit
        assert not memo.dicts[0].keys() & memo.dicts[1].keys()
