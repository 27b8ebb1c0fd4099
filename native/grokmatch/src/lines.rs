//! `EventLines`: redact's serialisation of a batch for its scan, in place of its Python loop.
//!
//! Each event is serialised without `@metadata` by the stage's `dumps` (orjson, `default=str`),
//! its `@metadata` put back after (as the loop does: at the end of the event's keys); an event
//! `dumps` refuses with an `Exception` is left out and its index returned. With `keep`, a plain
//! `@metadata` object gets its event's bytes under the source key. The bytes are joined by
//! newlines, with the newlines' offsets, as `b"\n".join` and `_newlines` make them.

use pyo3::exceptions::PyException;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

/// Redact's batch serialisation (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct EventLines {
    dumps: PyObject,
    options: Py<PyDict>,
    metadata: Py<PyString>,
    source_key: Py<PyString>,
}

#[pymethods]
impl EventLines {
    /// `dumps` is called as `dumps(event, **options)`; `keys`: the names of `@metadata` and of
    /// the kept bytes in it.
    #[new]
    fn new(py: Python<'_>, dumps: PyObject, options: Py<PyDict>, keys: (String, String)) -> Self {
        EventLines {
            dumps,
            options,
            metadata: PyString::intern(py, &keys.0).unbind(),
            source_key: PyString::intern(py, &keys.1).unbind(),
        }
    }

    /// (the events' bytes joined by newlines, the newlines' offsets, the indexes of the events
    /// `dumps` refused).
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
        keep: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Vec<usize>, Vec<usize>)> {
        let dumps = self.dumps.bind(py);
        let options = self.options.bind(py);
        let metadata = self.metadata.bind(py);
        let mut sources: Vec<Bound<'py, PyBytes>> = Vec::with_capacity(events.len());
        let mut refused = Vec::new();
        for (n, item) in events.iter().enumerate() {
            let event = item.downcast::<PyDict>()?;
            let meta = event.get_item(metadata)?;
            if meta.is_some() {
                event.del_item(metadata)?;
            }
            // None: refused; `@metadata` goes back before anything else can return
            let dumped = match dumps.call((event,), Some(options)) {
                Ok(source) => source
                    .downcast_into::<PyBytes>()
                    .map(Some)
                    .map_err(PyErr::from),
                Err(error) if error.is_instance_of::<PyException>(py) => Ok(None),
                Err(error) => Err(error),
            };
            if let Some(meta) = &meta {
                event.set_item(metadata, meta)?;
            }
            match dumped? {
                Some(source) => {
                    let kept_in = meta.as_ref().filter(|_| keep);
                    if let Some(plain) = kept_in.and_then(|m| m.downcast_exact::<PyDict>().ok()) {
                        plain.set_item(&self.source_key, &source)?;
                    }
                    sources.push(source);
                }
                None => refused.push(n),
            }
        }
        let (joined, newlines) = joined_lines(py, &sources)?;
        Ok((joined, newlines, refused))
    }
}

/// `items` joined by newlines, and the newlines' offsets.
fn joined_lines<'py>(
    py: Python<'py>,
    items: &[Bound<'py, PyBytes>],
) -> PyResult<(Bound<'py, PyBytes>, Vec<usize>)> {
    let total = items
        .iter()
        .map(|item| item.as_bytes().len())
        .sum::<usize>()
        + items.len().saturating_sub(1);
    let mut newlines = Vec::with_capacity(items.len().saturating_sub(1));
    // Made without filling (`PyBytes::new_with` writes zeros first): every byte is written below.
    let joined = unsafe {
        let made = ffi::PyBytes_FromStringAndSize(std::ptr::null(), total as ffi::Py_ssize_t);
        Bound::from_owned_ptr_or_err(py, made)?.downcast_into_unchecked::<PyBytes>()
    };
    let buffer = unsafe {
        std::slice::from_raw_parts_mut(ffi::PyBytes_AsString(joined.as_ptr()) as *mut u8, total)
    };
    let mut at = 0;
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            buffer[at] = b'\n';
            newlines.push(at);
            at += 1;
        }
        let bytes = item.as_bytes();
        buffer[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    }
    Ok((joined, newlines))
}

/// `b"\n".join(items)` and the offsets of its newlines (redact's scan of single strings).
#[pyfunction]
pub fn join_lines<'py>(
    py: Python<'py>,
    items: Vec<Bound<'py, PyBytes>>,
) -> PyResult<(Bound<'py, PyBytes>, Vec<usize>)> {
    joined_lines(py, &items)
}
