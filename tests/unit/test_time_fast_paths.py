"""The timestamp fast paths give what the general ones give: tables, slicing, text comparison."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages.base import BuildContext
from logpipe.stages.timestamp import TimestampStage
from logpipe.timeformats import (
    JodaPattern,
    _FirstOf,
    build_parser,
    epoch_ms,
    format_dt,
    format_ms,
    utc_stamp,
)

MIN_MS, MAX_MS = -62135596800000, 253402300799999
NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z
_EPOCH = datetime(1970, 1, 1)
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("America/New_York")]


def outcome(parser, value, ref_ms):
    """A parser's result, or the name of the error it raised."""
    try:
        return parser(value, ref_ms)
    except (ValueError, OverflowError, OSError) as exc:
        return type(exc).__name__


def mutations(seed: str, rng: random.Random, count: int) -> list[str]:
    """`count` near misses of `seed`: characters replaced, inserted or deleted."""
    alphabet = "0123456789:/-+. TZtzNovFebW,\u0662\uff12"
    out = []
    for _ in range(count):
        chars = list(seed)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars) + 1)
            roll = rng.random()
            if roll < 0.6 and i < len(chars):
                chars[i] = rng.choice(alphabet)
            elif roll < 0.8:
                chars.insert(i, rng.choice(alphabet))
            elif i < len(chars):
                del chars[i]
        out.append("".join(chars))
    return out


@given(st.integers(MIN_MS, MAX_MS))
def test_format_ms_and_epoch_ms_agree_with_datetime(ms):
    text = format_ms(ms)
    assert text == (_EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds") + "Z"
    assert epoch_ms(text) == int(datetime.fromisoformat(text).timestamp() * 1000)


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(ZONES),
)
def test_format_dt_agrees_with_isoformat(moment, zone):
    aware = moment.replace(tzinfo=zone)
    assert format_dt(aware) == aware.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def test_format_dt_out_of_range_overflows():
    with pytest.raises(OverflowError):
        format_dt(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))


@settings(max_examples=300)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_utc_stamp_is_the_general_iso_result(moment):
    general = build_parser("ISO8601", UTC)
    for text in (
        moment.isoformat(timespec="milliseconds") + "+00:00",
        moment.isoformat(timespec="microseconds") + "+00:00",
        moment.isoformat(timespec="microseconds") + "Z",
    ):
        assert utc_stamp(text) == format_dt(datetime.fromisoformat(text)) == general(text, 0)


def test_utc_stamp_near_misses_are_refused_or_the_general_result():
    """A stamp utc_stamp gives is the general parser's; refused ones take the general path."""
    rng = random.Random(13)
    general = build_parser("ISO8601", UTC)
    seeds = [
        "2026-11-26T11:04:25.906+00:00",
        "2026-11-26T11:04:25.906123Z",
        "2024-02-29T23:59:59.999999+00:00",
    ]
    for seed in seeds:
        for text in mutations(seed, rng, 3000):
            fast = outcome(lambda v, _: utc_stamp(v), text, 0)
            if fast not in (None, "ValueError"):
                assert fast == outcome(general, text, 0), text


def test_httpdate_slicing_is_the_pattern_result():
    rng = random.Random(26)
    fast, pattern = build_parser("HTTPDATE", UTC), JodaPattern("dd/MMM/yyyy:HH:mm:ss Z", UTC)
    seeds = [
        "26/Nov/2026:11:49:07 +0000",
        "29/Feb/2024:23:59:59 +0000",
        "29/Feb/2100:00:00:00 +0000",
        "01/jan/0001:00:00:00 +0000",
        "31/DEC/9999:23:59:59 +0000",
        "09/Oct/2024:23:10:34 -0500",
        "10/Oct/2024:02:00:08 +0530",
        "01/Jan/0001:00:59:59 +0100",  # before year 1 in UTC: refused as the pattern does
        "31/Dec/9999:23:00:00 -2359",  # after year 9999 in UTC
        "01/Mar/2024:00:30:00 +0100",  # the day before, a leap day
        "31/Dec/2026:23:59:59 -0000",
    ]
    for seed in seeds:
        for text in [seed, *mutations(seed, rng, 3000)]:
            assert outcome(fast, text, NOV_26) == outcome(pattern, text, NOV_26), text


def test_syslog_slicing_is_the_patterns_result():
    rng = random.Random(3164)
    fast = build_parser("SYSLOG", UTC)
    general = _FirstOf(
        [
            JodaPattern("MMM d HH:mm:ss", UTC),
            JodaPattern("MMM d HH:mm:ss.SSS", UTC),
            JodaPattern("MMM d yyyy HH:mm:ss", UTC),
        ]
    )
    months = ["Jan", "Feb", "Mar", "Jun", "Sep", "Nov", "Dec", "nov", "DEC", "Foo"]
    for _ in range(20000):
        ref = datetime(rng.choice([2, 1900, 2024, 2025, 2026, 2100, 9999]), rng.randint(1, 12), 1)
        ref += timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23))
        ref_ms = ref.replace(tzinfo=UTC).timestamp() * 1000
        day = rng.choice([1, 6, 28, 29, 30, 31, 0, 32, ref.day])
        text = f"{rng.choice(months)} {day:2d} {rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:07"
        if rng.random() < 0.2:
            text = mutations(text, rng, 1)[0]
        assert outcome(fast, text, ref_ms) == outcome(general, text, ref_ms), (text, ref)


