//! `events_from_messages`: a consumed Kafka batch made into events, as
//! `logpipe.metadata.events_from_messages` makes them, with no Python per message.
//!
//! Each message's accessors are called as the Python calls them and every comparison, sum and
//! text is the Python's own operation on the values they return, so a message of any shape
//! comes out as the Python makes it (or raises what it raises). The one step left to Python is
//! the event of a value that is not valid UTF-8 (`replaced(raw, meta)`).

use pyo3::exceptions::PyUnicodeDecodeError;
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

/// (events of the messages without error, every partition's next offset, the errors).
type Made<'py> = (Bound<'py, PyList>, Bound<'py, PyDict>, Bound<'py, PyList>);

/// `metadata.events_from_messages(messages)`; `replaced` makes the event of a value that is not
/// valid UTF-8 (`metadata._replaced`).
#[pyfunction]
pub fn events_from_messages<'py>(
    py: Python<'py>,
    messages: &Bound<'py, PyList>,
    replaced: &Bound<'py, PyAny>,
) -> PyResult<Made<'py>> {
    let events = PyList::empty(py);
    let positions = PyDict::new(py);
    let errors = PyList::empty(py);
    let empty = PyBytes::new(py, b"");
    // A batch comes in runs of one partition: its key and id prefix are made once per run.
    let mut run: Option<(Bound<'py, PyTuple>, Bound<'py, PyString>)> = None;
    for message in messages.iter() {
        let error = message.call_method0(intern!(py, "error"))?;
        if !error.is_none() {
            errors.append(error)?;
            continue;
        }
        let topic = message.call_method0(intern!(py, "topic"))?;
        let partition = message.call_method0(intern!(py, "partition"))?;
        let offset = message.call_method0(intern!(py, "offset"))?;
        let same = match &run {
            Some((place, _)) => {
                !partition.ne(place.get_item(1)?)? && !topic.ne(place.get_item(0)?)?
            }
            None => false,
        };
        if !same {
            let prefix = format!("{}-{}-", topic.str()?, partition.str()?);
            let place = PyTuple::new(py, [&topic, &partition])?;
            run = Some((place, PyString::new(py, &prefix)));
        }
        let (place, prefix) = run.as_ref().expect("set above");
        positions.set_item(place, offset.add(1)?)?;
        let key = message.call_method0(intern!(py, "key"))?;
        let timestamp = message
            .call_method0(intern!(py, "timestamp"))?
            .get_item(1)?;
        let mut raw = message.call_method0(intern!(py, "value"))?;
        if !raw.is_truthy()? {
            raw = empty.clone().into_any();
        }
        let kafka = PyDict::new(py);
        kafka.set_item(intern!(py, "topic"), &topic)?;
        kafka.set_item(intern!(py, "partition"), &partition)?;
        kafka.set_item(intern!(py, "offset"), &offset)?;
        let key = match key.is_none() {
            true => key,
            false => key.call_method1(intern!(py, "decode"), ("utf-8", "replace"))?,
        };
        kafka.set_item(intern!(py, "key"), key)?;
        let later = timestamp.gt(0)?;
        kafka.set_item(
            intern!(py, "timestamp"),
            if later {
                timestamp
            } else {
                py.None().into_bound(py)
            },
        )?;
        let meta = PyDict::new(py);
        meta.set_item(intern!(py, "id"), prefix.add(offset.str()?)?)?;
        meta.set_item(intern!(py, "kafka"), kafka)?;
        match decoded(py, &raw) {
            Ok(text) => {
                let event = PyDict::new(py);
                event.set_item(intern!(py, "message"), text)?;
                event.set_item(intern!(py, "@metadata"), meta)?;
                events.append(event)?;
            }
            Err(error) if error.is_instance_of::<PyUnicodeDecodeError>(py) => {
                events.append(replaced.call1((raw, meta))?)?;
            }
            Err(error) => return Err(error),
        }
    }
    Ok((events, positions, errors))
}

/// `raw.decode()`: UTF-8, strict; a bytes object's decoded directly, any other's by its method.
fn decoded<'py>(py: Python<'py>, raw: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let Ok(bytes) = raw.downcast_exact::<PyBytes>() else {
        return raw.call_method0(intern!(py, "decode"));
    };
    let data = bytes.as_bytes();
    unsafe {
        let text = ffi::PyUnicode_DecodeUTF8(
            data.as_ptr().cast(),
            data.len() as ffi::Py_ssize_t,
            std::ptr::null(),
        );
        if text.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, text))
    }
}
