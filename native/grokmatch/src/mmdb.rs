//! `MmdbTree`: the search tree of a MaxMind-format database, walked for an address, and its
//! records decoded.
//!
//! `find(number, bits)` returns the record value the address ends at (a data pointer, or the
//! node count where the database has no data for it) and the prefix length of its network, as
//! `maxminddb`'s `get_with_prefix_len` counts it; the geoip stage keys decoded records by that
//! value, so addresses of one record are decoded once. `record(value)` decodes the record a
//! value points to into the Python objects `maxminddb` makes, so the reader's own mapping of the
//! file is left untouched and its pages are not resident twice; given `names` (languages), each
//! `names` map keeps only those languages, the others' texts skipped unread. The database's bytes
//! come from a Python buffer (an `mmap` of the file), held for the tree's life.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PyString};

/// How deep maps, arrays and pointers may nest in one record (a hostile file's loops stop).
const MAX_DEPTH: u32 = 64;

/// Big-endian unsigned integer of up to 16 bytes.
fn big_endian(bytes: &[u8]) -> u128 {
    bytes
        .iter()
        .fold(0u128, |acc, &x| (acc << 8) | u128::from(x))
}

/// A database's search tree over the bytes of its file.
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct MmdbTree {
    buffer: PyBuffer<u8>,
    node_count: u64,
    record_size: u32,
    ip_version: u32,
    /// Where IPv4 addresses start in an IPv6 tree (after 96 zero bits); None when the tree
    /// ends before that depth (then IPv4 lookups go the database reader's way).
    ipv4_start: Option<u64>,
    /// The languages a record's `names` maps keep (None: all of them).
    names: Option<Vec<String>>,
}

impl MmdbTree {
    fn bytes(&self) -> &[u8] {
        // The buffer stays exported (read-only, contiguous: checked in `new`) while `self` lives.
        unsafe {
            std::slice::from_raw_parts(self.buffer.buf_ptr() as *const u8, self.buffer.len_bytes())
        }
    }

    /// The left (`bit` 0) or right record of `node`; None past the end of the bytes.
    fn child(&self, data: &[u8], node: u64, bit: u64) -> Option<u64> {
        let size = (self.record_size / 4) as usize; // bytes per node: 6, 7 or 8
        let base = (node as usize).checked_mul(size)?;
        let b = data.get(base..base + size)?;
        let be = |s: &[u8]| big_endian(s) as u64;
        Some(match (self.record_size, bit) {
            (24, 0) => be(&b[0..3]),
            (24, _) => be(&b[3..6]),
            (28, 0) => (u64::from(b[3] & 0xF0) << 20) | be(&b[0..3]),
            (28, _) => (u64::from(b[3] & 0x0F) << 24) | be(&b[4..7]),
            (_, 0) => be(&b[0..4]),
            (_, _) => be(&b[4..8]),
        })
    }

    /// Where the data section starts: after the tree and its 16-byte separator.
    fn data_start(&self) -> Option<usize> {
        let tree = (self.node_count as usize).checked_mul((self.record_size / 4) as usize)?;
        tree.checked_add(16)
    }
}

fn broken(what: &str, at: usize) -> PyErr {
    PyValueError::new_err(format!(
        "the database's data section is broken at byte {at}: {what}"
    ))
}

/// A reader of the data section, one field after another from `at`.
struct Decoder<'a> {
    data: &'a [u8],
    start: usize,
    /// the languages `names` maps keep (None: all)
    names: Option<&'a [String]>,
}

/// A field's header: a pointer (where it points, where the next field starts) or a value (its
/// type, its size, where its payload starts).
enum Head {
    Pointer(usize, usize),
    Value(u16, usize, usize),
}

