//! `LevelCommon`: the level stage's common case, a level field holding a spelling the stage
//! knows as it is, or none of the fields it reads.
//!
//! The same reads and decisions as `LevelStage.__call__` and `_one`: an event with none of the
//! root keys and no `<PRI>` message is left alone; else, with no PRI field present, the first
//! present level field decides when its text is in the stage's table of exact spellings, and
//! without one a severity code 0..7 does. Anything else (a PRI, a spelling to normalise, a
//! `<PRI>` message, a subclass, a target in the way) goes to the stage's Python loop, alone
//! and in its place.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::reads::{ascii, get, get_item, has_any, in_place, interned_path, truth};

/// A field the stage reads: its dotted path as one key and as its parts, and whether it is
/// the target's path (a literal dotted key of it is removed before the write).
struct Field {
    path: Py<PyString>,
    parts: Vec<Py<PyString>>,
    is_target: bool,
}

/// What `_lookup` finds at a field.
enum Found {
    Missing,
    Value(*mut ffi::PyObject),
    Unsure,
}

/// `LevelCommon(roots, pri_fields, fields, severity_fields, names, syslog, prefix, target,
/// legacy, python)`; `run(events)` writes each event's level, through `python([event])` where unsure.
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct LevelCommon {
    roots: Vec<Py<PyString>>,
    pri_fields: Vec<Field>,
    fields: Vec<Field>,
    severity_fields: Vec<Field>,
    names: Py<PyDict>,
    syslog: Py<PyTuple>,
    prefix: bool,
    /// The target's two keys (`log`, `level`).
    target: (Py<PyString>, Py<PyString>),
    /// The root field that keeps a text level as the source wrote it (`legacy_field`).
    legacy: Option<Py<PyString>>,
    python: PyObject,
    message: Py<PyString>,
}

impl LevelCommon {
    /// `_lookup(event, path, parts)`: the nested value, else the literal dotted key; Unsure
    /// where a node on the way is a dict subclass.
    unsafe fn lookup(
        &self,
        py: Python<'_>,
        event: *mut ffi::PyObject,
        field: &Field,
    ) -> PyResult<Found> {
        let found = |value: Option<*mut ffi::PyObject>| value.map_or(Found::Missing, Found::Value);
        if field.parts.len() == 1 {
            return Ok(found(get(py, event, &field.path)?));
        }
        let mut node = event;
        for (depth, part) in field.parts.iter().enumerate() {
            if depth > 0 && ffi::PyDict_CheckExact(node) == 0 {
                if ffi::PyDict_Check(node) != 0 {
                    return Ok(Found::Unsure);
                }
                break; // no dict on the way: the literal key's value
            }
            match get(py, node, part)? {
                Some(value) if depth + 1 == field.parts.len() => return Ok(Found::Value(value)),
                Some(value) => node = value,
                None => break,
            }
        }
        Ok(found(get(py, event, &field.path)?))
    }

    /// Whether a str `message` opens with `<` (a PRI prefix maybe).
    unsafe fn opens_pri(message: *mut ffi::PyObject) -> bool {
        ffi::PyUnicode_GET_LENGTH(message) > 0 && ffi::PyUnicode_ReadChar(message, 0) == 0x3c
    }

    /// Whether the legacy field takes the canonical name (absent, None, a number, a text of
    /// ASCII digits), or None where the Python decides (a text of other characters).
    unsafe fn legacy_takes(
        py: Python<'_>,
        event: *mut ffi::PyObject,
        legacy: &Py<PyString>,
    ) -> PyResult<Option<bool>> {
        let Some(old) = get(py, event, legacy)? else {
            return Ok(Some(true));
        };
        if old == ffi::Py_None()
            || ffi::PyLong_CheckExact(old) != 0
            || ffi::PyFloat_CheckExact(old) != 0
        {
            return Ok(Some(true));
        }
        if ffi::PyUnicode_CheckExact(old) == 0 {
            return Ok(Some(false));
        }
        Ok(ascii(old).map(|text| !text.is_empty() && text.iter().all(u8::is_ascii_digit)))
    }

