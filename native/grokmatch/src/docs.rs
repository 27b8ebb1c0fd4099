//! `DocsCommon`: `documents.to_docs`'s common case over a batch, with no Python per event.
//!
//! An event is made into its documents here when its `@metadata` is a plain object with an `id`
//! and plain Kafka time, its `@timestamp` is the text the timestamp stage accepted, it has no
//! field the engine reserves, and its families (if set) are a list of texts: its index day is
//! its stamp's date (its Kafka day when that is more than `late_ms` older), its source the bytes
//! redact's scan kept (else `encode(event)`). Every other event is handed to `slow(event)`, which
//! returns its documents the Python way; the order of the batch is kept.

use std::collections::{HashMap, HashSet};

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyType};

use crate::reads::{ascii, get, plain_metadata, KafkaTime};
use crate::stamps::{civil_from_days, put_digits};

const DAY_MS: i64 = 86_400_000;

/// `to_docs`'s common case (see the module's comment).
#[pyclass(frozen, module = "logpipe._grokmatch")]
pub struct DocsCommon {
    /// `documents.Doc`, and its slots' descriptors in its fields' order: a document is made
    /// as its dataclass `__init__` makes it, slot by slot, without the Python call.
    doc: Py<PyType>,
    slots: Vec<PyObject>,
    encode: PyObject,
    reserved: HashSet<Vec<u8>>,
    default_families: Vec<Py<PyString>>,
    late_ms: i64,
    metadata: Py<PyString>,
    source_key: Py<PyString>,
    marked: Py<PyString>,
    timestamp_field: Py<PyString>,
    checked: Py<PyString>,
    reference: KafkaTime,
    id: Py<PyString>,
    families: Py<PyString>,
}

/// `YYYY.MM.DD` of epoch ms (`documents._day`), for times after 1970.
fn day_text(ms: i64) -> [u8; 10] {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    let mut out = *b"0000.00.00";
    put_digits(&mut out[0..4], year);
    put_digits(&mut out[5..7], month);
    put_digits(&mut out[8..10], day);
    out
}

/// What one event of the common case is made of, read before anything is taken off it.
struct Common {
    meta: *mut ffi::PyObject,
    day: [u8; 10],
    doc_id: *mut ffi::PyObject,
    families: Option<*mut ffi::PyObject>,
}

#[pymethods]
impl DocsCommon {
    #[new]
    /// `keys`: the names of the kept source in `@metadata`, of the field marking a stage's
    /// exception on the event, and of the stamp the timestamp stage accepted in `@metadata`.
    #[pyo3(signature = (doc, slots, encode, reserved, default_families, late_ms, keys))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        doc: Py<PyType>,
        slots: Vec<PyObject>,
        encode: PyObject,
        reserved: Vec<String>,
        default_families: Vec<String>,
        late_ms: i64,
        keys: (String, String, String),
    ) -> PyResult<Self> {
        let key = |name: &str| PyString::intern(py, name).unbind();
        for slot in &slots {
            if unsafe { (*ffi::Py_TYPE(slot.as_ptr())).tp_descr_set }.is_none() {
                return Err(PyValueError::new_err(
                    "slots: the document's slot descriptors",
                ));
            }
        }
        Ok(DocsCommon {
            doc,
            slots,
            encode,
            reserved: reserved
                .iter()
                .map(|name| name.as_bytes().to_vec())
                .collect(),
            default_families: default_families.iter().map(|name| key(name)).collect(),
            late_ms,
            metadata: key("@metadata"),
            source_key: key(&keys.0),
            marked: key(&keys.1),
            timestamp_field: key("@timestamp"),
            checked: key(&keys.2),
            reference: KafkaTime::new(py),
            id: key("id"),
            families: key("families"),
        })
    }

    /// The documents of `events`, in order: the common case here, `slow(event)` for the others.
    /// `daily`: dated index names (`<prefix>-<family>-<day>`), else write aliases.
    fn run<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
        prefix: &str,
        daily: bool,
        now_ms: f64,
        slow: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let docs = PyList::empty(py);
        let mut names: HashMap<([u8; 10], String), Py<PyString>> = HashMap::new();
        for event in events.iter() {
            let common = unsafe { self.common(py, event.as_ptr(), now_ms)? };
            let Some(common) = common else {
                for doc in slow.call1((&event,))?.try_iter()? {
                    docs.append(doc?)?;
                }
                continue;
            };
            unsafe { self.make(py, &event, common, prefix, daily, &mut names, &docs)? };
        }
        Ok(docs)
    }
}

