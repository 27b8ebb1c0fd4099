//! `RedactWalk`: the redact stage's walk of one event, in the order its Python walks it.
//!
//! The event's nodes are taken from a stack (last pushed first); a dict's keys are looked up in
//! the skip tree and in the stage's name cache (`sensitive(key)` where it has none), its texts
//! and a list's are collected as (node, key) leaves, its dicts and lists pushed. What the walk
//! changes is done by the stage's own Python, at the moment its Python walk does it: a list's
//! card number as it is met (`redact_item`), a dict's secret fields once its keys are read
//! (`redact_fields`). Only the calls into Python for the rare cases (a name not cached, a weak
//! name's value, an integer of card length) remain per event.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// |value| of an integer that may be a card number: 10**12 up to 10**19 (the stage decides).
const CARD_LOW: i64 = 1_000_000_000_000;

/// The redact stage's walk (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct RedactWalk {
    skip: PyObject,
    skip_marker: PyObject,
    names: Py<PyDict>,
    sensitive: PyObject,
    looks_random: PyObject,
    card_int: Option<PyObject>,
    redact_item: PyObject,
    redact_fields: PyObject,
}

#[pymethods]
impl RedactWalk {
    /// `skip`: the skip tree (`skip_marker` marks a field to leave); `names`: key -> 0, 1 or 2;
    /// `card_int`: whether an integer is a card number (None: card numbers are not redacted).
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        skip: PyObject,
        skip_marker: PyObject,
        names: Py<PyDict>,
        sensitive: PyObject,
        looks_random: PyObject,
        card_int: Option<PyObject>,
        redact_item: PyObject,
        redact_fields: PyObject,
    ) -> Self {
        RedactWalk {
            skip,
            skip_marker,
            names,
            sensitive,
            looks_random,
            card_int,
            redact_item,
            redact_fields,
        }
    }

    /// The event's (node, key) leaves holding texts and those texts, in the Python walk's order.
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        event: Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        let mut walk = Walked {
            leaves: PyList::empty(py),
            strings: PyList::empty(py),
            stack: vec![(event, Some(self.skip.bind(py).clone()))],
        };
        while let Some((node, skip)) = walk.stack.pop() {
            if node.is_exact_instance_of::<PyList>() {
                self.list(py, &node, skip, &mut walk)?;
            } else {
                self.dict(py, &node, skip, &mut walk)?;
            }
        }
        Ok((walk.leaves, walk.strings))
    }
}

/// What a value is, for the walk.
enum Kind {
    Text,
    Container,
    Int,
    Other,
}

fn kind(value: &Bound<'_, PyAny>) -> Kind {
    let ptr = value.as_ptr();
    unsafe {
        if ffi::PyUnicode_CheckExact(ptr) != 0 {
            Kind::Text
        } else if ffi::PyDict_CheckExact(ptr) != 0 || ffi::PyList_CheckExact(ptr) != 0 {
            Kind::Container
        } else if ffi::PyLong_CheckExact(ptr) != 0 {
            Kind::Int
        } else {
            Kind::Other
        }
    }
}

/// What a walk has collected so far, and the nodes (with their skip paths) still to walk.
struct Walked<'py> {
    leaves: Bound<'py, PyList>,
    strings: Bound<'py, PyList>,
    stack: Vec<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)>,
}

impl RedactWalk {
    /// Whether an integer is a card number (`_card_int`): the stage asks only for card lengths.
    fn card(&self, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Some(card_int) = &self.card_int else {
            return Ok(false);
        };
        let mut overflow = 0;
        let number = unsafe { ffi::PyLong_AsLongLongAndOverflow(value.as_ptr(), &mut overflow) };
        if overflow == 0 && number.unsigned_abs() < CARD_LOW as u64 {
            return Ok(false); // not 13 digits: never a card (nor -1 an error: it fits)
        }
        card_int.bind(value.py()).call1((value,))?.is_truthy()
    }

    fn list<'py>(
        &self,
        py: Python<'py>,
        node: &Bound<'py, PyAny>,
        skip: Option<Bound<'py, PyAny>>,
        walk: &mut Walked<'py>,
    ) -> PyResult<()> {
        let list = node.downcast::<PyList>()?;
        let mut index = 0;
        // the length is read each time: a card number's redaction runs Python code
        while index < list.len() {
            let value = list.get_item(index)?;
            match kind(&value) {
                Kind::Text => {
                    walk.leaves.append((node, index))?;
                    walk.strings.append(value)?;
                }
                Kind::Container => walk.stack.push((value, skip.clone())),
                Kind::Int if self.card(&value)? => {
                    self.redact_item.bind(py).call1((node, index, value))?;
                }
                _ => {}
            }
            index += 1;
        }
        Ok(())
    }

    fn dict<'py>(
        &self,
        py: Python<'py>,
        node: &Bound<'py, PyAny>,
        skip: Option<Bound<'py, PyAny>>,
        walk: &mut Walked<'py>,
    ) -> PyResult<()> {
        let dict = node.downcast::<PyDict>()?;
        let skip = skip.filter(|s| !s.is_none());
        let skip_dict = match &skip {
            Some(tree) => Some(tree.downcast::<PyDict>()?),
            None => None,
        };
        let names = self.names.bind(py);
        let mut found: Vec<(Bound<'py, PyAny>, bool)> = Vec::new();
        for (key, value) in dict.iter() {
            let mut sub = None;
            if let Some(tree) = skip_dict {
                if let Some(below) = tree.get_item(&key)? {
                    if below.is(&self.skip_marker) {
                        continue;
                    }
                    sub = Some(below);
                }
            }
            let hit = match names.get_item(&key)? {
                Some(hit) => hit,
                None => self.sensitive.bind(py).call1((&key,))?,
            };
            let kind = kind(&value);
            let by_name = match hit.extract::<i64>()? {
                0 => false,
                2 => {
                    matches!(kind, Kind::Text)
                        && self.looks_random.bind(py).call1((&value,))?.is_truthy()?
                }
                _ => true,
            };
            if by_name || (matches!(kind, Kind::Int) && self.card(&value)?) {
                found.push((key, by_name));
                continue;
            }
            match kind {
                Kind::Text => {
                    walk.leaves.append((node, &key))?;
                    walk.strings.append(value)?;
                }
                Kind::Container => walk.stack.push((value, sub)),
                _ => {}
            }
        }
        if !found.is_empty() {
            self.redact_fields.bind(py).call1((node, found))?;
        }
        Ok(())
    }
}
