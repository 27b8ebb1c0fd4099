//! `ColumnReader`: fixed dotted paths read out of every event of a batch, one list per path.
//!
//! The same reads as `logpipe.column_reader`'s generated Python: a path's value where every
//! parent is a plain dict and its last key is present, else the path's default.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

/// One key of the paths' tree: the columns of the paths ending here, the keys below it, and
/// every column under them (they take their defaults where this key holds no dict).
struct Node {
    key: Py<PyString>,
    leaves: Vec<usize>,
    children: Vec<Node>,
    below: Vec<usize>,
}

impl Node {
    fn new(key: Py<PyString>) -> Self {
        Node {
            key,
            leaves: Vec::new(),
            children: Vec::new(),
            below: Vec::new(),
        }
    }
}

/// Reads `paths[n]` of each event into column `n`, `defaults[n]` where it is missing.
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct ColumnReader {
    roots: Vec<Node>,
    defaults: Vec<PyObject>,
}

#[pymethods]
impl ColumnReader {
    #[new]
    fn new(py: Python<'_>, paths: Vec<Vec<String>>, defaults: Vec<PyObject>) -> PyResult<Self> {
        if paths.len() != defaults.len() || paths.iter().any(|path| path.is_empty()) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "one non-empty path per default",
            ));
        }
        let mut roots: Vec<Node> = Vec::new();
        for (column, path) in paths.iter().enumerate() {
            let mut level = &mut roots;
            for (depth, key) in path.iter().enumerate() {
                let at = match level
                    .iter()
                    .position(|node| node.key.bind(py).to_str().ok() == Some(key))
                {
                    Some(at) => at,
                    None => {
                        level.push(Node::new(PyString::intern(py, key).unbind()));
                        level.len() - 1
                    }
                };
                let node = &mut level[at];
                if depth + 1 == path.len() {
                    node.leaves.push(column);
                } else {
                    node.below.push(column);
                }
                level = &mut node.children;
            }
        }
        Ok(ColumnReader { roots, defaults })
    }

    /// One list per path, one value per event; None when an event is not a plain dict (the
    /// Python reader takes those).
    fn __call__(&self, py: Python<'_>, events: &Bound<'_, PyList>) -> PyResult<PyObject> {
        let count = events.len();
        let mut columns: Vec<Bound<'_, PyList>> = Vec::with_capacity(self.defaults.len());
        for _ in 0..self.defaults.len() {
            let list = unsafe { ffi::PyList_New(count as ffi::Py_ssize_t) };
            if list.is_null() {
                return Err(PyErr::fetch(py));
            }
            columns.push(unsafe { Bound::from_owned_ptr(py, list).downcast_into_unchecked() });
        }
        let mut rows = 0;
        for (row, event) in events.iter().enumerate() {
            if row >= count || unsafe { ffi::PyDict_CheckExact(event.as_ptr()) } == 0 {
                return Ok(py.None()); // a list that changed under us, or an event of another kind
            }
            self.read(py, &event, &self.roots, &columns, row)?;
            rows += 1;
        }
        if rows != count {
            return Ok(py.None()); // the list shrank under us: slots of the columns are unset
        }
        Ok(PyList::new(py, columns)?.into_any().unbind())
    }
}

impl ColumnReader {
    /// The columns of `nodes` (keys of the dict `node`) for one event's `row`.
    fn read(
        &self,
        py: Python<'_>,
        node: &Bound<'_, PyAny>,
        nodes: &[Node],
        columns: &[Bound<'_, PyList>],
        row: usize,
    ) -> PyResult<()> {
        for child in nodes {
            let found = unsafe { ffi::PyDict_GetItemWithError(node.as_ptr(), child.key.as_ptr()) };
            if found.is_null() && unsafe { !ffi::PyErr_Occurred().is_null() } {
                return Err(PyErr::fetch(py));
            }
            // held while it is read: a key's comparison could run Python code
            let value = (!found.is_null()).then(|| unsafe { Bound::from_borrowed_ptr(py, found) });
            for &column in &child.leaves {
                let item = value
                    .as_ref()
                    .map_or(self.defaults[column].as_ptr(), |v| v.as_ptr());
                self.set(&columns[column], row, item);
            }
            if child.children.is_empty() {
                continue;
            }
            match &value {
                Some(inner) if unsafe { ffi::PyDict_CheckExact(inner.as_ptr()) } != 0 => {
                    self.read(py, inner, &child.children, columns, row)?
                }
                _ => {
                    for &column in &child.below {
                        self.set(&columns[column], row, self.defaults[column].as_ptr());
                    }
                }
            }
        }
        Ok(())
    }

    /// Put a new reference to `item` in the still empty slot `row` of `column`.
    fn set(&self, column: &Bound<'_, PyList>, row: usize, item: *mut ffi::PyObject) {
        unsafe {
            ffi::Py_IncRef(item);
            ffi::PyList_SET_ITEM(column.as_ptr(), row as ffi::Py_ssize_t, item);
        }
    }
}