impl DocsCommon {
    /// A `Doc` of these field values, allocated as `object.__new__` does and filled through
    /// its slot descriptors, as the dataclass `__init__` fills it.
    unsafe fn new_doc<'py>(
        &self,
        py: Python<'py>,
        values: [*mut ffi::PyObject; 5],
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = self.doc.as_ptr() as *mut ffi::PyTypeObject;
        let alloc = (*kind).tp_alloc.unwrap_or(ffi::PyType_GenericAlloc);
        let doc = alloc(kind, 0);
        if doc.is_null() {
            return Err(PyErr::fetch(py));
        }
        let doc = Bound::from_owned_ptr(py, doc);
        for (slot, value) in self.slots.iter().zip(values) {
            let set = (*ffi::Py_TYPE(slot.as_ptr()))
                .tp_descr_set
                .expect("checked when built");
            if set(slot.as_ptr(), doc.as_ptr(), value) < 0 {
                return Err(PyErr::fetch(py));
            }
        }
        Ok(doc)
    }

    /// The common case's reads of one event, or None when it is not one.
    unsafe fn common(
        &self,
        py: Python<'_>,
        event: *mut ffi::PyObject,
        now_ms: f64,
    ) -> PyResult<Option<Common>> {
        let Some(meta) = plain_metadata(py, event, &self.metadata)? else {
            return Ok(None);
        };
        // a field the engine reserves (`_id`, `_source`, ...), or a key that is no plain text
        let (mut at, mut key, mut value) = (0, std::ptr::null_mut(), std::ptr::null_mut());
        while ffi::PyDict_Next(event, &mut at, &mut key, &mut value) != 0 {
            match ascii(key) {
                Some(name) if name.first() != Some(&b'_') || !self.reserved.contains(name) => {}
                _ => return Ok(None),
            }
        }
        let Some(doc_id) = get(py, meta, &self.id)? else {
            return Ok(None);
        };
        // `families or DEFAULT_FAMILIES`: None or an empty list take the default
        let families = match get(py, meta, &self.families)? {
            None => None,
            Some(list) if list == ffi::Py_None() => None,
            Some(list) if ffi::PyList_CheckExact(list) != 0 => {
                let count = ffi::PyList_GET_SIZE(list);
                for n in 0..count {
                    if ffi::PyUnicode_CheckExact(ffi::PyList_GET_ITEM(list, n)) == 0 {
                        return Ok(None);
                    }
                }
                (count > 0).then_some(list)
            }
            Some(_) => return Ok(None),
        };
        let (Some(stamp), Some(checked)) = (
            get(py, event, &self.timestamp_field)?,
            get(py, meta, &self.checked)?,
        ) else {
            return Ok(None);
        };
        let (Some(text), Some(accepted)) = (ascii(stamp), ascii(checked)) else {
            return Ok(None);
        };
        if text != accepted || text.len() < 10 {
            return Ok(None);
        }
        let Some(reference) = self.reference.of(py, meta, now_ms)? else {
            return Ok(None);
        };
        // `_day_of(stamp)`, or the reference's day when it is before `_not_late`'s cutoff
        let mut day = *b"0000.00.00";
        day[0..4].copy_from_slice(&text[0..4]);
        day[5..7].copy_from_slice(&text[5..7]);
        day[8..10].copy_from_slice(&text[8..10]);
        let reference_day = reference.div_euclid(DAY_MS) * DAY_MS;
        if day < day_text(reference_day - self.late_ms) {
            day = day_text(reference_day);
        }
        Ok(Some(Common {
            meta,
            day,
            doc_id,
            families,
        }))
    }

    /// Take `@metadata` (and the kept source) off the event and append its documents.
    #[allow(clippy::too_many_arguments)]
    unsafe fn make(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        common: Common,
        prefix: &str,
        daily: bool,
        names: &mut HashMap<([u8; 10], String), Py<PyString>>,
        docs: &Bound<'_, PyList>,
    ) -> PyResult<()> {
        let origin = Bound::from_borrowed_ptr(py, common.meta); // held: popped off the event next
        let doc_id = Bound::from_borrowed_ptr(py, common.doc_id);
        let families = common
            .families
            .map(|list| Bound::from_borrowed_ptr(py, list));
        let event_ptr = event.as_ptr();
        if ffi::PyDict_DelItem(event_ptr, self.metadata.as_ptr()) < 0 {
            return Err(PyErr::fetch(py));
        }
        let kept = match get(py, origin.as_ptr(), &self.source_key)? {
            Some(kept) => {
                let kept = Bound::from_borrowed_ptr(py, kept);
                if ffi::PyDict_DelItem(origin.as_ptr(), self.source_key.as_ptr()) < 0 {
                    return Err(PyErr::fetch(py));
                }
                Some(kept)
            }
            None => None,
        };
        let source = match kept {
            Some(kept)
                if kept.is_exact_instance_of::<PyBytes>()
                    && get(py, event_ptr, &self.marked)?.is_none() =>
            {
                kept
            }
            _ => self.encode.bind(py).call1((event,))?,
        };
        let day = std::str::from_utf8_unchecked(&common.day);
        let mut one = |family: &Bound<'_, PyAny>| -> PyResult<()> {
            let family_text = family.downcast::<PyString>()?.to_str()?;
            let key = (common.day, family_text.to_owned());
            let name = match names.get(&key) {
                Some(name) => name.clone_ref(py),
                None => {
                    let text = if daily {
                        format!("{prefix}-{family_text}-{day}")
                    } else {
                        format!("{prefix}-{family_text}")
                    };
                    let name = PyString::new(py, &text).unbind();
                    names.insert(key, name.clone_ref(py));
                    name
                }
            };
            let doc = self.new_doc(
                py,
                [
                    name.as_ptr(),
                    doc_id.as_ptr(),
                    source.as_ptr(),
                    origin.as_ptr(),
                    family.as_ptr(),
                ],
            )?;
            docs.append(doc)
        };
        match families {
            Some(list) => {
                for family in list.try_iter()? {
                    one(&family?)?;
                }
            }
            None => {
                for family in &self.default_families {
                    one(family.bind(py).as_any())?;
                }
            }
        }
        Ok(())
    }
}
