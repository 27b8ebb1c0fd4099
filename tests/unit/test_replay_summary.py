"""Replay's closing lines: delivery's `Stats` counts what was read and written, replay the rest."""

from collections import Counter

from logpipe.delivery import Stats
from logpipe.replay.cli import _merge
from logpipe.replay.runner import Summary


def test_the_closing_line_reads_delivery_counters_under_replay_names():
    stats = Stats(consumed=1234, created=1000, existing=200, dead_lettered=30)
    summary = Summary(stats, failed=4)
    assert summary.lines(dry_run=False) == [
        "replay done: read 1,234, indexed 1,000, already present 200, dead-lettered 30, failed 4"
    ]


def test_a_dry_run_says_what_it_would_index():
    summary = Summary(Stats(consumed=3), per_index=Counter({"logs-a": 2}), per_tag=Counter(x=1))
    assert summary.lines(dry_run=True) == [
        "dry run: read 3, would index 2",
        "  logs-a: 2",
        "  tag x: 1",
    ]


def test_shares_of_a_replay_add_up():
    first = Summary(Stats(consumed=5, created=4, retries=1), failed=1, per_index=Counter(a=4))
    second = Summary(
        Stats(consumed=7, existing=6, dead_lettered=1),
        read_only=2,
        unrestorable=1,
        per_index=Counter(a=1, b=2),
        interrupted=True,
    )
    total = _merge([first, second])
    assert total.stats == Stats(consumed=12, created=4, existing=6, dead_lettered=1, retries=1)
    assert (total.failed, total.read_only, total.unrestorable) == (1, 2, 1)
    assert total.per_index == Counter(a=5, b=2)
    assert total.interrupted
    assert first.stats.consumed == 5  # the parts are left as they were
