//! `GeoCommon`: the geoip stage's common case over a batch, with no Python per event.
//!
//! An event whose first source field holds a plain address text the stage has already looked
//! up (its cache holds the result) gets here what the stage's Python writes: the target's `ip`,
//! a copy of the network's `geo` fields and its `location`. An event with no source has nothing
//! to do. Every other event (a source that is a list, another type, has a comma or blanks to
//! cut, an address not cached yet or not valid, AS fields to write, a target or `geo` that is
//! not a plain object) is left to the stage's Python, which is exact.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::reads::{ascii, get, get_item, left_over};
use crate::stamps::python_space;

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
}

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
    fn new(
        py: Python<'_>,
        paths: Vec<Vec<String>>,
        target: String,
        cache: Py<PyDict>,
        skip: PyObject,
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
        let Some(found) = get_item(py, self.cache.as_ptr(), raw)? else {
            return Ok(Plan::Python); // not looked up yet
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
}
