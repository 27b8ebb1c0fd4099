//! Reads the native common cases share: a dict's item, an ASCII text's bytes, a Kafka time.

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

/// A stamp up to this compares with a float `now` exactly.
const EXACT_FLOAT: i64 = 1 << 53;

/// Borrowed `dict[key]` for any key object, or None when absent (an error raised by a key's
/// comparison is kept).
pub(crate) unsafe fn get_item(
    py: Python<'_>,
    dict: *mut ffi::PyObject,
    key: *mut ffi::PyObject,
) -> PyResult<Option<*mut ffi::PyObject>> {
    let found = ffi::PyDict_GetItemWithError(dict, key);
    if found.is_null() {
        if !ffi::PyErr_Occurred().is_null() {
            return Err(PyErr::fetch(py));
        }
        return Ok(None);
    }
    Ok(Some(found))
}

/// Borrowed `dict[key]`, or None when absent.
pub(crate) unsafe fn get(
    py: Python<'_>,
    dict: *mut ffi::PyObject,
    key: &Py<PyString>,
) -> PyResult<Option<*mut ffi::PyObject>> {
    get_item(py, dict, key.as_ptr())
}

/// A dotted path's parts (a non-empty list of str) as interned keys.
pub(crate) fn interned_path(
    py: Python<'_>,
    parts: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<PyString>>> {
    let parts: Vec<String> = parts.extract()?;
    if parts.is_empty() {
        return Err(PyValueError::new_err("an empty path"));
    }
    Ok(parts
        .iter()
        .map(|p| PyString::intern(py, p).unbind())
        .collect())
}

/// Borrowed value at `parts` of a plain-dict `event`, as `fields.read_source`'s expression reads it
/// (None where a part is missing or its parent holds no plain dict).
pub(crate) unsafe fn read_path(
    py: Python<'_>,
    event: *mut ffi::PyObject,
    parts: &[Py<PyString>],
) -> PyResult<*mut ffi::PyObject> {
    let mut node = event;
    for (depth, part) in parts.iter().enumerate() {
        if depth > 0 && ffi::PyDict_CheckExact(node) == 0 {
            return Ok(ffi::Py_None());
        }
        match get(py, node, part)? {
            Some(value) => node = value,
            None => return Ok(ffi::Py_None()),
        }
    }
    Ok(node)
}

/// Borrowed `event[key]` (its `@metadata`) where the event and that value are plain dicts, else
/// None: the first test of every common case.
pub(crate) unsafe fn plain_metadata(
    py: Python<'_>,
    event: *mut ffi::PyObject,
    key: &Py<PyString>,
) -> PyResult<Option<*mut ffi::PyObject>> {
    if ffi::PyDict_CheckExact(event) == 0 {
        return Ok(None);
    }
    Ok(get(py, event, key)?.filter(|&meta| ffi::PyDict_CheckExact(meta) != 0))
}

/// The bytes of an exact, ASCII str, or None.
pub(crate) unsafe fn ascii<'a>(text: *mut ffi::PyObject) -> Option<&'a [u8]> {
    if ffi::PyUnicode_CheckExact(text) == 0 || ffi::PyUnicode_IS_ASCII(text) == 0 {
        return None;
    }
    let length = ffi::PyUnicode_GET_LENGTH(text) as usize;
    Some(std::slice::from_raw_parts(
        ffi::PyUnicode_DATA(text) as *const u8,
        length,
    ))
}

/// The keys of an event's Kafka reference time in its `@metadata`.
pub(crate) struct KafkaTime {
    kafka: Py<PyString>,
    timestamp: Py<PyString>,
    time_window: Py<PyString>,
}

impl KafkaTime {
    pub(crate) fn new(py: Python<'_>) -> Self {
        let key = |name: &str| PyString::intern(py, name).unbind();
        KafkaTime {
            kafka: key("kafka"),
            timestamp: key("timestamp"),
            time_window: key("time_window"),
        }
    }

    /// `meta.kafka.timestamp` (`meta` a plain dict) when it is a plain int in (0, `now_ms`] and
    /// no explicit `time_window` replaces it (`timewindow.bounds`' common case), else None.
    pub(crate) unsafe fn of(
        &self,
        py: Python<'_>,
        meta: *mut ffi::PyObject,
        now_ms: f64,
    ) -> PyResult<Option<i64>> {
        if get(py, meta, &self.time_window)?.is_some() {
            return Ok(None);
        }
        let Some(kafka) = get(py, meta, &self.kafka)? else {
            return Ok(None);
        };
        if ffi::PyDict_CheckExact(kafka) == 0 {
            return Ok(None);
        }
        let Some(value) = get(py, kafka, &self.timestamp)? else {
            return Ok(None);
        };
        if ffi::PyLong_CheckExact(value) == 0 {
            return Ok(None);
        }
        let mut overflow = 0;
        let ms = ffi::PyLong_AsLongLongAndOverflow(value, &mut overflow);
        if ms == -1 && !ffi::PyErr_Occurred().is_null() {
            return Err(PyErr::fetch(py));
        }
        let inside = overflow == 0 && ms > 0 && ms < EXACT_FLOAT && ms as f64 <= now_ms;
        Ok(inside.then_some(ms))
    }
}

/// A C-API test's answer (1 yes, 0 no) as a bool; a negative one raised, and its error is kept.
pub(crate) fn truth(py: Python<'_>, status: std::os::raw::c_int) -> PyResult<bool> {
    if status < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(status == 1)
}

/// Whether the plain dict holds any of `keys`.
pub(crate) unsafe fn has_any(
    py: Python<'_>,
    dict: *mut ffi::PyObject,
    keys: &[Py<PyString>],
) -> PyResult<bool> {
    for key in keys {
        if truth(py, ffi::PyDict_Contains(dict, key.as_ptr()))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Each event finished by `done` where it can, else by `python([event])` in its place, so the
/// batch is worked through in order.
pub(crate) fn in_place<'py>(
    events: &Bound<'py, PyList>,
    python: &PyObject,
    mut done: impl FnMut(&Bound<'py, PyAny>) -> PyResult<bool>,
) -> PyResult<()> {
    let py = events.py();
    for event in events.iter() {
        if !done(&event)? {
            python.call1(py, (PyList::new(py, [event])?,))?;
        }
    }
    Ok(())
}

/// The events of `events` that `done` did not finish, in order, for the Python loop.
pub(crate) fn left_over<'py>(
    events: &Bound<'py, PyList>,
    mut done: impl FnMut(&Bound<'py, PyAny>) -> PyResult<bool>,
) -> PyResult<Bound<'py, PyList>> {
    let left = PyList::empty(events.py());
    for event in events.iter() {
        if !done(&event)? {
            left.append(event)?;
        }
    }
    Ok(left)
}
