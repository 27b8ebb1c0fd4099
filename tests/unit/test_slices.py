"""`slices`: a batch cut into consecutive runs for the pipeline, nothing lost or reordered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logpipe.slices import SLICE, slices


@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=25))
def test_slices_are_consecutive_runs_of_at_most_size_and_only_the_last_is_short(items, size):
    runs = list(slices(items, size))
    assert [item for run in runs for item in run] == items
    assert all(len(run) == size for run in runs[:-1])
    assert all(0 < len(run) <= size for run in runs)


def test_by_default_a_batch_of_a_thousand_is_four_slices():
    assert SLICE == 250
    assert [len(run) for run in slices(list(range(1000)))] == [250] * 4
