"""Timestamp formats for the timestamp stage: named formats and Joda-style patterns as regexes.

Every parser takes `(value, ref_ms)` and returns the instant as ISO 8601 UTC with milliseconds and
`Z` (`2026-11-26T10:00:00.123Z`), or None when the value does not fit (ValueError or
OverflowError when it fits the shape but names an impossible instant, such as Feb 30).
`ref_ms` (epoch ms) is the reference for inputs without a year: the year is the latest one that
puts the instant no more than `FUTURE_TOLERANCE` after the reference, so `Dec 31 23:59:59` read
on Jan 1 is last year's, and `Jan 1 00:00:01` read on Dec 31 is next year's. A time of day
alone (`HH:mm:ss.SSS`, logback's and log4j2's default) is on the reference's date, or the day
before when that would put it more than `CLOCK_TOLERANCE` after the reference (midnight).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from logpipe.errors import ConfigError

FUTURE_TOLERANCE = timedelta(days=7)
CLOCK_TOLERANCE = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_DAY_MS = 86_400_000
_DATE_CACHE_SIZE = 4096  # dates (`YYYY-MM-DDT`) kept both ways; cleared when full
_DATE_TEXT: dict[int, str] = {}  # days since the epoch -> `YYYY-MM-DDT`
_DAYS_OF: dict[str, int] = {}  # `YYYY-MM-DDT` -> days since the epoch
_MINUTE_TEXT = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]  # minute of the day
_MINUTE_MS = {text: m * 60_000 for m, text in enumerate(_MINUTE_TEXT)}
_SECOND_TEXT = [f"{s:02d}." for s in range(60)]
_MILLI_TEXT = [f"{ms:03d}Z" for ms in range(1000)]
_UTC_TAILS = {27: "Z", 29: "+00:00", 32: "+00:00"}  # utc_stamp's lengths and their endings
_MIN_MS = -62135596800000  # 0001-01-01T00:00:00Z
_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z
_MAX_LEN = 64  # longer strings are not timestamps; reject before any regex work

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DAYS_IN = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February 29 only in leap years
# Zone abbreviations accepted by `z`: RFC 822's own plus unambiguous European ones.
_ZONE_ABBREVIATIONS = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    }.items()
}  # fmt: skip

Parser = Callable[[object, float], "str | None"]


def format_dt(dt: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC with milliseconds and Z."""
    ms = (dt - _EPOCH_UTC) // _ONE_MS
    if not _MIN_MS <= ms <= _MAX_MS:
        raise OverflowError("date value out of range")
    return _text_of_ms(ms)


def format_ms(ms: int) -> str | None:
    """Format epoch milliseconds, or None outside years 1..9999."""
    if not _MIN_MS <= ms <= _MAX_MS:
        return None
    return _text_of_ms(ms)