impl Decoder<'_> {
    fn bytes(&self, at: usize, count: usize) -> PyResult<&[u8]> {
        at.checked_add(count)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| broken("a field runs past the end of the file", at))
    }

    fn uint(&self, at: usize, count: usize) -> PyResult<u128> {
        Ok(big_endian(self.bytes(at, count)?))
    }

    /// The header of the field at `at`.
    fn head(&self, at: usize) -> PyResult<Head> {
        let control = self.bytes(at, 1)?[0];
        let mut next = at + 1;
        let mut kind = u16::from(control >> 5);
        if kind == 1 {
            let vvv = usize::from(control & 0x7);
            let size = usize::from((control >> 3) & 0x3) + 1;
            let raw = self.uint(next, size)? as usize;
            let pointer = match size {
                1 => (vvv << 8) | raw,
                2 => ((vvv << 16) | raw) + 2048,
                3 => ((vvv << 24) | raw) + 526_336,
                _ => raw,
            };
            let target = self
                .start
                .checked_add(pointer)
                .ok_or_else(|| broken("a pointer past the end of the file", at))?;
            return Ok(Head::Pointer(target, next + size));
        }
        if kind == 0 {
            kind = 7 + u16::from(self.bytes(next, 1)?[0]); // no overflow: a u16
            next += 1;
        }
        let mut size = usize::from(control & 0x1f);
        if size >= 29 {
            let extra = size - 28;
            let raw = self.uint(next, extra)? as usize;
            size = [29, 285, 65_821][extra - 1] + raw;
            next += extra;
        }
        Ok(Head::Value(kind, size, next))
    }

    /// The text of the map key at `at` (behind a pointer or not), and where the field after it
    /// starts; no Python object is made for it.
    fn key(&self, at: usize, depth: u32) -> PyResult<(&str, usize)> {
        if depth > MAX_DEPTH {
            return Err(broken("fields nest too deep", at));
        }
        let (place, next) = match self.head(at)? {
            Head::Pointer(target, next) => (target, Some(next)),
            Head::Value(..) => (at, None),
        };
        match self.head(place)? {
            Head::Value(2, size, start) => {
                Ok((self.text(start, size)?, next.unwrap_or(start + size)))
            }
            Head::Pointer(..) => self
                .key(place, depth + 1)
                .map(|(text, end)| (text, next.unwrap_or(end))),
            Head::Value(..) => Err(broken("a map key that is not a string", at)),
        }
    }

    /// The UTF-8 string of `size` bytes at `at`.
    fn text(&self, at: usize, size: usize) -> PyResult<&str> {
        std::str::from_utf8(self.bytes(at, size)?)
            .map_err(|_| broken("a string that is not UTF-8", at))
    }

    /// Where the field after the one at `at` starts, the field itself not made into an object
    /// where it is a pointer or a string (a `names` entry of a language not kept).
    fn skip(&self, py: Python<'_>, at: usize, depth: u32) -> PyResult<usize> {
        match self.head(at)? {
            Head::Pointer(_, next) => Ok(next),
            Head::Value(2, size, next) => Ok(next + self.bytes(next, size)?.len()),
            Head::Value(..) => Ok(self.field(py, at, depth, false)?.1),
        }
    }

    /// The field at `at` as a Python object, and where the next field starts; `in_names`: it is
    /// a `names` map's value (only the languages kept are made).
    fn field(
        &self,
        py: Python<'_>,
        at: usize,
        depth: u32,
        in_names: bool,
    ) -> PyResult<(PyObject, usize)> {
        if depth > MAX_DEPTH {
            return Err(broken("fields nest too deep", at));
        }
        let (kind, size, mut next) = match self.head(at)? {
            Head::Pointer(target, next) => {
                let (value, _) = self.field(py, target, depth + 1, in_names)?;
                return Ok((value, next));
            }
            Head::Value(kind, size, next) => (kind, size, next),
        };
        let value: PyObject = match kind {
            2 => {
                let text = self.text(next, size)?;
                next += size;
                PyString::new(py, text).into_any().unbind()
            }
            3 | 15 => {
                let float = match (kind, size) {
                    (3, 8) => f64::from_bits(self.uint(next, 8)? as u64),
                    (15, 4) => f64::from(f32::from_bits(self.uint(next, 4)? as u32)),
                    _ => return Err(broken("a float of the wrong size", at)),
                };
                next += size;
                float.into_pyobject(py)?.into_any().unbind()
            }
            4 => {
                let raw = self.bytes(next, size)?;
                next += size;
                PyByteArray::new(py, raw).into_any().unbind()
            }
            5 | 6 | 9 | 10 => {
                let limit = match kind {
                    5 => 2,
                    6 => 4,
                    9 => 8,
                    _ => 16,
                };
                if size > limit {
                    return Err(broken("an unsigned integer too long for its type", at));
                }
                let number = self.uint(next, size)?;
                next += size;
                number.into_pyobject(py)?.into_any().unbind()
            }
            8 => {
                if size > 4 {
                    return Err(broken("a 32-bit integer longer than 4 bytes", at));
                }
                let number = self.uint(next, size)? as u32 as i32;
                next += size;
                number.into_pyobject(py)?.into_any().unbind()
            }
            7 => {
                let map = PyDict::new(py);
                let kept = self.names.filter(|_| in_names);
                for _ in 0..size {
                    let (name, after) = self.key(next, depth + 1)?;
                    if kept.is_some_and(|kept| !kept.iter().any(|k| k == name)) {
                        next = self.skip(py, after, depth + 1)?;
                        continue;
                    }
                    let (value, after) = self.field(py, after, depth + 1, name == "names")?;
                    map.set_item(PyString::new(py, name), value)?;
                    next = after;
                }
                map.into_any().unbind()
            }
            11 => {
                let list = PyList::empty(py);
                for _ in 0..size {
                    let (value, after) = self.field(py, next, depth + 1, false)?;
                    list.append(value)?;
                    next = after;
                }
                list.into_any().unbind()
            }
            14 => match size {
                0 | 1 => (size == 1)
                    .into_pyobject(py)?
                    .to_owned()
                    .into_any()
                    .unbind(),
                _ => return Err(broken("a boolean that is neither 0 nor 1", at)),
            },
            _ => return Err(broken("a field of unknown type", at)),
        };
        Ok((value, next))
    }
}

