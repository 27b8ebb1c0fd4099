"""`normalize` skips a squeeze or a control-character pass only where that pass changes nothing."""

from __future__ import annotations

import random
import re

from logpipe.normalize_text import _CONTROL, _SPACE, _squeezable, normalize

_ALPHABET = "ab /*+%20\t\f\v\x00\x01\x7f\n\r&#;é\u2215  "


def _samples(count: int) -> list[str]:
    rng = random.Random(13)
    return ["".join(rng.choices(_ALPHABET, k=rng.randint(0, 12))) for _ in range(count)]


def test_the_space_pass_makes_each_run_of_blanks_and_plus_signs_one_space() -> None:
    runs = re.compile(r"[ \t\f\v+]+")
    for text in _samples(20_000):
        assert _SPACE.sub(" ", text) == runs.sub(" ", text), repr(text)


def test_squeezable_is_exactly_where_the_space_pass_changes_the_text() -> None:
    for text in _samples(20_000):
        assert _squeezable(text) == (_SPACE.sub(" ", text) != text), repr(text)


def test_printable_text_has_nothing_for_the_control_pass() -> None:
    for text in _samples(20_000):
        if text.isprintable():
            assert _CONTROL.sub("", text) == text, repr(text)


def test_normalize_squeezes_and_drops_control_characters() -> None:
    assert normalize("a\x00b  c+d\te") == "ab c d e"
    assert normalize("a b") == "a b"
    assert normalize("x%2527%20OR") == "x' OR"
