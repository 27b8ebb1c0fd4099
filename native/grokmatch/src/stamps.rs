//! `StampCommon`: the timestamp stage's common case over a batch, with no Python per event.
//!
//! An event is finished here when its `@metadata.kafka.timestamp` is a plain int in
//! (0, now], its first present plain source holds an ASCII text that the first configured format
//! reading it turns into a time strictly inside the whole hours of the window, and that format
//! is one read here (ISO 8601, HTTPDATE, SYSLOG, in UTC). Such an event gets what the stage's
//! Python gives it: the target, `@metadata.time_checked`, the source removed if asked. Every
//! other event, and every text where a doubt remains about what Python's parsers make of it,
//! is left to the stage's Python loop, which is exact.

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::reads::{ascii, get, left_over, plain_metadata, KafkaTime};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
const MIN_MS: i64 = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const FUTURE_TOLERANCE_MS: i64 = 7 * DAY_MS; // timeformats.FUTURE_TOLERANCE
const MAX_LEN: usize = 64; // timeformats._MAX_LEN

/// A named format read here.
#[derive(Clone, Copy)]
enum Format {
    Iso8601,
    HttpDate,
    Syslog,
}

/// What Python's parser of one format makes of a text: a time (epoch ms), certainly nothing
/// (the next format is tried), or something this module does not decide.
enum Verdict {
    Time(i64),
    Nothing,
    Unsure,
}

/// The timestamp stage's common case (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct StampCommon {
    /// the leading plain top-level sources, and whether each is the target
    sources: Vec<(Py<PyString>, bool)>,
    target: Py<PyString>,
    /// the key in `@metadata` that records the accepted stamp (None: the target is not
    /// `@timestamp`)
    checked: Option<Py<PyString>>,
    remove: bool,
    formats: Vec<Format>,
    before_ms: i64,
    after_ms: i64,
    metadata: Py<PyString>,
    reference: KafkaTime,
}

#[pymethods]
impl StampCommon {
    /// `formats`: the stage's leading formats, each ISO8601, HTTPDATE or SYSLOG (its zone UTC).
    #[new]
    #[pyo3(signature = (sources, target, checked, remove, formats, before_ms, after_ms))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        sources: Vec<String>,
        target: String,
        checked: Option<String>,
        remove: bool,
        formats: Vec<String>,
        before_ms: i64,
        after_ms: i64,
    ) -> PyResult<Self> {
        let formats = formats
            .iter()
            .map(|name| match name.as_str() {
                "ISO8601" => Ok(Format::Iso8601),
                "HTTPDATE" => Ok(Format::HttpDate),
                "SYSLOG" => Ok(Format::Syslog),
                other => Err(PyValueError::new_err(format!(
                    "format {other} is not read here"
                ))),
            })
            .collect::<PyResult<Vec<_>>>()?;
        if sources.is_empty() || formats.is_empty() || target == "@metadata" {
            return Err(PyValueError::new_err(
                "sources, formats and a target besides @metadata",
            ));
        }
        let key = |name: &str| PyString::intern(py, name).unbind();
        Ok(StampCommon {
            sources: sources.iter().map(|s| (key(s), *s == target)).collect(),
            target: key(&target),
            checked: checked.as_deref().map(key),
            remove,
            formats,
            before_ms,
            after_ms,
            metadata: key("@metadata"),
            reference: KafkaTime::new(py),
        })
    }

    /// Finish the events of `events` this module can; the others, in order, for Python.
    fn run<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
        now_ms: f64,
    ) -> PyResult<Bound<'py, PyList>> {
        left_over(events, |event| self.one(py, event, now_ms))
    }

    /// What the first format reading `text` makes of it, as the stage's Python parsers would,
    /// at the reference hour `hour_ms`: a canonical stamp, or None when Python must decide.
    fn parse(&self, text: &str, hour_ms: i64) -> Option<String> {
        if !text.is_ascii() {
            return None;
        }
        match self.first_time(text.as_bytes(), hour_ms) {
            Verdict::Time(ms) => Some(stamp_text(ms)),
            _ => None,
        }
    }
}

