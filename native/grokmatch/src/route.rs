//! `RouteCommon`: the route stage's common case, an event no earlier stage gave families.
//!
//! The same decisions as the generated `route` of `stages/route.py`, in its order: the base
//! family at once when none of the deciding root keys is present, else errors by a level text
//! the stage's memo knows or a present `error`, security by a tag, performance by the first
//! numeric duration. Anything else (families already set, a level spelling not yet learnt, a
//! value that is not a plain str, list, dict or number) is routed in its place by the
//! generated Python, so events that share a node are routed in the same order.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PyString};

use crate::reads::{get, has_any, in_place, interned_path, plain_metadata, read_path, truth};

/// What the route decides for one event, or that the Python must.
enum Verdict {
    Families(Vec<usize>),
    Unsure,
}

/// A duration field: its path and what one unit is in milliseconds.
struct Duration {
    parts: Vec<Py<PyString>>,
    to_ms: f64,
}

/// `RouteCommon(names, roots, level_paths, memo, tags, durations, slow_ms, python)`;
/// `run(events)` routes each event, those it is unsure of by `python([event])`.
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct RouteCommon {
    /// logs, errors, security, performance; None where a family is off.
    names: Vec<Option<Py<PyString>>>,
    roots: Vec<Py<PyString>>,
    levels: Vec<Vec<Py<PyString>>>,
    memo: Py<PyDict>,
    tags: Py<PyFrozenSet>,
    durations: Vec<Duration>,
    slow_ms: f64,
    python: PyObject,
    metadata: Py<PyString>,
    families: Py<PyString>,
    error: Py<PyString>,
    tags_key: Py<PyString>,
}

const LOGS: usize = 0;
const ERRORS: usize = 1;
const SECURITY: usize = 2;
const PERFORMANCE: usize = 3;

/// Some(true) where a value is not in `(None, "", [], {})`, Some(false) where it is, None
/// where `==` on it is its class's own.
unsafe fn filled(value: *mut ffi::PyObject) -> Option<bool> {
    if value == ffi::Py_None() {
        Some(false)
    } else if ffi::PyUnicode_CheckExact(value) != 0 {
        Some(ffi::PyUnicode_GET_LENGTH(value) > 0)
    } else if ffi::PyList_CheckExact(value) != 0 {
        Some(ffi::PyList_GET_SIZE(value) > 0)
    } else if ffi::PyDict_CheckExact(value) != 0 {
        Some(ffi::PyDict_Size(value) > 0)
    } else if ffi::PyLong_CheckExact(value) != 0
        || ffi::PyFloat_CheckExact(value) != 0
        || ffi::PyBool_Check(value) != 0
    {
        Some(true)
    } else {
        None
    }
}

/// `_error_present(error)` for a present, non-None `error`, or None where unsure.
unsafe fn error_present(error: *mut ffi::PyObject) -> Option<bool> {
    if ffi::PyDict_CheckExact(error) != 0 {
        let (mut position, mut key, mut value) = (0, std::ptr::null_mut(), std::ptr::null_mut());
        while ffi::PyDict_Next(error, &mut position, &mut key, &mut value) != 0 {
            if filled(value)? {
                return Some(true);
            }
        }
        return Some(false);
    }
    if ffi::PyUnicode_CheckExact(error) != 0 {
        return Some(ffi::PyUnicode_GET_LENGTH(error) > 0);
    }
    if ffi::PyDict_Check(error) != 0 || ffi::PyUnicode_Check(error) != 0 {
        return None; // a subclass: its own methods
    }
    Some(false)
}

impl RouteCommon {
    /// Whether a str `tag` is one of the security tags.
    unsafe fn security_tag(&self, py: Python<'_>, tag: *mut ffi::PyObject) -> PyResult<bool> {
        truth(py, ffi::PySet_Contains(self.tags.as_ptr(), tag))
    }

    /// `tagged(tags)`, or None where unsure.
    unsafe fn tagged(&self, py: Python<'_>, tags: *mut ffi::PyObject) -> PyResult<Option<bool>> {
        if ffi::PyList_CheckExact(tags) != 0 {
            for n in 0..ffi::PyList_GET_SIZE(tags) {
                let tag = ffi::PyList_GET_ITEM(tags, n);
                if ffi::PyUnicode_CheckExact(tag) != 0 && self.security_tag(py, tag)? {
                    return Ok(Some(true));
                }
            }
            return Ok(Some(false));
        }
        if ffi::PyUnicode_CheckExact(tags) != 0 {
            return Ok(Some(self.security_tag(py, tags)?));
        }
        if ffi::PyList_Check(tags) != 0 || ffi::PyUnicode_Check(tags) != 0 {
            return Ok(None);
        }
        Ok(Some(false))
    }

