//! `Chooser`: a `when` condition over a whole batch, for the conditions made of `exists`,
//! `equals`, `in`, `not`, `all` and `any` (the others stay generated Python).
//!
//! The same reads and tests as `pipeline.conditions`' generated expression: a path is read with
//! `get`s through plain dicts (None where a part is missing or holds no dict), `equals` is
//! Python's `==` and `in` Python's `in`, `all` / `any` stop at the first test that decides.

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::reads::{interned_path as path, read_path as read, truth};

/// One test of a condition.
enum Test {
    Exists(Vec<Py<PyString>>),
    Equals(Vec<Py<PyString>>, PyObject),
    In(Vec<Py<PyString>>, PyObject),
    Not(Box<Test>),
    All(Vec<Test>),
    Any(Vec<Test>),
}

/// A condition over a batch: `choose(events)` -> whether each event meets it (None when an
/// event is not a plain dict: the generated Python decides then).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct Chooser {
    test: Test,
}

/// A test from its plan: `("exists", parts)`, `("equals", parts, value)`, `("in", parts, list)`,
/// `("not", plan)`, `("all", [plans])`, `("any", [plans])`.
fn test(py: Python<'_>, plan: &Bound<'_, PyAny>) -> PyResult<Test> {
    let plan = plan.downcast::<PyTuple>()?;
    let kind: String = plan.get_item(0)?.extract()?;
    let each = |plans: Bound<'_, PyAny>| -> PyResult<Vec<Test>> {
        plans.try_iter()?.map(|p| test(py, &p?)).collect()
    };
    Ok(match kind.as_str() {
        "exists" => Test::Exists(path(py, &plan.get_item(1)?)?),
        "equals" => Test::Equals(path(py, &plan.get_item(1)?)?, plan.get_item(2)?.unbind()),
        "in" => Test::In(path(py, &plan.get_item(1)?)?, plan.get_item(2)?.unbind()),
        "not" => Test::Not(Box::new(test(py, &plan.get_item(1)?)?)),
        "all" => Test::All(each(plan.get_item(1)?)?),
        "any" => Test::Any(each(plan.get_item(1)?)?),
        other => return Err(PyValueError::new_err(format!("no test {other}"))),
    })
}

impl Test {
    /// Whether the plain-dict `event` meets the test.
    unsafe fn meets(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<bool> {
        match self {
            Test::Exists(parts) => {
                let (last, parents) = parts.split_last().expect("a non-empty path");
                let parent = if parents.is_empty() {
                    event
                } else {
                    read(py, event, parents)?
                };
                if ffi::PyDict_CheckExact(parent) == 0 {
                    return Ok(false);
                }
                truth(py, ffi::PyDict_Contains(parent, last.as_ptr()))
            }
            Test::Equals(parts, value) => {
                let found = read(py, event, parts)?;
                let equal = ffi::PyObject_RichCompare(found, value.as_ptr(), ffi::Py_EQ);
                if equal.is_null() {
                    return Err(PyErr::fetch(py));
                }
                let equal = Bound::from_owned_ptr(py, equal);
                truth(py, ffi::PyObject_IsTrue(equal.as_ptr()))
            }
            Test::In(parts, values) => {
                let found = read(py, event, parts)?;
                truth(py, ffi::PySequence_Contains(values.as_ptr(), found))
            }
            Test::Not(inner) => Ok(!inner.meets(py, event)?),
            Test::All(tests) => {
                for test in tests {
                    if !test.meets(py, event)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Test::Any(tests) => {
                for test in tests {
                    if test.meets(py, event)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }
}

#[pymethods]
impl Chooser {
    #[new]
    fn new(py: Python<'_>, plan: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Chooser {
            test: test(py, plan)?,
        })
    }

    /// Whether each event meets the condition, or None when one is not a plain dict.
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
    ) -> PyResult<Option<Vec<bool>>> {
        let mut chosen = Vec::with_capacity(events.len());
        for event in events.iter() {
            if unsafe { ffi::PyDict_CheckExact(event.as_ptr()) } == 0 {
                return Ok(None);
            }
            chosen.push(unsafe { self.test.meets(py, event.as_ptr())? });
        }
        Ok(Some(chosen))
    }
}
