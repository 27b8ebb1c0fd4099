//! `MmdbTree`: the search tree of a MaxMind-format database, walked for an address.
//!
//! `find(number, bits)` returns the record value the address ends at (a data pointer, or the
//! node count where the database has no data for it) and the prefix length of its network, as
//! `maxminddb`'s `get_with_prefix_len` counts it; the geoip stage keys decoded records by that
//! value, so addresses of one record are decoded once. The database's bytes come from a Python
//! buffer (an `mmap` of the file), held for the tree's life.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

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
}

impl MmdbTree {
    fn bytes(&self) -> &[u8] {
        // The buffer stays exported (read-only, contiguous: checked in `new`) while `self` lives.
        unsafe {
            std::slice::from_raw_parts(self.buffer.buf_ptr() as *const u8, self.buffer.len_bytes())
        }
    }

    /// The left (`bit` 0) or right record of `node`; None past the end of the bytes.
    fn record(&self, data: &[u8], node: u64, bit: u64) -> Option<u64> {
        let size = (self.record_size / 4) as usize; // bytes per node: 6, 7 or 8
        let base = (node as usize).checked_mul(size)?;
        let b = data.get(base..base + size)?;
        let be = |s: &[u8]| s.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        Some(match (self.record_size, bit) {
            (24, 0) => be(&b[0..3]),
            (24, _) => be(&b[3..6]),
            (28, 0) => (u64::from(b[3] & 0xF0) << 20) | be(&b[0..3]),
            (28, _) => (u64::from(b[3] & 0x0F) << 24) | be(&b[4..7]),
            (_, 0) => be(&b[0..4]),
            (_, _) => be(&b[4..8]),
        })
    }
}

#[pymethods]
impl MmdbTree {
    #[new]
    fn new(
        buffer: PyBuffer<u8>,
        node_count: u64,
        record_size: u32,
        ip_version: u32,
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
        };
        if ip_version == 4 {
            tree.ipv4_start = Some(0);
        } else {
            let data = tree.bytes();
            let mut node = 0u64;
            let mut depth = 0;
            while depth < 96 && node < node_count {
                node = match tree.record(data, node, 0) {
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
    fn find(&self, number: u128, bits: u32) -> Option<(u64, u32)> {
        let mut node = match (bits, self.ip_version) {
            (32, _) => self.ipv4_start?,
            (128, 6) => 0,
            _ => return None,
        };
        let data = self.bytes();
        let mut depth = 0;
        while depth < bits && node < self.node_count {
            let bit = ((number >> (bits - 1 - depth)) & 1) as u64;
            node = self.record(data, node, bit)?;
            depth += 1;
        }
        (node >= self.node_count).then_some((node, depth))
    }
}