def _text_of_ms(ms: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` of epoch milliseconds in years 1..9999, from small tables."""
    days, in_day = divmod(ms, _DAY_MS)
    date_text = _DATE_TEXT.get(days)
    if date_text is None:
        if len(_DATE_TEXT) >= _DATE_CACHE_SIZE:
            _DATE_TEXT.clear()
        date_text = _DATE_TEXT[days] = (_EPOCH + timedelta(days=days)).date().isoformat() + "T"
    minutes, in_minute = divmod(in_day, 60_000)
    seconds, milli = divmod(in_minute, 1000)
    return date_text + _MINUTE_TEXT[minutes] + _SECOND_TEXT[seconds] + _MILLI_TEXT[milli]


def epoch_ms(text: str) -> int:
    """Epoch milliseconds of a parser's result, as `int(datetime.fromisoformat(text).timestamp()
    * 1000)` gives them (float rounding included); canonical stamps are read from tables."""
    minute = _MINUTE_MS.get(text[11:17])
    if minute is None:  # not `...THH:MM:SS.sssZ` (an ISO week date kept as it came)
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    days = _DAYS_OF.get(text[:11])
    if days is None:
        if len(_DAYS_OF) >= _DATE_CACHE_SIZE:
            _DAYS_OF.clear()
        days = _DAYS_OF[text[:11]] = (datetime.fromisoformat(text[:10]) - _EPOCH).days
    exact = days * _DAY_MS + minute + int(text[17:19] + text[20:23])
    return int(exact / 1000 * 1000)


def load_zone(name: str) -> tzinfo:
    """Return the IANA zone `name` (or UTC), raising ConfigError when unknown."""
    zone = _zone(name)
    if zone is None:
        raise ConfigError(f"unknown timezone {name!r}; use an IANA name such as 'Europe/Berlin'")
    return zone


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo | None:
    if name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


@lru_cache(maxsize=256)
def _offset(text: str) -> tzinfo | None:
    """`Z`, `+0100`, `+01:00`, `-07` as a fixed zone."""
    if text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    if len(digits) not in (2, 4) or not digits.isdigit():
        return None
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    if minutes >= 24 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


def _with_inferred_date(clock: tuple[int, int, int, int], zone: tzinfo, ref_ms: float) -> datetime:
    """The reference's date (in `zone`) at `clock`, or the day before if that is too far ahead."""
    ref = datetime.fromtimestamp(ref_ms / 1000, zone)
    candidate = ref.replace(hour=clock[0], minute=clock[1], second=clock[2], microsecond=clock[3])
    if candidate > ref + CLOCK_TOLERANCE:
        candidate -= timedelta(days=1)
    return candidate


def _with_inferred_year(
    month: int, day: int, clock: tuple[int, int, int, int], zone: tzinfo, ref_ms: float
) -> datetime:
    """The latest year (ref year + 1 backwards) that puts the instant at most 7 days past ref."""
    ref = datetime.fromtimestamp(ref_ms / 1000, UTC)
    limit = ref + FUTURE_TOLERANCE
    for year in range(ref.year + 1, ref.year - 8, -1):
        try:
            candidate = datetime(year, month, day, *clock, tzinfo=zone)
        except ValueError:  # Feb 29 in a common year: keep looking back
            continue
        if candidate <= limit:
            return candidate
    raise ValueError("no year fits")


# --- named formats ---------------------------------------------------------------------------


def utc_stamp(s: str) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS.fff` or `.ffffff`, then `+00:00` (or `Z` after 6 digits), cut to a
    canonical stamp; None for other shapes, ValueError when it names no instant."""
    tail = _UTC_TAILS.get(len(s))
    if (
        tail is not None
        and s[4:20:3] == "--T::."  # the separators at 4, 7, 10, 13, 16 and 19
        and s.endswith(tail)
        and s[11:13] < "24"  # an hour 24 (next day) goes the long way
    ):
        datetime.fromisoformat(s)
        return s[:23] + "Z"
    return None


def iso8601(zone: tzinfo, require_offset: bool = False) -> Parser:
    """ISO 8601, extended form (`T` or space before the time); RFC 3339 requires an offset."""

    def parse(value: object, ref_ms: float) -> str | None:
        if not isinstance(value, str):
            return None
        s = value.strip()
        n = len(s)
        if n < 10 or n > _MAX_LEN or s[4] != "-" or (n > 10 and s[10] not in "Tt "):
            return None
        # Fast path: already canonical (`2026-11-26T10:00:00.123Z`); validate, keep as is.
        if n == 24 and s[23] == "Z" and s[10] == "T" and s[19] == "." and s[7] == "-" == s[4]:
            datetime.fromisoformat(s)
            return s
        stamp = utc_stamp(s)
        if stamp is not None:
            return stamp
        if s[-1] == "z":
            s = s[:-1] + "Z"
        if n > 10 and s[10] == "t":
            s = s[:10] + "T" + s[11:]
        dt = datetime.fromisoformat(s)
        if dt.tzinfo is None:
            if require_offset:
                return None
            dt = dt.replace(tzinfo=zone)
        return format_dt(dt)

    return parse


_UNIX_RE = re.compile(r"([+-]?\d{1,15})(?:\.(\d*))?")


def _epoch_ms(value: object, scale: int) -> int | None:
    """Epoch value in units of 1/scale seconds (1 = seconds, 1000 = ms) as integer milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * (1000 // scale)
    if isinstance(value, float):
        return round(value * (1000 // scale)) if math.isfinite(value) else None
    if not isinstance(value, str) or len(value) > _MAX_LEN:
        return None
    m = _UNIX_RE.fullmatch(value.strip())
    if m is None:
        return None
    whole, frac = m.groups()
    ms = int(whole) * (1000 // scale)
    if scale == 1 and frac:
        part = int((frac + "00")[:3])
        ms += -part if whole.startswith("-") else part
    return ms


def is_number(value: object) -> bool:
    """Whether a value is a number or a string of one (`123`, `-1.5`): a time only as UNIX."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return (
        isinstance(value, str)
        and len(value) <= _MAX_LEN
        and bool(_UNIX_RE.fullmatch(value.strip()))
    )


def unix(value: object, ref_ms: float) -> str | None:
    """Epoch seconds, with fractions: int, float or numeric string."""
    ms = _epoch_ms(value, 1)
    return None if ms is None else format_ms(ms)


def unix_ms(value: object, ref_ms: float) -> str | None:
    """Epoch milliseconds: int, float or numeric string (sub-millisecond digits dropped)."""
    ms = _epoch_ms(value, 1000)
    return None if ms is None else format_ms(ms)


def reads_numbers(parser: Parser) -> bool:
    """Whether a parser can read anything but text (UNIX and UNIX_MS; the others return None)."""
    return parser is unix or parser is unix_ms


# --- Joda-style patterns ---------------------------------------------------------------------

_NUMERIC = {"y", "Y", "u", "M", "d", "H", "k", "h", "K", "m", "s", "S"}
_SUPPORTED = _NUMERIC | {"a", "E", "Z", "z"}


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """Split a Joda pattern into ("field", letters) and ("literal", text) tokens."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end == i + 1:  # '' is a literal quote
                out.append(("literal", "'"))
                i += 2
                continue
            if end < 0:
                raise ConfigError(f"unterminated quote in date pattern {pattern!r}")
            out.append(("literal", pattern[i + 1 : end].replace("''", "'")))
            i = end + 1
        elif c.isascii() and c.isalpha():
            if c not in _SUPPORTED:
                raise ConfigError(
                    f"unsupported letter {c!r} in date pattern {pattern!r}"
                    " (quote literal text, e.g. 'T')"
                )
            j = i
            while j < n and pattern[j] == c:
                j += 1
            out.append(("field", pattern[i:j]))
            i = j
        else:
            out.append(("literal", c))
            i += 1
    return out


def _required_characters(tokens: list[tuple[str, str]]) -> str:
    """The characters every match of the tokens' pattern holds: those of its literals that are
    no letters (a letter matches either case)."""
    found = {c for kind, text in tokens if kind == "literal" for c in text if not c.isalpha()}
    return "".join(sorted(found))


def _is_numeric(letters: str) -> bool:
    """Whether a token is a numeric field (month as text is not)."""
    return letters[0] in _NUMERIC and not (letters[0] == "M" and len(letters) >= 3)


def _fragment(letters: str, fixed: bool) -> tuple[str, str | None]:
    """Regex fragment (a named group unless ignored) and captured kind for one field token."""
    c, count = letters[0], len(letters)
    width = rf"\d{{{max(count, 2)}}}" if fixed else r"\d{1,2}"
    if c in "yYu":
        if count == 2:
            return r"(?P<yy>\d{2})", "yy"
        return (r"(?P<y>\d{4})" if count >= 3 or fixed else r"(?P<y>\d{1,4})"), "y"
    if c == "M":
        if count >= 3:
            return r"(?P<Mtext>[A-Za-z]{3,9})\.?", "Mtext"
        return f"(?P<M>{width})", "M"
    if c == "S":
        return (rf"(?P<S>\d{{{count}}})" if fixed else r"(?P<S>\d{1,9})"), "S"
    if c == "a":
        return r"(?P<a>[AaPp][Mm])", "a"
    if c == "E":
        return r"(?:[A-Za-z]{2,9}\.?)", None
    if c == "Z":
        if count >= 3:
            return r"(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)", "zone"
        return r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)", "offset"
    if c == "z":
        return r"(?P<abbr>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})", "abbr"
    return f"(?P<{c}>{width})", c  # d H k h K m s


class JodaPattern:
    """A Joda/Logstash date pattern (`yyyy-MM-dd HH:mm:ss,SSS`, `dd/MMM/yyyy:HH:mm:ss Z`, ...)."""

    def __init__(self, pattern: str, zone: tzinfo) -> None:
        tokens = _tokens(pattern)
        parts: list[str] = []
        kinds: list[str] = []
        for i, (kind, text) in enumerate(tokens):
            if kind == "literal":
                parts.append(" +" if text == " " else re.escape(text))
                continue
            fixed = _is_numeric(text) and any(
                0 <= j < len(tokens) and tokens[j][0] == "field" and _is_numeric(tokens[j][1])
                for j in (i - 1, i + 1)
            )
            fragment, captured = _fragment(text, fixed)
            parts.append(fragment)
            if captured is not None:
                if captured in kinds or (captured in ("y", "yy") and {"y", "yy"} & set(kinds)):
                    raise ConfigError(f"date pattern {pattern!r} names a field twice")
                kinds.append(captured)
        self.pattern = pattern
        self.regex = "".join(parts)
        self._rx = re.compile(self.regex, re.IGNORECASE)
        self.required = _required_characters(tokens)
        self._zone = zone
        # Without a year the result depends on the reference time, so it must not be cached.
        self.cacheable = "y" in kinds or "yy" in kinds

    def __call__(self, value: object, ref_ms: float) -> str | None:
        if not isinstance(value, str) or len(value) > _MAX_LEN:
            return None
        for character in self.required:  # a text lacking one cannot match: no regex run
            if character not in value:
                return None
        m = self._rx.fullmatch(value.strip())
        if m is None:
            return None
        f = m.groupdict()
        if "Mtext" in f:
            month = _MONTHS.get(f["Mtext"].lower())
            if month is None:
                return None
        else:
            month = int(f.get("M", 1))
        if "h" in f or "K" in f:  # 12-hour clock, AM unless `a` says PM
            hour = int(f.get("h") or f["K"])
            if hour > 12:
                return None
            hour = hour % 12 + (12 if f.get("a", "").lower() == "pm" else 0)
        else:
            hour = int(f.get("H") or f.get("k") or 0)
            if hour == 24 and "k" in f:
                hour = 0
        fraction = f.get("S")
        clock = (
            hour,
            int(f.get("m", 0)),
            int(f.get("s", 0)),
            int((fraction + "00000")[:6]) if fraction else 0,
        )
        zone = self._zone_of(f)
        if zone is None:
            return None
        if "d" not in f and "M" not in f and "Mtext" not in f and "y" not in f:
            return format_dt(_with_inferred_date(clock, zone, ref_ms))
        day = int(f.get("d", 1))
        if "y" in f:
            dt = datetime(int(f["y"]), month, day, *clock, tzinfo=zone)
        elif "yy" in f:
            dt = datetime(_pivot_year(int(f["yy"]), ref_ms), month, day, *clock, tzinfo=zone)
        else:
            dt = _with_inferred_year(month, day, clock, zone, ref_ms)
        return format_dt(dt)

    def _zone_of(self, f: dict[str, str]) -> tzinfo | None:
        if "offset" in f:
            return _offset(f["offset"])
        if "zone" in f:
            return _zone(f["zone"])
        if "abbr" in f:
            abbr = f["abbr"]
            return _offset(abbr) if abbr[0] in "+-" else _ZONE_ABBREVIATIONS.get(abbr.upper())
        return self._zone


class PatternRun:
    """Consecutive Joda patterns with one regex of them all: a text none of them can match (most
    texts, as one format fits each) is refused by one regex call, not one call per pattern."""

    def __init__(self, patterns: list[JodaPattern]) -> None:
        self.patterns = tuple(patterns)
        either = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.regex)})" for p in patterns)
        self._any = re.compile(either, re.IGNORECASE)
        self._required = "".join(sorted(set.intersection(*(set(p.required) for p in patterns))))

    def may_match(self, value: object) -> bool:
        """Whether one of the patterns matches `value` (each then still reads it on its own)."""
        if not isinstance(value, str) or len(value) > _MAX_LEN:
            return False
        for character in self._required:  # every pattern needs it
            if character not in value:
                return False
        return self._any.fullmatch(value.strip()) is not None


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _pivot_year(yy: int, ref_ms: float) -> int:
    """Two-digit year in the century window centred on the reference year (Joda's rule)."""
    ref_year = datetime.fromtimestamp(ref_ms / 1000, UTC).year
    year = ref_year - ref_year % 100 + yy
    if year > ref_year + 49:
        year -= 100
    elif year <= ref_year - 50:
        year += 100
    return year


_MONTH_DIGITS = {
    variant: f"{number:02d}"
    for name, number in _MONTHS.items()
    if len(name) == 3
    for variant in (name, name.title(), name.upper())
}
_MONTH_DAYS = {  # `MMdd` of every day of the year
    f"{m:02d}{d:02d}" for m, last in enumerate(_DAYS_IN, start=1) for d in range(1, last + 1)
}
_HOURS = {f"{h:02d}" for h in range(24)}
_SIXTY = {f"{m:02d}" for m in range(60)}


class _HttpDate(JodaPattern):
    """HTTPDATE; `26/Nov/2026:10:00:00 -0500` (ASCII, an offset of hours and minutes: the usual
    access log) is read by slicing, its minute in UTC looked up once per minute and offset."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__("dd/MMM/yyyy:HH:mm:ss Z", zone)
        self._minutes: dict[str, str] = {}  # `dd/MMM/yyyy:HH:mm ±hhmm` -> `yyyy-MM-ddTHH:mm`

    def __call__(self, value: object, ref_ms: float) -> str | None:
        if type(value) is str and len(value) == 26 and value[17] == ":" and value[18:20] in _SIXTY:
            key = value[:17] + value[20:]  # whole-minute offsets leave the seconds alone
            minute = self._minutes.get(key)
            if minute is None:
                if len(self._minutes) >= _MINUTES_KEPT:
                    self._minutes.clear()
                minute = self._minutes[key] = _utc_minute(key)
            if minute:
                return f"{minute}:{value[18:20]}.000Z"
        return super().__call__(value, ref_ms)


_MINUTES_KEPT = 4096


def _utc_minute(key: str) -> str:
    """`dd/MMM/yyyy:HH:mm ±hhmm` as `yyyy-MM-ddTHH:mm` in UTC; "" where slicing cannot read it
    (the pattern then decides) or the minute leaves years 1..9999 (the pattern raises)."""
    if (
        not (
            key[2] == "/" and key[6] == "/" and key[11] == ":" and key[14] == ":" and key[17] == " "
        )
        or key[18] not in "+-"
    ):
        return ""
    month = _MONTH_DIGITS.get(key[3:6])
    year = key[7:11]
    if not (
        month is not None
        and year.isascii()
        and year.isdigit()
        and year != "0000"
        and month + key[:2] in _MONTH_DAYS
        and (month != "02" or key[:2] != "29" or calendar.isleap(int(year)))
        and key[12:14] in _HOURS
        and key[15:17] in _SIXTY
        and key[19:21] in _HOURS
        and key[21:23] in _SIXTY
    ):
        return ""
    local = f"{year}-{month}-{key[:2]}T{key[12:17]}:00.000Z"
    if key[19:] == "0000":
        return local[:16]
    east = (int(key[19:21]) * 60 + int(key[21:23])) * 60_000
    stamp = format_ms(epoch_ms(local) - (east if key[18] == "+" else -east))
    return stamp[:16] if stamp is not None else ""


class _FirstOf:
    """Try several parsers in order; the first result wins (none is tried on a text that none
    of their patterns fits)."""

    def __init__(self, parsers: list[JodaPattern]) -> None:
        self._parsers = parsers
        self._run = PatternRun(parsers)
        self.cacheable = all(p.cacheable for p in parsers)

    def __call__(self, value: object, ref_ms: float) -> str | None:
        if not self._run.may_match(value):
            return None
        for parser in self._parsers:
            out = parser(value, ref_ms)
            if out is not None:
                return out
        return None


class _Syslog(_FirstOf):
    """SYSLOG; `Nov 26 10:00:00` read in UTC (RFC 3164's usual line) is sliced, not matched."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__(
            [
                JodaPattern("MMM d HH:mm:ss", zone),
                JodaPattern("MMM d HH:mm:ss.SSS", zone),
                JodaPattern("MMM d yyyy HH:mm:ss", zone),
            ]
        )
        self._utc = zone is UTC
        self._ref: tuple[float, int, str] = (math.nan, 0, "")  # ref_ms, its year, its limit

    def __call__(self, value: object, ref_ms: float) -> str | None:
        if (
            self._utc
            and type(value) is str
            and len(value) == 15
            and value[3] == " "
            and value[6] == " "
            and value[9] == ":"
            and value[12] == ":"
        ):
            month = _MONTH_DIGITS.get(value[:3])
            day = value[4:6] if value[4] != " " else "0" + value[5]
            if (
                month is not None
                and month + day in _MONTH_DAYS
                and value[7:9] in _HOURS
                and value[10:12] in _SIXTY
                and value[13:15] in _SIXTY
            ):
                stamp = self._with_inferred_year(f"-{month}-{day}T{value[7:]}.000Z", ref_ms)
                if stamp is not None:
                    return stamp
        return super().__call__(value, ref_ms)

    def _with_inferred_year(self, rest: str, ref_ms: float) -> str | None:
        """`_with_inferred_year` on text: the latest year whose stamp is at most the limit."""
        if ref_ms != self._ref[0]:
            ref = datetime.fromtimestamp(ref_ms / 1000, UTC)
            try:
                self._ref = (ref_ms, ref.year, format_dt(ref + FUTURE_TOLERANCE))
            except OverflowError:
                return None
        _, ref_year, limit = self._ref
        leap_day = rest[1:6] == "02-29"
        for year in range(min(ref_year + 1, 9999), max(ref_year - 8, 0), -1):
            if leap_day and not calendar.isleap(year):
                continue
            stamp = f"{year:04d}{rest}"
            if stamp <= limit:
                return stamp
        return None


NAMED_FORMATS = ("ISO8601", "RFC3339", "HTTPDATE", "SYSLOG", "UNIX", "UNIX_MS")


def build_parser(fmt: str, zone: tzinfo) -> Parser:
    """A parser for a named format or a Joda-style pattern; zone applies to zone-less inputs."""
    if fmt == "ISO8601":
        return iso8601(zone)
    if fmt == "RFC3339":
        return iso8601(zone, require_offset=True)
    if fmt == "HTTPDATE":
        return _HttpDate(zone)
    if fmt == "SYSLOG":
        return _Syslog(zone)
    if fmt == "UNIX":
        return unix
    if fmt == "UNIX_MS":
        return unix_ms
    return JodaPattern(fmt, zone)
