//! `Generations`: the native side of `logpipe.generations.Generations`, over the same two dicts.
//!
//! The Python object's `dicts` list (young, old) is read and turned over in place exactly as its
//! own `get` and `put` do, so the stage's Python and the native common cases share one memo.

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::reads::get_item;

/// A `logpipe.generations.Generations` memo, read and written from Rust.
pub(crate) struct Generations {
    /// [young, old]: the Python object's own list, changed in place
    dicts: Py<PyList>,
    limit: usize,
}

impl Generations {
    /// The memo behind a `Generations` object (its `dicts` list and `limit`).
    pub(crate) fn of(memo: &Bound<'_, PyAny>) -> PyResult<Self> {
        let dicts = memo.getattr("dicts")?.downcast_into_exact::<PyList>()?;
        let limit: usize = memo.getattr("limit")?.extract()?;
        let plain = |n| dicts.get_item(n).is_ok_and(|d| d.is_exact_instance_of::<PyDict>());
        if dicts.len() != 2 || !plain(0) || !plain(1) || limit == 0 {
            return Err(PyValueError::new_err(
                "a Generations memo: two plain dicts and a limit of at least 1",
            ));
        }
        Ok(Generations {
            dicts: dicts.unbind(),
            limit,
        })
    }

    /// The generation `n` (0: young, 1: old), borrowed from the list.
    unsafe fn dict(&self, py: Python<'_>, n: ffi::Py_ssize_t) -> *mut ffi::PyObject {
        ffi::PyList_GET_ITEM(self.dicts.bind(py).as_ptr(), n)
    }

    /// `get(key)`: the value kept for `key`, moved to the young generation; None when none is.
    pub(crate) fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        unsafe {
            if let Some(found) = get_item(py, self.dict(py, 0), key.as_ptr())? {
                return Ok(Some(Bound::from_borrowed_ptr(py, found)));
            }
            let old = self.dict(py, 1);
            let Some(found) = get_item(py, old, key.as_ptr())? else {
                return Ok(None);
            };
            let found = Bound::from_borrowed_ptr(py, found);
            if ffi::PyDict_DelItem(old, key.as_ptr()) < 0 {
                return Err(PyErr::fetch(py));
            }
            self.put(py, key, &found)?;
            Ok(Some(found))
        }
    }

    /// `put(key, value)`: keep `value` in the young generation, turning over a full one first.
    pub(crate) fn put(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let dicts = self.dicts.bind(py);
        let mut young = dicts.get_item(0)?.downcast_into_exact::<PyDict>()?;
        if young.len() >= self.limit && !young.contains(key)? {
            dicts.set_item(1, &young)?;
            young = PyDict::new(py);
            dicts.set_item(0, &young)?;
        }
        young.set_item(key, value)
    }
}