    /// Write `level` at the two-key target (and the legacy field where it takes it); false,
    /// with nothing written, where the Python must (`put`'s cases, a text `isdigit` reads).
    unsafe fn write(
        &self,
        py: Python<'_>,
        event: *mut ffi::PyObject,
        level: *mut ffi::PyObject,
    ) -> PyResult<bool> {
        let (root, leaf) = (&self.target.0, &self.target.1);
        let node = match get(py, event, root)? {
            Some(node) if ffi::PyDict_CheckExact(node) != 0 => Some(node),
            Some(node) if node != ffi::Py_None() => return Ok(false),
            _ => None,
        };
        if let Some(legacy) = &self.legacy {
            match Self::legacy_takes(py, event, legacy)? {
                None => return Ok(false),
                Some(true) => {
                    if ffi::PyDict_SetItem(event, legacy.as_ptr(), level) < 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
                Some(false) => {}
            }
        }
        let written = match node {
            Some(node) => ffi::PyDict_SetItem(node, leaf.as_ptr(), level),
            None => {
                let node = PyDict::new(py);
                if ffi::PyDict_SetItem(node.as_ptr(), leaf.as_ptr(), level) < 0 {
                    return Err(PyErr::fetch(py));
                }
                ffi::PyDict_SetItem(event, root.as_ptr(), node.as_ptr())
            }
        };
        if written < 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(true)
    }

    /// Finish one event here, or false (nothing written) for the Python.
    unsafe fn one(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<bool> {
        if ffi::PyDict_CheckExact(event) == 0 {
            return Ok(false);
        }
        if !has_any(py, event, &self.roots)? {
            if !self.prefix {
                return Ok(true);
            }
            return Ok(match get(py, event, &self.message)? {
                Some(message) if ffi::PyUnicode_CheckExact(message) != 0 => {
                    !Self::opens_pri(message)
                }
                _ => true, // `message.__class__ is not str`: nothing to read
            });
        }
        for field in &self.pri_fields {
            match self.lookup(py, event, field)? {
                Found::Missing => {}
                Found::Value(value) if value == ffi::Py_None() => {}
                _ => return Ok(false), // a PRI: the Python reads it and fills log.syslog
            }
        }
        for field in &self.fields {
            if field.parts.len() > 1
                && !truth(py, ffi::PyDict_Contains(event, field.parts[0].as_ptr()))?
                && !truth(py, ffi::PyDict_Contains(event, field.path.as_ptr()))?
            {
                continue;
            }
            let value = match self.lookup(py, event, field)? {
                Found::Missing => continue,
                Found::Unsure => return Ok(false),
                Found::Value(value) if value == ffi::Py_None() => continue,
                Found::Value(value) => value,
            };
            if ffi::PyUnicode_CheckExact(value) == 0 {
                return Ok(false); // a number, or a subclass: `normalise`
            }
            let Some(level) = get_item(py, self.names.as_ptr(), value)? else {
                return Ok(false); // a spelling to normalise
            };
            if field.is_target && truth(py, ffi::PyDict_Contains(event, field.path.as_ptr()))? {
                return Ok(false); // a literal dotted target key to remove first
            }
            return self.write(py, event, level);
        }
        for field in &self.severity_fields {
            let value = match self.lookup(py, event, field)? {
                Found::Unsure => return Ok(false),
                Found::Missing => continue,
                Found::Value(value) => value,
            };
            if ffi::PyLong_CheckExact(value) == 0 {
                continue;
            }
            let mut overflow = 0;
            let code = ffi::PyLong_AsLongLongAndOverflow(value, &mut overflow);
            if code == -1 && !ffi::PyErr_Occurred().is_null() {
                return Err(PyErr::fetch(py));
            }
            if overflow == 0 && (0..=7).contains(&code) {
                let level = self.syslog.bind(py).get_item(code as usize)?;
                if field.is_target && truth(py, ffi::PyDict_Contains(event, field.path.as_ptr()))? {
                    return Ok(false);
                }
                return self.write(py, event, level.as_ptr());
            }
        }
        if self.prefix {
            if let Some(message) = get(py, event, &self.message)? {
                if ffi::PyUnicode_Check(message) != 0 && Self::opens_pri(message) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

fn fields(
    py: Python<'_>,
    paths: Vec<(String, Bound<'_, PyAny>)>,
    target: &str,
) -> PyResult<Vec<Field>> {
    paths
        .into_iter()
        .map(|(path, parts)| {
            Ok(Field {
                is_target: path == target,
                path: PyString::intern(py, &path).unbind(),
                parts: interned_path(py, &parts)?,
            })
        })
        .collect()
}

#[pymethods]
impl LevelCommon {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        roots: Vec<String>,
        pri_fields: Vec<(String, Bound<'_, PyAny>)>,
        level_fields: Vec<(String, Bound<'_, PyAny>)>,
        severity_fields: Vec<(String, Bound<'_, PyAny>)>,
        names: Bound<'_, PyDict>,
        syslog: Bound<'_, PyTuple>,
        prefix: bool,
        target: (String, String),
        legacy: Option<String>,
        python: PyObject,
    ) -> PyResult<Self> {
        let key = |name: &str| PyString::intern(py, name).unbind();
        if syslog.len() != 8 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "syslog: the eight severity names",
            ));
        }
        let path = format!("{}.{}", target.0, target.1);
        Ok(LevelCommon {
            roots: roots.iter().map(|r| key(r)).collect(),
            pri_fields: fields(py, pri_fields, &path)?,
            fields: fields(py, level_fields, &path)?,
            severity_fields: fields(py, severity_fields, &path)?,
            names: names.unbind(),
            syslog: syslog.unbind(),
            prefix,
            target: (key(&target.0), key(&target.1)),
            legacy: legacy.as_deref().map(key),
            python,
            message: key("message"),
        })
    }

    /// Write each event's level: the common case here, any other by the Python, in order.
    fn run(&self, events: &Bound<'_, PyList>) -> PyResult<()> {
        let py = events.py();
        in_place(events, &self.python, |event| unsafe {
            self.one(py, event.as_ptr())
        })
    }
}
