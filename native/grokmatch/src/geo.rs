//! `GeoCommon`: the geoip stage's common case over a batch, with no Python per event.
//!
//! An event whose first source field holds a plain address text the stage has already looked
//! up (its cache holds the result) gets here what the stage's Python writes: the target's `ip`,
//! a copy of the network's `geo` fields and its `location`. An event with no source has nothing
//! to do. An address not looked up yet is looked up here as the stage's `_lookup` does when it is
//! a public IPv4 address in its own canonical text and each database's search tree finds it
//! (`Misses`): the network's entry, else each database's converted record (converted by the
//! stage's own function where none is kept yet), put in the stage's caches as the Python puts
//! them. Every other event (a source that is a list, another type, has a comma or blanks to cut,
//! another kind of address, AS fields to write, a target or `geo` that is not a plain object) is
//! left to the stage's Python, which is exact.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::mmdb::MmdbTree;
use crate::reads::{ascii, get, get_item, left_over};
use crate::stamps::python_space;

/// The network levels an IPv4 result is kept for, narrowest first (`_NETWORK_LEVELS[32]`).
const LEVELS: [u32; 2] = [24, 16];

/// The geoip stage's common case (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct GeoCommon {
    /// the source fields' paths, in order
    paths: Vec<Vec<Py<PyString>>>,
    target: Py<PyString>,
    /// raw address -> what the stage's `_find` returned
    cache: Py<PyDict>,
    /// the stage's marker of an address with nothing to look up
    skip: PyObject,
    ip: Py<PyString>,
    geo: Py<PyString>,
    location: Py<PyString>,
    lat: Py<PyString>,
    lon: Py<PyString>,
    /// how new addresses are looked up here; None: only in Python
    misses: Option<Misses>,
}

/// One database's search tree and the stage's records converted from it so far.
struct Records {
    tree: Py<MmdbTree>,
    /// record value in the tree -> the stage's conversion of that record
    converted: Py<PyDict>,
    /// how many converted records are kept before the dict starts afresh
    kept: usize,
    /// the stage's conversion of a decoded record
    convert: PyObject,
}

/// What looking up a new IPv4 address takes: the City and ASN databases' records (None: not
/// configured), the stage's network entries, its cache size and the special-purpose blocks.
struct Misses {
    city: Option<Records>,
    asn: Option<Records>,
    networks: Py<PyDict>,
    cache_size: usize,
    /// (first, last) address of each special-purpose block, by first address
    special: Vec<(u32, u32)>,
}

/// A database's part of `GeoCommon`'s constructor: tree, converted records, how many are kept,
/// the conversion.
type RecordsArgs = (Py<MmdbTree>, Py<PyDict>, usize, PyObject);
/// `GeoCommon`'s `misses` argument: city, ASN, network entries, cache size, special blocks.
type MissesArgs = (
    Option<RecordsArgs>,
    Option<RecordsArgs>,
    Py<PyDict>,
    usize,
    Vec<(u32, u32)>,
);

/// What one event needs.
enum Plan {
    Nothing,
    Python,
    /// the address found, the cached result, the target there now (None: make one)
    Write(*mut ffi::PyObject, *mut ffi::PyObject),
}

#[pymethods]
impl GeoCommon {
    #[new]
    #[pyo3(signature = (paths, target, cache, skip, misses=None))]
    fn new(
        py: Python<'_>,
        paths: Vec<Vec<String>>,
        target: String,
        cache: Py<PyDict>,
        skip: PyObject,
        misses: Option<MissesArgs>,
    ) -> PyResult<Self> {
        if paths.is_empty() || paths.iter().any(Vec::is_empty) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "non-empty source paths",
            ));
        }
        let key = |name: &str| PyString::intern(py, name).unbind();
        Ok(GeoCommon {
            paths: paths
                .iter()
                .map(|path| path.iter().map(|part| key(part)).collect())
                .collect(),
            target: key(&target),
            cache,
            skip,
            ip: key("ip"),
            geo: key("geo"),
            location: key("location"),
            lat: key("lat"),
            lon: key("lon"),
            misses: misses.map(|(city, asn, networks, cache_size, mut special)| {
                let records = |(tree, converted, kept, convert): RecordsArgs| Records {
                    tree,
                    converted,
                    kept,
                    convert,
                };
                special.sort_unstable();
                Misses {
                    city: city.map(records),
                    asn: asn.map(records),
                    networks,
                    cache_size,
                    special,
                }
            }),
        })
    }

    /// Finish the events of `events` this module can; the others, in order, for Python.
    fn run<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyList>> {
        left_over(events, |event| self.one(py, event))
    }
}