#[pymethods]
impl MmdbTree {
    #[new]
    #[pyo3(signature = (buffer, node_count, record_size, ip_version, names=None))]
    fn new(
        buffer: PyBuffer<u8>,
        node_count: u64,
        record_size: u32,
        ip_version: u32,
        names: Option<Vec<String>>,
    ) -> PyResult<Self> {
        if !buffer.is_c_contiguous() {
            return Err(PyValueError::new_err(
                "the database's bytes must be one contiguous buffer",
            ));
        }
        if !matches!(record_size, 24 | 28 | 32) || !matches!(ip_version, 4 | 6) {
            return Err(PyValueError::new_err(format!(
                "unsupported search tree: record size {record_size}, IP version {ip_version}"
            )));
        }
        let mut tree = MmdbTree {
            buffer,
            node_count,
            record_size,
            ip_version,
            ipv4_start: None,
            names,
        };
        if ip_version == 4 {
            tree.ipv4_start = Some(0);
        } else {
            let data = tree.bytes();
            let mut node = 0u64;
            let mut depth = 0;
            while depth < 96 && node < node_count {
                node = match tree.child(data, node, 0) {
                    Some(next) => next,
                    None => return Err(PyValueError::new_err("the search tree is cut short")),
                };
                depth += 1;
            }
            let start = (depth == 96 && node < node_count).then_some(node);
            tree.ipv4_start = start;
        }
        Ok(tree)
    }

    /// (record value, prefix length) of the address `number` of `bits` bits (32 or 128), or
    /// None where the tree cannot say (an IPv6 address in an IPv4 tree, a short IPv4 subtree,
    /// a broken tree): the database reader then decides.
    pub(crate) fn find(&self, number: u128, bits: u32) -> Option<(u64, u32)> {
        let mut node = match (bits, self.ip_version) {
            (32, _) => self.ipv4_start?,
            (128, 6) => 0,
            _ => return None,
        };
        let data = self.bytes();
        let mut depth = 0;
        while depth < bits && node < self.node_count {
            let bit = ((number >> (bits - 1 - depth)) & 1) as u64;
            node = self.child(data, node, bit)?;
            depth += 1;
        }
        (node >= self.node_count).then_some((node, depth))
    }

    /// The record a value `find` returned points to, as `maxminddb` decodes it (None for the
    /// node count: no data there). Raises ValueError where the file is broken.
    pub(crate) fn record(&self, py: Python<'_>, value: u64) -> PyResult<PyObject> {
        if value <= self.node_count {
            return match value == self.node_count {
                true => Ok(py.None()),
                false => Err(PyValueError::new_err("not a record value of this tree")),
            };
        }
        let start = self
            .data_start()
            .ok_or_else(|| PyValueError::new_err("the search tree is too large"))?;
        // a record value counts from the tree's end, the 16-byte separator included
        let at = (value - self.node_count)
            .checked_sub(16)
            .and_then(|offset| start.checked_add(offset as usize))
            .ok_or_else(|| broken("a record value outside the data section", 0))?;
        let decoder = Decoder {
            data: self.bytes(),
            start,
            names: self.names.as_deref(),
        };
        Ok(decoder.field(py, at, 0, false)?.0)
    }
}