fn check(py: Python<'_>, status: std::os::raw::c_int) -> PyResult<()> {
    if status < 0 {
        Err(PyErr::fetch(py))
    } else {
        Ok(())
    }
}

impl StampCommon {
    /// One event: whether it is finished here.
    fn one(&self, py: Python<'_>, event: &Bound<'_, PyAny>, now_ms: f64) -> PyResult<bool> {
        let event = event.as_ptr();
        unsafe {
            let Some(meta) = plain_metadata(py, event, &self.metadata)? else {
                return Ok(false);
            };
            // held: writing the target could drop the event's last other reference to it
            let meta = Bound::from_borrowed_ptr(py, meta);
            let Some(stamp) = self.reference.of(py, meta.as_ptr(), now_ms)? else {
                return Ok(false);
            };
            // the whole hours inside the window: a stamp strictly between them is accepted
            let low = stamp - self.before_ms;
            let high = stamp + self.after_ms;
            let first = low - low.rem_euclid(HOUR_MS) + HOUR_MS;
            let last = high - high.rem_euclid(HOUR_MS);
            if !(MIN_MS..=MAX_MS).contains(&first) || !(MIN_MS..=MAX_MS).contains(&last) {
                return Ok(false);
            }
            let mut chosen = None;
            for (key, is_target) in &self.sources {
                if let Some(value) = get(py, event, key)? {
                    if value != ffi::Py_None() {
                        chosen = Some((key, *is_target, value));
                        break;
                    }
                }
            }
            let Some((key, is_target, value)) = chosen else {
                return Ok(false);
            };
            let Some(text) = ascii(value) else {
                return Ok(false);
            };
            let Verdict::Time(ms) = self.first_time(text, stamp - stamp.rem_euclid(HOUR_MS)) else {
                return Ok(false);
            };
            if !(first < ms && ms < last) {
                return Ok(false);
            }
            let canonical = stamp_text(ms);
            let out = if canonical.as_bytes() == text {
                Bound::from_borrowed_ptr(py, value) // already canonical: the same object
            } else {
                PyString::new(py, &canonical).into_any()
            };
            if self.remove && !is_target {
                check(py, ffi::PyDict_DelItem(event, key.as_ptr()))?;
            }
            check(
                py,
                ffi::PyDict_SetItem(event, self.target.as_ptr(), out.as_ptr()),
            )?;
            if let Some(checked) = &self.checked {
                check(
                    py,
                    ffi::PyDict_SetItem(meta.as_ptr(), checked.as_ptr(), out.as_ptr()),
                )?;
            }
            Ok(true)
        }
    }

    /// The first format's verdict on `text` that is not "nothing"; unsure past the formats
    /// read here, and for a text Python would strip first.
    fn first_time(&self, text: &[u8], hour_ms: i64) -> Verdict {
        match (text.first(), text.last()) {
            (Some(&a), Some(&z)) if !python_space(a) && !python_space(z) => {}
            _ => return Verdict::Unsure,
        }
        for format in &self.formats {
            let verdict = match format {
                Format::Iso8601 => iso8601(text),
                Format::HttpDate => http_date(text),
                Format::Syslog => syslog(text, hour_ms),
            };
            if !matches!(verdict, Verdict::Nothing) {
                return verdict;
            }
        }
        Verdict::Unsure
    }
}

/// ASCII characters `str.strip()` removes.
pub(crate) fn python_space(byte: u8) -> bool {
    matches!(
        byte,
        b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' '
    )
}

