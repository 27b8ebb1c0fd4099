//! `DigitsScan`: redact's scan for the two value rules with no literal to anchor on, card
//! numbers and IBANs, over newline-separated JSON items, in place of their Hyperscan database.
//!
//! It finds the items Hyperscan finds with `secrets_patterns.CARD_HINT` screened by
//! `card_in_json`, and the IBAN hint:
//! - a card hint match starts after a byte that is no ASCII digit (or after a `\u00[01]X`
//!   escape), takes an issuer prefix (`4`, `5[0-8]`, `2[2-7]`, `3[04-9]`, `6`), one more digit
//!   and eleven digits each after an optional space or hyphen; each match's end is screened as
//!   `card_in_json` screens it: the digit run holding it, as seen within 64 bytes on each side,
//!   counts when it runs to that edge, follows `\u`, or has groups in a row that make 13 to 19
//!   digits `card_ok` accepts;
//! - an IBAN hint match is two capitals, two check digits (ASCII, or a UTF-8 sequence of one
//!   lead and one to three continuation bytes), an optional space and four capitals or digits.
//!
//! Unlike the Hyperscan scan it never stops at a match cap: it makes no Python call per match.
//! Both hints' matches hold a run of eight or more of the bytes they are made of (`in_match`);
//! those runs are found from a bit per byte, 32 bytes classified at once with AVX2 where the CPU
//! has it, and only they are looked into.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

const REACH: usize = 64; // `_CARD_RUN_REACH`
const MAX_DIGITS: usize = 19; // `_CARD_MAX_DIGITS`

const fn digit(byte: u8) -> bool {
    byte.is_ascii_digit()
}

const fn separator(byte: u8) -> bool {
    byte == b' ' || byte == b'-'
}

/// Whether `data[at - 6..at]` is a `\u00[01][0-9a-fA-F]` escape.
fn escape_before(data: &[u8], at: usize) -> bool {
    at >= 6
        && &data[at - 6..at - 2] == b"\\u00"
        && matches!(data[at - 2], b'0' | b'1')
        && data[at - 1].is_ascii_hexdigit()
}

/// The end of the card hint's match whose issuer prefix starts at `at`, if there is one.
fn card_end(data: &[u8], at: usize) -> Option<usize> {
    if at == 0 || (digit(data[at - 1]) && !escape_before(data, at)) {
        return None;
    }
    let byte = |n: usize| data.get(n).copied().unwrap_or(0);
    let prefix = match byte(at) {
        b'4' | b'6' => 1,
        b'5' if (b'0'..=b'8').contains(&byte(at + 1)) => 2,
        b'2' if (b'2'..=b'7').contains(&byte(at + 1)) => 2,
        b'3' if matches!(byte(at + 1), b'0' | b'4'..=b'9') => 2,
        _ => return None,
    };
    let mut end = at + prefix;
    if !digit(byte(end)) {
        return None;
    }
    end += 1;
    for _ in 0..11 {
        if separator(byte(end)) {
            end += 1;
        }
        if !digit(byte(end)) {
            return None;
        }
        end += 1;
    }
    Some(end)
}

/// `luhn_ok` over ASCII digits.
fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (n, byte) in digits.iter().rev().enumerate() {
        let value = u32::from(byte - b'0');
        sum += if n % 2 == 1 {
            if value * 2 > 9 {
                value * 2 - 9
            } else {
                value * 2
            }
        } else {
            value
        };
    }
    sum.is_multiple_of(10)
}

/// `card_ok` over ASCII digits only.
fn card_ok(digits: &[u8]) -> bool {
    let n = digits.len();
    if !(13..=19).contains(&n) {
        return false;
    }
    let p2 = u32::from(digits[0] - b'0') * 10 + u32::from(digits[1] - b'0');
    let fits = if digits[0] == b'4' {
        matches!(n, 13 | 16 | 19)
    } else if (51..=55).contains(&p2) || (22..=27).contains(&p2) {
        n == 16
    } else if p2 == 34 || p2 == 37 {
        n == 15
    } else if matches!(p2, 30 | 36 | 38 | 39) {
        n >= 14
    } else if p2 == 35 {
        n >= 16
    } else {
        digits[0] == b'6' || matches!(p2, 50 | 56 | 57 | 58)
    };
    fits && luhn_ok(digits)
}