def test_syslog_year_at_the_seven_day_limit():
    fast = build_parser("SYSLOG", UTC)
    ref_ms = datetime(2026, 12, 25, 10, tzinfo=UTC).timestamp() * 1000
    assert fast("Jan  1 10:00:00", ref_ms) == "2027-01-01T10:00:00.000Z"
    assert fast("Jan  1 10:00:01", ref_ms) == "2026-01-01T10:00:01.000Z"


@pytest.mark.parametrize("offset_ms", [-3_600_001, -3_600_000, -1001, -1000, -1, 0, 1, 999, 1000])
@pytest.mark.parametrize("edge", ["low", "high"])
def test_window_edges_are_decided_exactly(edge, offset_ms):
    before, after = 30 * 86_400_000, 86_400_000
    low, high = NOV_26 - before, NOV_26 + after
    at = (low if edge == "low" else high) + offset_ms
    text = format_ms(at)
    stage = TimestampStage(TimestampStage.Config(), BuildContext())
    for _ in range(2):  # uncached, then cached
        event = {"timestamp": text, "@metadata": {"kafka": {"timestamp": NOV_26}}}
        stage([event])
        inside = low <= epoch_ms(text) <= high
        assert (event["@timestamp"] == text) is inside
        assert ("tags" in event) is not inside


def test_window_per_message_time_in_one_batch():
    """Kafka times that differ by message (and cross hours) in one batch: each event is judged
    against its own message's window, as it is alone."""
    config = TimestampStage.Config(window_before="1h", window_after="1h")
    rng = random.Random(13)
    refs = sorted(NOV_26 + rng.randrange(-3 * 3_600_000, 3 * 3_600_000) for _ in range(300))
    texts = [format_ms(ref + rng.randrange(-2 * 3_600_000, 2 * 3_600_000)) for ref in refs]

    def events():
        return [
            {"timestamp": text, "@metadata": {"kafka": {"timestamp": ref}}}
            for ref, text in zip(refs, texts, strict=True)
        ]

    batch = TimestampStage(config, BuildContext())(events())
    alone = TimestampStage(config, BuildContext())
    assert batch == [alone([event])[0] for event in events()]
    assert any("tags" in event for event in batch)
    assert any("tags" not in event for event in batch)


def test_a_pattern_run_refuses_only_what_none_of_its_patterns_reads():
    """`PatternRun.may_match` is false only where every pattern of the run gives None."""
    from logpipe.timeformats import PatternRun

    formats = [
        "yyyy-MM-dd HH:mm:ss.SSS z",
        "dd MMM yyyy HH:mm:ss.SSS",
        "yyyy/MM/dd HH:mm:ss",
        "EEE MMM dd HH:mm:ss yyyy",
        "dd MMM HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss Z",
        "MMdd HH:mm:ss.SSSSSS",
        "MMM d, yyyy h:mm:ss a",
        "HH:mm:ss,SSS",
    ]
    patterns = [JodaPattern(fmt, UTC) for fmt in formats]
    run = PatternRun(patterns)
    rng = random.Random(8601)
    seeds = [
        "2026-11-26 10:00:00.123 UTC",
        "26 Nov 2026 10:00:00.123",
        "2026/11/26 10:00:00",
        "Thu Nov 26 10:00:00 2026",
        "26 Nov 10:00:00",
        "2026-11-26 10:00:00 +03",
        "1126 10:00:00.123456",
        "Nov 26, 2026 1:00:00 PM",
        "10:00:00,123",
        "2026-11-26T10:00:00Z",
    ]
    refused = 0
    for seed in seeds:
        for text in [seed, *mutations(seed, rng, 500)]:
            if not run.may_match(text):
                refused += 1
                assert all(outcome(p, text, NOV_26) is None for p in patterns), text
            else:
                assert any(p._rx.fullmatch(text.strip()) for p in patterns), text
    assert refused > 1000


def test_the_literal_check_refuses_only_what_the_regex_refuses():
    """A Joda pattern refuses a text lacking one of its literal non-letters before its regex
    runs; with the check off, every text gives the same result. Quoted letters match either
    case, so they are not required as written."""
    formats = ["dd/MMM/yyyy:HH:mm:ss Z", "yyyy-MM-dd'T'HH:mm:ss.SSS", "MMM d, yyyy 'at' h:mm a"]
    seeds = [
        "26/Nov/2026:11:49:07 +0000",
        "2026-11-26T10:00:00.123",
        "Nov 26, 2026 AT 1:00 PM",
        "26-Nov-2026 11:49:07",
        "Nov 26 2026 at 1:00 PM",
    ]
    rng = random.Random(1970)
    for fmt in formats:
        checked = JodaPattern(fmt, UTC)
        assert checked.required and not any(c.isalpha() for c in checked.required)
        unchecked = JodaPattern(fmt, UTC)
        unchecked.required = ""
        for seed in seeds:
            for text in [seed, *mutations(seed, rng, 400)]:
                assert outcome(checked, text, NOV_26) == outcome(unchecked, text, NOV_26), text
    assert JodaPattern("MMM d, yyyy 'at' h:mm a", UTC)("Nov 26, 2026 AT 1:00 PM", NOV_26)