/// The number written by `digits` ASCII digits, or None.
fn number(text: &[u8]) -> Option<i64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |n, &d| n * 10 + i64::from(d - b'0')))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of days from 1970-01-01 (the inverse of `days_from_civil`).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `value`'s last decimal digits, zero-padded, filling `slots`.
pub(crate) fn put_digits(slots: &mut [u8], mut value: i64) {
    for slot in slots.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` of epoch ms in years 1..9999 (`timeformats.format_ms`).
fn stamp_text(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS);
    let mut out = *b"0000-00-00T00:00:00.000Z";
    put_digits(&mut out[0..4], year);
    put_digits(&mut out[5..7], month);
    put_digits(&mut out[8..10], day);
    put_digits(&mut out[11..13], in_day / HOUR_MS);
    put_digits(&mut out[14..16], in_day / 60_000 % 60);
    put_digits(&mut out[17..19], in_day / 1000 % 60);
    put_digits(&mut out[20..23], in_day % 1000);
    out.iter().map(|&b| b as char).collect()
}

/// Epoch ms of a valid local date and time, or None outside years 1..9999.
fn instant(
    date: (i64, i64, i64),
    clock: (i64, i64, i64),
    millis: i64,
    east_ms: i64,
) -> Option<i64> {
    let (year, month, day) = date;
    let (hour, minute, second) = clock;
    let ms = days_from_civil(year, month, day) * DAY_MS
        + hour * HOUR_MS
        + minute * 60_000
        + second * 1000
        + millis
        - east_ms;
    (MIN_MS..=MAX_MS).contains(&ms).then_some(ms)
}

fn valid_date(year: i64, month: i64, day: i64) -> bool {
    (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in(year, month)
}

/// `timeformats.iso8601` (zone UTC) on a text with nothing to strip: nothing when its shape
/// check refuses it, a time for `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM]` naming a
/// valid instant, else unsure (`datetime.fromisoformat` reads many more forms).
fn iso8601(s: &[u8]) -> Verdict {
    let n = s.len();
    if !(10..=MAX_LEN).contains(&n) || s[4] != b'-' || (n > 10 && !b"Tt ".contains(&s[10])) {
        return Verdict::Nothing;
    }
    if n < 19 || s[7] != b'-' || !matches!(s[10], b'T' | b' ') || s[13] != b':' || s[16] != b':' {
        return Verdict::Unsure;
    }
    let field = |a: usize, b: usize| number(&s[a..b]);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        field(0, 4),
        field(5, 7),
        field(8, 10),
        field(11, 13),
        field(14, 16),
        field(17, 19),
    ) else {
        return Verdict::Unsure;
    };
    let mut at = 19;
    let mut millis = 0;
    if s.get(at) == Some(&b'.') {
        let digits = s[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return Verdict::Unsure;
        }
        let mut first3 = [b'0'; 3];
        for (slot, &digit) in first3.iter_mut().zip(&s[at + 1..at + 1 + digits]) {
            *slot = digit;
        }
        millis = number(&first3).unwrap_or(0);
        at += 1 + digits;
    }
    let east_ms = match &s[at..] {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (Some(hours), Some(minutes)) = (number(&[*h1, *h2]), number(&[*m1, *m2])) else {
                return Verdict::Unsure;
            };
            if hours > 23 || minutes > 59 {
                return Verdict::Unsure;
            }
            let east = (hours * 60 + minutes) * 60_000;
            if *sign == b'-' {
                -east
            } else {
                east
            }
        }
        _ => return Verdict::Unsure,
    };
    if !valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59 {
        return Verdict::Unsure;
    }
    match instant((year, month, day), (hour, minute, second), millis, east_ms) {
        Some(ms) => Verdict::Time(ms),
        None => Verdict::Unsure,
    }
}

/// A three-letter month as `timeformats._MONTH_DIGITS` reads it: lower, title or upper case.
fn month_of(name: &[u8]) -> Option<i64> {
    const NAMES: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let [a, b, c] = name else { return None };
    let lower = [
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
    ];
    let cased = (a.is_ascii_lowercase() && b.is_ascii_lowercase() && c.is_ascii_lowercase())
        || (a.is_ascii_uppercase() && b.is_ascii_lowercase() && c.is_ascii_lowercase())
        || (a.is_ascii_uppercase() && b.is_ascii_uppercase() && c.is_ascii_uppercase());
    if !cased {
        return None;
    }
    NAMES
        .iter()
        .position(|n| **n == lower)
        .map(|i| i as i64 + 1)
}

/// Two ASCII digits below `limit`, as `_HOURS` (24) and `_SIXTY` (60) accept them.
fn two_digits(pair: &[u8], limit: i64) -> Option<i64> {
    number(pair).filter(|&n| pair.len() == 2 && n < limit)
}

/// A day of a month as `_MONTH_DAYS` accepts it (February 29 in any year).
fn month_day(month: i64, pair: &[u8]) -> Option<i64> {
    number(pair).filter(|&day| pair.len() == 2 && day >= 1 && day <= days_in(2000, month))
}

/// `_HttpDate` (zone UTC): a time for the 26-character access-log form its slicing reads,
/// nothing where its pattern's required characters are missing, else unsure.
fn http_date(s: &[u8]) -> Verdict {
    if s.len() == 26 && s[17] == b':' {
        if let Some(ms) = sliced_http_date(s) {
            return Verdict::Time(ms);
        }
        return Verdict::Unsure;
    }
    if [b'/', b':', b' '].iter().all(|c| s.contains(c)) {
        Verdict::Unsure
    } else {
        Verdict::Nothing
    }
}

/// `dd/MMM/yyyy:HH:mm:ss ±hhmm` read as `_HttpDate.__call__` and `_utc_minute` read it.
fn sliced_http_date(s: &[u8]) -> Option<i64> {
    let second = two_digits(&s[18..20], 60)?;
    if s[2] != b'/' || s[6] != b'/' || s[11] != b':' || s[14] != b':' || s[20] != b' ' {
        return None;
    }
    let sign = s[21];
    if sign != b'+' && sign != b'-' {
        return None;
    }
    let month = month_of(&s[3..6])?;
    let year = number(&s[7..11]).filter(|&y| y >= 1)?;
    let day = month_day(month, &s[0..2])?;
    if month == 2 && day == 29 && !is_leap(year) {
        return None;
    }
    let hour = two_digits(&s[12..14], 24)?;
    let minute = two_digits(&s[15..17], 60)?;
    let east = (two_digits(&s[22..24], 24)? * 60 + two_digits(&s[24..26], 60)?) * 60_000;
    let east = if sign == b'-' { -east } else { east };
    let minute_ms = instant((year, month, day), (hour, minute, 0), 0, east)?;
    Some(minute_ms + second * 1000)
}

/// `_Syslog` (zone UTC): a time for `MMM dd HH:mm:ss` (day space-padded or not) with the year
/// inferred from the reference hour, nothing where its patterns' required characters are
/// missing, else unsure.
fn syslog(s: &[u8], hour_ms: i64) -> Verdict {
    if s.len() == 15 && s[3] == b' ' && s[6] == b' ' && s[9] == b':' && s[12] == b':' {
        if let Some(ms) = sliced_syslog(s, hour_ms) {
            return Verdict::Time(ms);
        }
        return Verdict::Unsure;
    }
    if s.contains(&b' ') && s.contains(&b':') {
        Verdict::Unsure
    } else {
        Verdict::Nothing
    }
}

fn sliced_syslog(s: &[u8], hour_ms: i64) -> Option<i64> {
    let month = month_of(&s[0..3])?;
    let day = if s[4] == b' ' {
        month_day(month, &[b'0', s[5]])?
    } else {
        month_day(month, &s[4..6])?
    };
    let clock = (
        two_digits(&s[7..9], 24)?,
        two_digits(&s[10..12], 60)?,
        two_digits(&s[13..15], 60)?,
    );
    // `_Syslog._with_inferred_year`: the latest year from the reference's next one back to
    // seven before it whose stamp is at most seven days past the reference
    let limit = hour_ms.checked_add(FUTURE_TOLERANCE_MS)?;
    if limit > MAX_MS {
        return None;
    }
    let (ref_year, _, _) = civil_from_days(hour_ms.div_euclid(DAY_MS));
    let mut year = (ref_year + 1).min(9999);
    while year > (ref_year - 8).max(0) {
        if !(month == 2 && day == 29 && !is_leap(year)) {
            let ms = instant((year, month, day), clock, 0, 0)?;
            if ms <= limit {
                return Some(ms);
            }
        }
        year -= 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in (-719_162..2_932_896).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(stamp_text(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(stamp_text(MIN_MS), "0001-01-01T00:00:00.000Z");
        assert_eq!(stamp_text(MAX_MS), "9999-12-31T23:59:59.999Z");
    }
}