/// The next run of `_DIGIT_RUN` (`[0-9]+(?:[ -][0-9]+)*`) in `data[from..high]`, as
/// `re.finditer(data, low, high)` finds it: (start, stop).
fn next_run(data: &[u8], from: usize, high: usize) -> Option<(usize, usize)> {
    let start = (from..high).find(|&n| digit(data[n]))?;
    let mut stop = start;
    while stop < high && digit(data[stop]) {
        stop += 1;
    }
    while stop + 1 < high && separator(data[stop]) && digit(data[stop + 1]) {
        stop += 1;
        while stop < high && digit(data[stop]) {
            stop += 1;
        }
    }
    Some((start, stop))
}

/// `card_in_json(data, end)`: whether the match ending at `end` may be a card number.
fn card_in_json(data: &[u8], end: usize) -> bool {
    let low = end.saturating_sub(REACH);
    let high = (end + REACH).min(data.len());
    let mut from = low;
    while let Some((start, stop)) = next_run(data, from, high) {
        from = stop;
        if stop < end {
            continue;
        }
        if start + 1 > end || (start == low && low > 0) || (stop == high && high < data.len()) {
            return true;
        }
        if start >= 2 && &data[start - 2..start] == b"\\u" {
            return true;
        }
        let groups: Vec<&[u8]> = data[start..stop].split(|&b| separator(b)).collect();
        for first in 0..groups.len() {
            let mut digits: Vec<u8> = Vec::with_capacity(MAX_DIGITS + 8);
            for group in &groups[first..] {
                digits.extend_from_slice(group);
                if digits.len() > MAX_DIGITS {
                    break;
                }
                if digits.len() >= 13 && card_ok(&digits) {
                    return true;
                }
            }
        }
        return false;
    }
    true
}

/// Whether an IBAN hint match starts at `at`.
fn iban_at(data: &[u8], at: usize) -> bool {
    let byte = |n: usize| data.get(n).copied().unwrap_or(0);
    if !byte(at).is_ascii_uppercase() || !byte(at + 1).is_ascii_uppercase() {
        return false;
    }
    let mut next = at + 2;
    for _ in 0..2 {
        let lead = byte(next);
        if digit(lead) {
            next += 1;
        } else if lead >= 0xc0 {
            let mut continued = 0;
            while (0x80..=0xbf).contains(&byte(next + 1 + continued)) {
                continued += 1;
            }
            if !(1..=3).contains(&continued) {
                return false;
            }
            next += 1 + continued;
        } else {
            return false;
        }
    }
    if byte(next) == b' ' {
        next += 1;
    }
    (next..next + 4).all(|n| byte(n).is_ascii_uppercase() || digit(byte(n)))
}

/// The bytes a hint's match is made of past its first: digits, capitals, the separators and
/// UTF-8 lead and continuation bytes. Every match holds a run of eight or more of them.
const fn in_match(byte: u8) -> bool {
    digit(byte) || byte.is_ascii_uppercase() || separator(byte) || byte >= 0x80
}

const SHORTEST: usize = 8; // an IBAN hint's match; a card hint's holds 13

/// `in_match` of every byte value.
const IN_MATCH: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = in_match(byte as u8);
        byte += 1;
    }
    table
};

/// One bit per byte of `data` (bit `n % 64` of word `n / 64`): whether it is an `in_match` byte;
/// the bits past the end are clear. `simd`: with AVX2 where the CPU has it.
fn match_bits(data: &[u8], simd: bool) -> Vec<u64> {
    let mut bits = Vec::with_capacity(data.len() / 64 + 2);
    let whole = data.len() / 64 * 64;
    #[cfg(target_arch = "x86_64")]
    {
        if simd && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is there; the words read lie within `data[..whole]`.
            unsafe { avx2_words(&data[..whole], &mut bits) };
        }
    }
    for chunk in data[bits.len() * 64..].chunks(64) {
        let mut word = 0u64;
        for (n, &byte) in chunk.iter().enumerate() {
            word |= u64::from(IN_MATCH[usize::from(byte)]) << n;
        }
        bits.push(word);
    }
    bits
}

