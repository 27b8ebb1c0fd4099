//! Reads the native common cases share: a dict's item, an ASCII text's bytes, a Kafka time.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

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

/// A plain int in (0, `now_ms`] (`type(v) is int and 0 < v <= now_ms`), or None.
pub(crate) unsafe fn time_until(
    py: Python<'_>,
    value: *mut ffi::PyObject,
    now_ms: f64,
) -> PyResult<Option<i64>> {
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