    /// Whether an error level names the event's level, or a present `error`; None where unsure.
    unsafe fn errors(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<Option<bool>> {
        for parts in &self.levels {
            let value = read_path(py, event, parts)?;
            if ffi::PyUnicode_CheckExact(value) != 0 {
                match crate::reads::get_item(py, self.memo.as_ptr(), value)? {
                    Some(known) if known == ffi::Py_True() => return Ok(Some(true)),
                    Some(known) if known == ffi::Py_False() => {}
                    _ => return Ok(None), // not learnt yet: the Python learns it
                }
            } else if ffi::PyUnicode_Check(value) != 0 {
                return Ok(None);
            }
        }
        match get(py, event, &self.error)? {
            None => Ok(Some(false)),
            Some(error) if error == ffi::Py_None() => Ok(Some(false)),
            Some(error) => Ok(error_present(error)),
        }
    }

    /// Whether the first numeric duration is over the threshold; None where unsure.
    unsafe fn slow(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<Option<bool>> {
        for duration in &self.durations {
            let value = read_path(py, event, &duration.parts)?;
            let amount = if value == ffi::Py_None() || ffi::PyBool_Check(value) != 0 {
                continue; // `number` reads no bool
            } else if ffi::PyFloat_CheckExact(value) != 0 {
                ffi::PyFloat_AS_DOUBLE(value)
            } else if ffi::PyLong_CheckExact(value) != 0 {
                let mut overflow = 0;
                let whole = ffi::PyLong_AsLongLongAndOverflow(value, &mut overflow);
                if overflow != 0 || (whole == -1 && !ffi::PyErr_Occurred().is_null()) {
                    ffi::PyErr_Clear();
                    return Ok(None);
                }
                whole as f64
            } else {
                return Ok(None); // a text or another number: `number` reads it
            };
            return Ok(Some(amount * duration.to_ms > self.slow_ms));
        }
        Ok(Some(false))
    }

    unsafe fn decide(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<Verdict> {
        let mut families = vec![LOGS];
        if !has_any(py, event, &self.roots)? {
            return Ok(Verdict::Families(families));
        }
        if self.names[ERRORS].is_some() {
            match self.errors(py, event)? {
                Some(true) => families.push(ERRORS),
                Some(false) => {}
                None => return Ok(Verdict::Unsure),
            }
        }
        if self.names[SECURITY].is_some() {
            if let Some(tags) = get(py, event, &self.tags_key)? {
                match self.tagged(py, tags)? {
                    Some(true) => families.push(SECURITY),
                    Some(false) => {}
                    None => return Ok(Verdict::Unsure),
                }
            }
        }
        if self.names[PERFORMANCE].is_some() {
            match self.slow(py, event)? {
                Some(true) => families.push(PERFORMANCE),
                Some(false) => {}
                None => return Ok(Verdict::Unsure),
            }
        }
        Ok(Verdict::Families(families))
    }

    /// Route one event where it is a plain dict with plain `@metadata` and no families yet.
    unsafe fn one(&self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<bool> {
        let event = event.as_ptr();
        let Some(meta) = plain_metadata(py, event, &self.metadata)? else {
            return Ok(false);
        };
        match get(py, meta, &self.families)? {
            Some(old) if old != ffi::Py_None() => return Ok(false),
            _ => {}
        }
        let Verdict::Families(chosen) = self.decide(py, event)? else {
            return Ok(false);
        };
        let list = ffi::PyList_New(chosen.len() as ffi::Py_ssize_t);
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        let list = Bound::from_owned_ptr(py, list);
        for (at, n) in chosen.into_iter().enumerate() {
            let name = self.names[n].as_ref().expect("a family on").as_ptr();
            ffi::Py_INCREF(name);
            ffi::PyList_SET_ITEM(list.as_ptr(), at as ffi::Py_ssize_t, name);
        }
        if ffi::PyDict_SetItem(meta, self.families.as_ptr(), list.as_ptr()) < 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(true)
    }
}

#[pymethods]
impl RouteCommon {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        names: Vec<Option<String>>,
        roots: Vec<String>,
        level_paths: Vec<Bound<'_, PyAny>>,
        memo: Bound<'_, PyDict>,
        tags: Bound<'_, PyFrozenSet>,
        durations: Vec<(Bound<'_, PyAny>, f64)>,
        slow_ms: f64,
        python: PyObject,
    ) -> PyResult<Self> {
        let key = |name: &str| PyString::intern(py, name).unbind();
        if names.len() != 4 || names[LOGS].is_none() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "names: logs, errors, security, performance (logs always on)",
            ));
        }
        Ok(RouteCommon {
            names: names.iter().map(|n| n.as_deref().map(key)).collect(),
            roots: roots.iter().map(|r| key(r)).collect(),
            levels: level_paths
                .iter()
                .map(|parts| interned_path(py, parts))
                .collect::<PyResult<_>>()?,
            memo: memo.unbind(),
            tags: tags.unbind(),
            durations: durations
                .iter()
                .map(|(parts, to_ms)| {
                    Ok(Duration {
                        parts: interned_path(py, parts)?,
                        to_ms: *to_ms,
                    })
                })
                .collect::<PyResult<_>>()?,
            slow_ms,
            python,
            metadata: key("@metadata"),
            families: key("families"),
            error: key("error"),
            tags_key: key("tags"),
        })
    }

    /// Route each event: the common case here, any other by the Python, in order.
    fn run(&self, events: &Bound<'_, PyList>) -> PyResult<()> {
        let py = events.py();
        in_place(events, &self.python, |event| unsafe { self.one(py, event) })
    }
}