/// `match_bits` of whole 64-byte words, 32 bytes to a compare.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2_words(data: &[u8], bits: &mut Vec<u64>) {
    use std::arch::x86_64::*;
    let byte = |value: u8| _mm256_set1_epi8(value as i8);
    // signed compares: the ASCII ranges are positive, the bytes of 0x80 or more negative
    let (below_0, above_9, below_a, above_z) = (
        byte(b'0' - 1),
        byte(b'9' + 1),
        byte(b'A' - 1),
        byte(b'Z' + 1),
    );
    let (space, hyphen) = (byte(b' '), byte(b'-'));
    let mut halves = [0u64; 2];
    for word in data.chunks_exact(64) {
        for (half, bytes) in halves.iter_mut().zip(word.chunks_exact(32)) {
            let v = _mm256_loadu_si256(bytes.as_ptr() as *const __m256i);
            let digit =
                _mm256_and_si256(_mm256_cmpgt_epi8(v, below_0), _mm256_cmpgt_epi8(above_9, v));
            let capital =
                _mm256_and_si256(_mm256_cmpgt_epi8(v, below_a), _mm256_cmpgt_epi8(above_z, v));
            let gap = _mm256_or_si256(_mm256_cmpeq_epi8(v, space), _mm256_cmpeq_epi8(v, hyphen));
            // a byte of 0x80 or more has its top bit set: `v` itself says so
            let any = _mm256_or_si256(_mm256_or_si256(digit, capital), _mm256_or_si256(gap, v));
            // (black_box: left to itself LLVM rebuilds `any` byte by byte from scalar tests)
            *half = u64::from(_mm256_movemask_epi8(std::hint::black_box(any)) as u32);
        }
        bits.push(halves[0] | (halves[1] << 32));
    }
}

/// The next run of `SHORTEST` or more `in_match` bytes starting at or after `from` (where the
/// byte before `from`, if any, is none), whole: (start, stop).
fn next_match_run(bits: &[u64], len: usize, from: usize) -> Option<(usize, usize)> {
    let mut word = from / 64;
    let mut skip = from % 64;
    let start = loop {
        let low = *bits.get(word)?;
        let pair = u128::from(low) | (u128::from(bits.get(word + 1).copied().unwrap_or(0)) << 64);
        let mut eight = pair & (pair >> 1); // bit n: bytes n..n+2 are in
        eight &= eight >> 2; // n..n+4
        eight &= eight >> 4; // n..n+8
        let starts = (eight as u64) >> skip << skip;
        if starts != 0 {
            break word * 64 + starts.trailing_zeros() as usize;
        }
        word += 1;
        skip = 0;
    };
    let mut stop = start + SHORTEST;
    while stop < len {
        let ones = (bits[stop / 64] >> (stop % 64)).trailing_ones() as usize;
        stop += ones;
        if ones == 0 || !stop.is_multiple_of(64) {
            break;
        }
    }
    Some((start, stop.min(len)))
}

/// Card numbers and IBANs found in newline-separated items (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct DigitsScan {
    cards: bool,
    ibans: bool,
    /// the bytes classified with AVX2 where the CPU has it (false: one at a time, as a CPU
    /// without it does)
    simd: bool,
}

impl DigitsScan {
    /// The first position in `data[start..stop]` (a run of `in_match` bytes) where a hint's
    /// match that counts starts.
    fn hit(&self, data: &[u8], start: usize, stop: usize) -> Option<usize> {
        (start..stop).find(|&at| {
            let byte = data[at];
            (self.ibans && byte.is_ascii_uppercase() && iban_at(data, at))
                || (self.cards
                    && digit(byte)
                    && card_end(data, at).is_some_and(|end| card_in_json(data, end)))
        })
    }
}

#[pymethods]
impl DigitsScan {
    #[new]
    #[pyo3(signature = (cards, ibans, simd=true))]
    fn new(cards: bool, ibans: bool, simd: bool) -> Self {
        DigitsScan { cards, ibans, simd }
    }

    /// Indexes, in order, of the newline-separated items of `data` a hint matches in;
    /// `newlines`, where the caller knows them, are the offsets of every newline in `data`.
    #[pyo3(signature = (data, newlines=None))]
    fn matching(&self, data: &Bound<'_, PyBytes>, newlines: Option<Vec<usize>>) -> Vec<usize> {
        let data = data.as_bytes();
        let ends =
            newlines.unwrap_or_else(|| (0..data.len()).filter(|&n| data[n] == b'\n').collect());
        let mut found = Vec::new();
        let mut item = 0;
        let bits = match_bits(data, self.simd);
        // No run of `in_match` bytes starts before `at` (the byte before it is none).
        let mut at = 0;
        while let Some((start, stop)) = next_match_run(&bits, data.len(), at) {
            at = stop + 1;
            let Some(hit) = self.hit(data, start, stop) else {
                continue;
            };
            while item < ends.len() && ends[item] < hit {
                item += 1;
            }
            found.push(item);
            match ends.get(item) {
                Some(&newline) => at = at.max(newline + 1),
                None => break,
            }
        }
        found
    }
}