/// `dict[key] = value`.
unsafe fn set(
    py: Python<'_>,
    dict: *mut ffi::PyObject,
    key: &Py<PyString>,
    value: *mut ffi::PyObject,
) -> PyResult<()> {
    if ffi::PyDict_SetItem(dict, key.as_ptr(), value) < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(())
}

/// A new reference, or the error that made none.
unsafe fn made(py: Python<'_>, object: *mut ffi::PyObject) -> PyResult<Bound<'_, PyAny>> {
    if object.is_null() {
        return Err(PyErr::fetch(py));
    }
    Ok(Bound::from_owned_ptr(py, object))
}

impl GeoCommon {
    /// One event: whether it is finished here.
    fn one(&self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<bool> {
        let event = event.as_ptr();
        unsafe {
            if ffi::PyDict_CheckExact(event) == 0 {
                return Ok(false);
            }
            let (found, target) = match self.plan(py, event)? {
                Plan::Nothing => return Ok(true),
                Plan::Python => return Ok(false),
                Plan::Write(found, target) => (found, target),
            };
            // held while written: replacing values below runs no Python code, but be sure
            let found = Bound::from_borrowed_ptr(py, found);
            let target = if target.is_null() {
                let fresh = made(py, ffi::PyDict_New())?;
                set(py, event, &self.target, fresh.as_ptr())?;
                fresh
            } else {
                Bound::from_borrowed_ptr(py, target)
            };
            let item = |n| ffi::PyTuple_GET_ITEM(found.as_ptr(), n);
            set(py, target.as_ptr(), &self.ip, item(0))?;
            if ffi::PyTuple_GET_SIZE(found.as_ptr()) == 2 {
                return Ok(true); // an address with nothing to look up
            }
            let (fields, latlon) = (item(1), item(2));
            let geo = match get(py, target.as_ptr(), &self.geo)? {
                Some(geo) if geo != ffi::Py_None() => {
                    let geo = Bound::from_borrowed_ptr(py, geo);
                    if ffi::PyDict_Update(geo.as_ptr(), fields) < 0 {
                        return Err(PyErr::fetch(py));
                    }
                    geo
                }
                _ => {
                    let copy = made(py, ffi::PyDict_Copy(fields))?;
                    set(py, target.as_ptr(), &self.geo, copy.as_ptr())?;
                    copy
                }
            };
            if latlon != ffi::Py_None() {
                let location = made(py, ffi::PyDict_New())?;
                set(
                    py,
                    location.as_ptr(),
                    &self.lat,
                    ffi::PyTuple_GET_ITEM(latlon, 0),
                )?;
                set(
                    py,
                    location.as_ptr(),
                    &self.lon,
                    ffi::PyTuple_GET_ITEM(latlon, 1),
                )?;
                set(py, geo.as_ptr(), &self.location, location.as_ptr())?;
            }
            Ok(true)
        }
    }

    /// What an event needs, found before anything is written.
    unsafe fn plan(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<Plan> {
        let Some(raw) = self.source(py, event)? else {
            return Ok(Plan::Python);
        };
        if raw.is_null() {
            return Ok(Plan::Nothing);
        }
        let found = match get_item(py, self.cache.as_ptr(), raw)? {
            Some(found) => found,
            None => match self.look_up(py, raw)? {
                Some(found) => found,
                None => return Ok(Plan::Python),
            },
        };
        if ffi::PyTuple_CheckExact(found) == 0 {
            return Ok(Plan::Python); // not an address
        }
        let size = ffi::PyTuple_GET_SIZE(found);
        let item = |n| ffi::PyTuple_GET_ITEM(found, n);
        match size {
            2 if item(1) == self.skip.as_ptr() => {}
            4 => {
                let (fields, latlon, as_items) = (item(1), item(2), item(3));
                let latlon_ok = latlon == ffi::Py_None()
                    || (ffi::PyTuple_CheckExact(latlon) != 0 && ffi::PyTuple_GET_SIZE(latlon) == 2);
                let no_as =
                    ffi::PyTuple_CheckExact(as_items) != 0 && ffi::PyTuple_GET_SIZE(as_items) == 0;
                if ffi::PyDict_CheckExact(fields) == 0 || !latlon_ok || !no_as {
                    return Ok(Plan::Python);
                }
                if ffi::PyDict_Size(fields) == 0 && latlon == ffi::Py_None() {
                    return Ok(Plan::Python); // nothing found: tagged there
                }
            }
            _ => return Ok(Plan::Python),
        }
        let target = match get(py, event, &self.target)? {
            None => std::ptr::null_mut(),
            Some(target) if target == ffi::Py_None() => std::ptr::null_mut(),
            Some(target) if ffi::PyDict_CheckExact(target) != 0 => target,
            Some(_) => return Ok(Plan::Python),
        };
        if size == 4 && !target.is_null() {
            if let Some(geo) = get(py, target, &self.geo)? {
                if geo != ffi::Py_None() && ffi::PyDict_CheckExact(geo) == 0 {
                    return Ok(Plan::Python);
                }
            }
        }
        Ok(Plan::Write(found, target))
    }

    /// The address text of the first source holding one: Some(null) when none does, None when
    /// Python must read it (a list, another type, a comma, blanks to strip, not ASCII).
    unsafe fn source(
        &self,
        py: Python<'_>,
        event: *mut ffi::PyObject,
    ) -> PyResult<Option<*mut ffi::PyObject>> {
        'paths: for path in &self.paths {
            let mut node = event;
            for (depth, part) in path.iter().enumerate() {
                if depth > 0 && ffi::PyDict_CheckExact(node) == 0 {
                    continue 'paths;
                }
                match get(py, node, part)? {
                    Some(value) => node = value,
                    None => continue 'paths,
                }
            }
            if node == ffi::Py_None() {
                continue;
            }
            let Some(text) = ascii(node) else {
                return Ok(None);
            };
            if text.contains(&b',') {
                return Ok(None);
            }
            match text {
                [] | [b'-'] => continue,
                [first, .., last] if python_space(*first) || python_space(*last) => {
                    return Ok(None)
                }
                [only] if python_space(*only) => return Ok(None),
                _ => return Ok(Some(node)),
            }
        }
        Ok(Some(std::ptr::null_mut()))
    }

    /// A new address's result as the stage's `_lookup` makes it, put in its cache (borrowed
    /// from there); None where Python must look it up.
    unsafe fn look_up(
        &self,
        py: Python<'_>,
        raw: *mut ffi::PyObject,
    ) -> PyResult<Option<*mut ffi::PyObject>> {
        let Some(misses) = &self.misses else {
            return Ok(None);
        };
        let Some(number) = ascii(raw).and_then(|text| public_ipv4(text, &misses.special)) else {
            return Ok(None);
        };
        let Some(found) = misses.records(py, number)? else {
            return Ok(None);
        };
        let raw = Bound::from_borrowed_ptr(py, raw);
        let mut items = vec![raw.clone()];
        items.extend(found.iter());
        let entry = PyTuple::new(py, items)?;
        keep(self.cache.bind(py), &raw, &entry, misses.cache_size)?;
        Ok(Some(entry.as_ptr())) // the cache holds it
    }
}

impl Misses {
    /// `_records(raw, 32, number)`: (geo fields, (lat, lon) or None, AS items) from the
    /// network's entry, else from each database's converted record, kept for the widest
    /// network level both records span; None where Python must read a database.
    fn records<'py>(&self, py: Python<'py>, number: u32) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let networks = self.networks.bind(py);
        for level in LEVELS {
            if let Some(known) = networks.get_item(network_key(py, level, number)?)? {
                return Ok(known.downcast_exact::<PyTuple>().ok().cloned());
            }
        }
        let mut widest = 0;
        let (geo, latlon) = match &self.city {
            None => (PyDict::new(py).into_any(), py.None().into_bound(py)),
            Some(city) => {
                let Some((known, prefix)) = city.read(py, number)? else {
                    return Ok(None);
                };
                widest = widest.max(prefix);
                match known.downcast_exact::<PyTuple>() {
                    Ok(pair) if pair.len() == 2 => (pair.get_item(0)?, pair.get_item(1)?),
                    _ => return Ok(None), // Python says what is wrong with it
                }
            }
        };
        let as_items = match &self.asn {
            None => PyTuple::empty(py).into_any(),
            Some(asn) => {
                let Some((known, prefix)) = asn.read(py, number)? else {
                    return Ok(None);
                };
                widest = widest.max(prefix);
                known
            }
        };
        let found = PyTuple::new(py, [geo, latlon, as_items])?;
        if let Some(level) = LEVELS.into_iter().rev().find(|&level| widest <= level) {
            let key = network_key(py, level, number)?;
            keep(networks, &key, &found, self.cache_size)?;
        }
        Ok(Some(found))
    }
}

