"""A time of day alone (logback's, log4j2's, pino-pretty's default) takes its date from Kafka."""

from datetime import UTC, timedelta, timezone

import pytest

from logpipe.timeformats import JodaPattern

REF = 1710610000000  # 2024-03-16T17:26:40Z


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("HH:mm:ss.SSS", "17:13:01.540", "2024-03-16T17:13:01.540Z"),
        ("HH:mm:ss.SSS", "18:20:00.000", "2024-03-16T18:20:00.000Z"),  # within the hour ahead
        ("HH:mm:ss.SSS", "23:59:00.000", "2024-03-15T23:59:00.000Z"),  # before midnight
        ("HH:mm:ss,SSS", "00:00:01,001", "2024-03-16T00:00:01.001Z"),
        ("HH:mm:ss", "17:26:40", "2024-03-16T17:26:40.000Z"),
    ],
)
def test_the_date_is_the_reference_day_or_the_day_before(pattern, text, expected):
    assert JodaPattern(pattern, UTC)(text, REF) == expected


def test_the_reference_date_is_taken_in_the_pattern_zone():
    plus_ten = timezone(timedelta(hours=10))  # 2024-03-17 03:26:40 there
    assert JodaPattern("HH:mm:ss", plus_ten)("03:00:00", REF) == "2024-03-16T17:00:00.000Z"


def test_a_time_of_day_is_never_cached_across_references():
    assert JodaPattern("HH:mm:ss.SSS", UTC).cacheable is False
