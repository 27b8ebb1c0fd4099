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

use crate::generations::Generations;
use crate::mmdb::MmdbTree;
use crate::reads::{ascii, get, left_over};
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
    cache: Generations,
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
    converted: Generations,
    /// the stage's conversion of a decoded record
    convert: PyObject,
}

/// What looking up a new IPv4 address takes: the City and ASN databases' records (None: not
/// configured), the stage's network entries and the special-purpose blocks.
struct Misses {
    city: Option<Records>,
    asn: Option<Records>,
    networks: Generations,
    /// (first, last) address of each special-purpose block, by first address
    special: Vec<(u32, u32)>,
}

/// A database's part of `GeoCommon`'s constructor: tree, converted records (a `Generations`),
/// the conversion.
type RecordsArgs<'py> = (Py<MmdbTree>, Bound<'py, PyAny>, PyObject);
/// `GeoCommon`'s `misses` argument: city, ASN, network entries (a `Generations`), special blocks.
type MissesArgs<'py> = (
    Option<RecordsArgs<'py>>,
    Option<RecordsArgs<'py>>,
    Bound<'py, PyAny>,
    Vec<(u32, u32)>,
);

/// What one event needs.
enum Plan<'py> {
    Nothing,
    Python,
    /// the cached result for the address found, the target there now (None: make one)
    Write(Bound<'py, PyAny>, *mut ffi::PyObject),
}

#[pymethods]
impl GeoCommon {
    #[new]
    #[pyo3(signature = (paths, target, cache, skip, misses=None))]
    fn new(
        py: Python<'_>,
        paths: Vec<Vec<String>>,
        target: String,
        cache: &Bound<'_, PyAny>,
        skip: PyObject,
        misses: Option<MissesArgs<'_>>,
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
            cache: Generations::of(cache)?,
            skip,
            ip: key("ip"),
            geo: key("geo"),
            location: key("location"),
            lat: key("lat"),
            lon: key("lon"),
            misses: match misses {
                None => None,
                Some((city, asn, networks, mut special)) => {
                    let records = |args: Option<RecordsArgs<'_>>| -> PyResult<Option<Records>> {
                        let Some((tree, converted, convert)) = args else {
                            return Ok(None);
                        };
                        Ok(Some(Records {
                            tree,
                            converted: Generations::of(&converted)?,
                            convert,
                        }))
                    };
                    special.sort_unstable();
                    Some(Misses {
                        city: records(city)?,
                        asn: records(asn)?,
                        networks: Generations::of(&networks)?,
                        special,
                    })
                }
            },
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
    unsafe fn plan<'py>(
        &self,
        py: Python<'py>,
        event: *mut ffi::PyObject,
    ) -> PyResult<Plan<'py>> {
        let Some(raw) = self.source(py, event)? else {
            return Ok(Plan::Python);
        };
        if raw.is_null() {
            return Ok(Plan::Nothing);
        }
        let raw = Bound::from_borrowed_ptr(py, raw);
        let found = match self.cache.get(py, &raw)? {
            Some(found) => found,
            None => match self.look_up(py, &raw)? {
                Some(found) => found,
                None => return Ok(Plan::Python),
            },
        };
        if ffi::PyTuple_CheckExact(found.as_ptr()) == 0 {
            return Ok(Plan::Python); // not an address
        }
        let size = ffi::PyTuple_GET_SIZE(found.as_ptr());
        let item = |n| ffi::PyTuple_GET_ITEM(found.as_ptr(), n);
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

    /// A new address's result as the stage's `_lookup` makes it, put in its cache; None where
    /// Python must look it up.
    unsafe fn look_up<'py>(
        &self,
        py: Python<'py>,
        raw: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(misses) = &self.misses else {
            return Ok(None);
        };
        let Some(number) = ascii(raw.as_ptr()).and_then(|text| public_ipv4(text, &misses.special))
        else {
            return Ok(None);
        };
        let Some(found) = misses.records(py, number)? else {
            return Ok(None);
        };
        let mut items = vec![raw.clone()];
        items.extend(found.iter());
        let entry = PyTuple::new(py, items)?.into_any();
        self.cache.put(py, raw, &entry)?;
        Ok(Some(entry))
    }
}

impl Misses {
    /// `_records(raw, 32, number)`: (geo fields, (lat, lon) or None, AS items) from the
    /// network's entry, else from each database's converted record, kept for the widest
    /// network level both records span; None where Python must read a database.
    fn records<'py>(&self, py: Python<'py>, number: u32) -> PyResult<Option<Bound<'py, PyTuple>>> {
        for level in LEVELS {
            if let Some(known) = self.networks.get(py, &network_key(py, level, number)?)? {
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
            self.networks.put(py, &key, &found)?;
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
        let place_key = place.into_pyobject(py)?.into_any();
        if let Some(known) = self.converted.get(py, &place_key)? {
            return Ok(Some((known, prefix)));
        }
        let Ok(record) = tree.record(py, place) else {
            return Ok(None);
        };
        let Ok(known) = self.convert.bind(py).call1((record,)) else {
            return Ok(None);
        };
        self.converted.put(py, &place_key, &known)?;
        Ok(Some((known, prefix)))
    }
}

/// `(32, level, number >> (32 - level))`: an IPv4 network's key in the stage's entries.
fn network_key(py: Python<'_>, level: u32, number: u32) -> PyResult<Bound<'_, PyAny>> {
    Ok((32u32, level, number >> (32 - level))
        .into_pyobject(py)?
        .into_any())
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