impl Records {
    /// `_Db.read` of an IPv4 address: (the converted record, its network's prefix length),
    /// converted and kept when new; None where the tree cannot say, the record cannot be
    /// decoded or its conversion raises (the Python's reader path decides, or raises).
    fn read<'py>(
        &self,
        py: Python<'py>,
        number: u32,
    ) -> PyResult<Option<(Bound<'py, PyAny>, u32)>> {
        let tree = self.tree.get();
        let Some((place, prefix)) = tree.find(u128::from(number), 32) else {
            return Ok(None);
        };
        let converted = self.converted.bind(py);
        let place_key = place.into_pyobject(py)?;
        if let Some(known) = converted.get_item(&place_key)? {
            return Ok(Some((known, prefix)));
        }
        let Ok(record) = tree.record(py, place) else {
            return Ok(None);
        };
        let Ok(known) = self.convert.bind(py).call1((record,)) else {
            return Ok(None);
        };
        keep(converted, &place_key, &known, self.kept)?;
        Ok(Some((known, prefix)))
    }
}

/// `(32, level, number >> (32 - level))`: an IPv4 network's key in the stage's entries.
fn network_key(py: Python<'_>, level: u32, number: u32) -> PyResult<Bound<'_, PyTuple>> {
    (32u32, level, number >> (32 - level)).into_pyobject(py)
}

/// `dict[key] = value` as the stage's caches keep entries: a full dict starts afresh.
fn keep(
    dict: &Bound<'_, PyDict>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    size: usize,
) -> PyResult<()> {
    if dict.len() >= size {
        dict.clear();
    }
    dict.set_item(key, value)
}

/// The address as a number when `text` is an IPv4 address in strict dotted decimal (four
/// decimals of 0-255 without leading zeros, as `inet_pton` takes them) outside every block of
/// `special`; else None.
fn public_ipv4(text: &[u8], special: &[(u32, u32)]) -> Option<u32> {
    let mut number = 0u32;
    let mut parts = 0;
    for part in text.split(|&byte| byte == b'.') {
        let valid = matches!(part.len(), 1..=3)
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0');
        if !valid || parts == 4 {
            return None;
        }
        let octet = part
            .iter()
            .fold(0u32, |acc, &digit| acc * 10 + u32::from(digit - b'0'));
        if octet > 255 {
            return None;
        }
        number = (number << 8) | octet;
        parts += 1;
    }
    if parts != 4 {
        return None;
    }
    let block = special.partition_point(|&(first, _)| first <= number);
    let held = block > 0 && number <= special[block - 1].1;
    (!held).then_some(number)
}
