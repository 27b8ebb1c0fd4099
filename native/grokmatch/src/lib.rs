//! logpipe's grok matcher: one PCRE2 pattern compiled with JIT, matched under a work bound.
//!
//! A call with a text returns a tuple of the captured strings (None where a group did not take
//! part), or None when the text does not match. `fill(text, event)` also checks the expression's
//! required literals first and, given the captures' layout, writes the captures into the event
//! itself where the event has nothing under their top-level keys (grok's common case); otherwise
//! it returns the tuple for grok's Python writer. Past the work bound a call raises
//! TimeoutError, as the clock-limited path does. `Dispatch` runs a grok stage's common case
//! over a batch: the first-byte filing, then each candidate's `fill`, with no Python per event.
//! `ColumnReader` (columns.rs) reads fixed paths out of a batch of events for the security scan;
//! `MmdbTree` (mmdb.rs) walks a GeoIP database's search tree for the geoip stage's record cache;
//! `StampCommon` (stamps.rs) and `GeoCommon` (geo.rs) run the timestamp and geoip stages' common
//! cases over a batch, `DocsCommon` (docs.rs) `documents.to_docs`', and `RedactWalk` (walk.rs) walks an
//! event for the redact stage and `EventLines` (lines.rs) serialises its batch for its scan;
//! `Chooser` (conds.rs) tests a `when` condition over a batch.

mod columns;
mod conds;
mod digits;
mod docs;
mod generations;
mod geo;
mod level;
mod lines;
mod mmdb;
mod reads;
mod route;
mod stamps;
mod walk;

use std::collections::HashMap;
use std::os::raw::{c_int, c_void};
use std::ptr;
use std::sync::Mutex;

use pcre2_sys::*;
use pyo3::exceptions::{PyTimeoutError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

pyo3::create_exception!(
    _grokmatch,
    Exhausted,
    pyo3::exceptions::PyException,
    "PCRE2 ran out of something other than the work bound: match this text another way."
);

/// JIT stack: starts small, grows to this (deep backtracking; past it -> Exhausted).
const JIT_STACK_START: usize = 32 * 1024;
const JIT_STACK_MAX: usize = 4 * 1024 * 1024;
/// An `:int` capture of at most this many digits (and a sign) is a long without a check.
const SHORT_INT_DIGITS: usize = 18;

extern "C" {
    fn memchr(hay: *const c_void, byte: c_int, len: usize) -> *mut c_void;
}

/// What one match needs and a call may not share: match data, match context and JIT stack.
struct Scratch {
    data: *mut pcre2_match_data_8,
    context: *mut pcre2_match_context_8,
    stack: *mut pcre2_jit_stack_8,
}

// The pointers are used only under the matcher's mutex.
unsafe impl Send for Scratch {}

/// How a capture's text becomes its value.
enum Convert {
    Text,
    /// A short plain integer directly, anything else through the callable (grok's `to_int`).
    Int(PyObject),
    Call(PyObject),
}

/// Where one capture goes: its group (0-based), the dict it goes in (a node, or the event
/// itself), its key there, and its conversion.
struct Target {
    group: usize,
    node: Option<usize>,
    leaf: Py<PyString>,
    convert: Convert,
}

/// The captures' layout for `fill`: the top-level keys the event must not have, the nested
/// dicts (parent node or the event, key) with each parent before its children, the captures.
struct Layout {
    keep_empty: bool,
    guards: Vec<Py<PyString>>,
    nodes: Vec<(Option<usize>, Py<PyString>)>,
    targets: Vec<Target>,
}

/// A compiled pattern; calling it with a text matches once.
#[pyclass(frozen, module = "logpipe._grokmatch")]
struct Matcher {
    code: *mut pcre2_code_8,
    groups: usize,
    bounded: bool,
    literals: Vec<Literal>,
    layout: Option<Layout>,
    scratch: Mutex<Scratch>,
}

// The compiled code is read-only once built (PCRE2 documents it as shareable between threads).
unsafe impl Send for Matcher {}
unsafe impl Sync for Matcher {}

fn compile_error(code: i32, offset: usize) -> PyErr {
    let mut buffer = [0u8; 256];
    let n = unsafe { pcre2_get_error_message_8(code, buffer.as_mut_ptr(), buffer.len()) };
    let text = String::from_utf8_lossy(&buffer[..n.max(0) as usize]).into_owned();
    PyValueError::new_err(format!("{text} at offset {offset}"))
}

/// `(keep_empty, guards, nodes, targets)` as grok.writer.native_layout builds it.
fn read_layout(layout: &Bound<'_, PyAny>, groups: usize) -> PyResult<Layout> {
    type Nodes = Vec<(isize, Py<PyString>)>;
    type Targets = Vec<(usize, isize, Py<PyString>, u8, Option<PyObject>)>;
    let (keep_empty, guards, nodes, targets): (bool, Vec<Py<PyString>>, Nodes, Targets) =
        layout.extract()?;
    let index = |i: isize, below: usize| -> PyResult<Option<usize>> {
        match i {
            -1 => Ok(None),
            i if i >= 0 && (i as usize) < below => Ok(Some(i as usize)),
            _ => Err(PyValueError::new_err("a layout node out of order")),
        }
    };
    let count = nodes.len();
    let mut made = Vec::with_capacity(count);
    for (n, (parent, key)) in nodes.into_iter().enumerate() {
        made.push((index(parent, n)?, key));
    }
    let mut placed = Vec::with_capacity(targets.len());
    for (group, node, leaf, kind, convert) in targets {
        if group >= groups {
            return Err(PyValueError::new_err(
                "a layout group the pattern does not have",
            ));
        }
        let convert = match (kind, convert) {
            (0, None) => Convert::Text,
            (1, Some(f)) => Convert::Int(f),
            (2, Some(f)) => Convert::Call(f),
            _ => return Err(PyValueError::new_err("a layout conversion kind unknown")),
        };
        placed.push(Target {
            group,
            node: index(node, count)?,
            leaf,
            convert,
        });
    }
    Ok(Layout {
        keep_empty,
        guards,
        nodes: made,
        targets: placed,
    })
}

/// A required literal, found by its rarest byte in log text (memchr), then compared whole.
struct Literal {
    bytes: Vec<u8>,
    /// the position of the byte looked for
    key: usize,
}

impl Literal {
    fn new(bytes: Vec<u8>) -> Self {
        // how common a byte is in log lines: spaces, then letters, then digits; the rest rare
        let common = |b: &u8| match b {
            b' ' => 4,
            b'a'..=b'z' => 3,
            b'A'..=b'Z' | b'0'..=b'9' => 2,
            _ => 1,
        };
        let key = (0..bytes.len())
            .min_by_key(|&i| common(&bytes[i]))
            .unwrap_or(0);
        Literal { bytes, key }
    }

    fn in_text(&self, text: &[u8]) -> bool {
        let (bytes, key) = (&self.bytes[..], self.key);
        if bytes.is_empty() {
            return true;
        }
        if text.len() < bytes.len() {
            return false;
        }
        // the key byte's possible positions: key ..= text.len() - bytes.len() + key
        let (mut at, end) = (key, text.len() - bytes.len() + key + 1);
        while at < end {
            let found = unsafe {
                memchr(
                    text.as_ptr().add(at) as *const c_void,
                    bytes[key] as c_int,
                    end - at,
                )
            };
            if found.is_null() {
                return false;
            }
            let hit = found as usize - text.as_ptr() as usize;
            if &text[hit - key..hit - key + bytes.len()] == bytes {
                return true;
            }
            at = hit + 1;
        }
        false
    }
}

/// A plain integer of a few digits (`[+-]?[0-9]{1,18}`), as Python's `int` reads it.
fn short_int(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > SHORT_INT_DIGITS {
        return None;
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + (d - b'0') as i64;
    }
    Some(if negative { -value } else { value })
}

/// A new reference, or the Python error as PyErr.
unsafe fn owned(py: Python<'_>, object: *mut ffi::PyObject) -> PyResult<*mut ffi::PyObject> {
    if object.is_null() {
        Err(PyErr::fetch(py))
    } else {
        Ok(object)
    }
}

/// The ASCII bytes of `text`; Exhausted for other texts (they are `regex`'s).
fn ascii_bytes<'a>(py: Python<'_>, text: &'a Bound<'_, PyString>) -> PyResult<&'a [u8]> {
    let mut size: ffi::Py_ssize_t = 0;
    let bytes = unsafe { ffi::PyUnicode_AsUTF8AndSize(text.as_ptr(), &mut size) };
    if bytes.is_null() {
        return Err(PyErr::fetch(py));
    }
    if unsafe { ffi::PyUnicode_GetLength(text.as_ptr()) } != size {
        return Err(PyValueError::new_err(
            "the native matcher takes ASCII text only",
        ));
    }
    Ok(unsafe { std::slice::from_raw_parts(bytes as *const u8, size as usize) })
}

impl Matcher {
    /// Match `subject`: the (start, end) of each group (PCRE2_UNSET where it took no part), or
    /// None; the scratch is released before anything is made from them.
    fn spans(&self, subject: &[u8]) -> PyResult<Option<Vec<usize>>> {
        let scratch = self.scratch.lock().unwrap();
        let rc = unsafe {
            pcre2_jit_match_8(
                self.code,
                subject.as_ptr(),
                subject.len(),
                0,
                0,
                scratch.data,
                scratch.context,
            )
        };
        if rc == PCRE2_ERROR_NOMATCH {
            return Ok(None);
        }
        if rc == PCRE2_ERROR_MATCHLIMIT && self.bounded {
            return Err(PyTimeoutError::new_err("grok match over its work bound"));
        }
        if rc < 0 {
            return Err(Exhausted::new_err(compile_error(rc, 0).to_string()));
        }
        let ovector = unsafe { pcre2_get_ovector_pointer_8(scratch.data) };
        let found = (rc as usize).min(self.groups + 1); // groups past `rc` did not take part
        let mut spans = vec![PCRE2_UNSET; 2 * self.groups];
        for group in 1..found {
            unsafe {
                spans[2 * group - 2] = *ovector.add(2 * group);
                spans[2 * group - 1] = *ovector.add(2 * group + 1);
            }
        }
        Ok(Some(spans))
    }

    /// The captures as a tuple of str (None where a group took no part).
    fn tuple(&self, py: Python<'_>, subject: &[u8], spans: &[usize]) -> PyResult<PyObject> {
        unsafe {
            let tuple = owned(py, ffi::PyTuple_New(self.groups as ffi::Py_ssize_t))?;
            for group in 0..self.groups {
                let start = spans[2 * group];
                let item = if start == PCRE2_UNSET {
                    ffi::Py_IncRef(ffi::Py_None());
                    ffi::Py_None()
                } else {
                    match owned(py, text_of(subject, start, spans[2 * group + 1])) {
                        Ok(item) => item,
                        Err(error) => {
                            ffi::Py_DecRef(tuple);
                            return Err(error);
                        }
                    }
                };
                ffi::PyTuple_SET_ITEM(tuple, group as ffi::Py_ssize_t, item);
            }
            Ok(Bound::from_owned_ptr(py, tuple)
                .downcast_into_unchecked::<PyTuple>()
                .into_any()
                .unbind())
        }
    }
}

/// A new str of `subject[start..end]` (ASCII), or null with the Python error set.
/// (made as an ASCII str directly: the subject is known to be ASCII, no scan for its widest)
unsafe fn text_of(subject: &[u8], start: usize, end: usize) -> *mut ffi::PyObject {
    let text = ffi::PyUnicode_New((end - start) as ffi::Py_ssize_t, 127);
    if !text.is_null() {
        ptr::copy_nonoverlapping(
            subject.as_ptr().add(start),
            ffi::PyUnicode_DATA(text) as *mut u8,
            end - start,
        );
    }
    text
}

/// Writes the captures into an event whose guard keys are all absent: nested dicts made the
/// first time a capture goes below them, in capture order, as grok's writer makes them.
struct Fill<'a> {
    layout: &'a Layout,
    event: *mut ffi::PyObject,
    made: Vec<*mut ffi::PyObject>, // borrowed: each is held by its parent
}

impl Fill<'_> {
    unsafe fn node(&mut self, py: Python<'_>, node: Option<usize>) -> PyResult<*mut ffi::PyObject> {
        let Some(n) = node else {
            return Ok(self.event);
        };
        if !self.made[n].is_null() {
            return Ok(self.made[n]);
        }
        let (parent, key) = &self.layout.nodes[n];
        let above = self.node(py, *parent)?;
        let dict = owned(py, ffi::PyDict_New())?;
        let rc = ffi::PyDict_SetItem(above, key.as_ptr(), dict);
        ffi::Py_DecRef(dict);
        if rc < 0 {
            return Err(PyErr::fetch(py));
        }
        self.made[n] = dict;
        Ok(dict)
    }

    unsafe fn write(&mut self, py: Python<'_>, subject: &[u8], spans: &[usize]) -> PyResult<()> {
        let layout = self.layout;
        for target in &layout.targets {
            let (start, end) = (spans[2 * target.group], spans[2 * target.group + 1]);
            if start == PCRE2_UNSET || (start == end && !layout.keep_empty) {
                continue;
            }
            let number = match target.convert {
                Convert::Int(_) => short_int(&subject[start..end]),
                _ => None,
            };
            let value = match (&target.convert, number) {
                (_, Some(number)) => owned(py, ffi::PyLong_FromLongLong(number))?,
                (Convert::Int(f) | Convert::Call(f), None) => {
                    let text = owned(py, text_of(subject, start, end))?;
                    let result = ffi::PyObject_CallOneArg(f.as_ptr(), text);
                    ffi::Py_DecRef(text);
                    owned(py, result)?
                }
                (Convert::Text, None) => owned(py, text_of(subject, start, end))?,
            };
            let node = match self.node(py, target.node) {
                Ok(node) => node,
                Err(error) => {
                    ffi::Py_DecRef(value);
                    return Err(error);
                }
            };
            let rc = ffi::PyDict_SetItem(node, target.leaf.as_ptr(), value);
            ffi::Py_DecRef(value);
            if rc < 0 {
                return Err(PyErr::fetch(py));
            }
        }
        Ok(())
    }
}

#[pymethods]
impl Matcher {
    /// Compile `pattern` (PCRE2 syntax, UTF, multiline, dot-all) with JIT; `match_limit` bounds
    /// the work of one match (0: no bound; reaching the largest one raises Exhausted).
    /// `fill` checks `literals` first; a `layout` (grok.writer.native_layout) lets it write.
    #[new]
    #[pyo3(signature = (pattern, match_limit, literals=Vec::new(), layout=None))]
    fn new(
        pattern: &str,
        match_limit: u32,
        literals: Vec<String>,
        layout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let options = PCRE2_UTF | PCRE2_MULTILINE | PCRE2_DOTALL | PCRE2_ALT_CIRCUMFLEX;
        let mut error = 0i32;
        let mut offset = 0usize;
        unsafe {
            let compile_context = pcre2_compile_context_create_8(ptr::null_mut());
            pcre2_set_newline_8(compile_context, PCRE2_NEWLINE_LF);
            let code = pcre2_compile_8(
                pattern.as_ptr(),
                pattern.len(),
                options,
                &mut error,
                &mut offset,
                compile_context,
            );
            pcre2_compile_context_free_8(compile_context);
            if code.is_null() {
                return Err(compile_error(error, offset));
            }
            let jit = pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE);
            if jit != 0 {
                pcre2_code_free_8(code);
                return Err(compile_error(jit, 0));
            }
            let mut count: u32 = 0;
            pcre2_pattern_info_8(
                code,
                PCRE2_INFO_CAPTURECOUNT,
                &mut count as *mut u32 as *mut _,
            );
            let layout = match layout {
                Some(layout) => match read_layout(layout, count as usize) {
                    Ok(layout) => Some(layout),
                    Err(error) => {
                        pcre2_code_free_8(code);
                        return Err(error);
                    }
                },
                None => None,
            };
            let context = pcre2_match_context_create_8(ptr::null_mut());
            pcre2_set_match_limit_8(
                context,
                if match_limit > 0 {
                    match_limit
                } else {
                    u32::MAX
                },
            );
            let stack = pcre2_jit_stack_create_8(JIT_STACK_START, JIT_STACK_MAX, ptr::null_mut());
            pcre2_jit_stack_assign_8(context, None, stack as *mut _);
            let data = pcre2_match_data_create_from_pattern_8(code, ptr::null_mut());
            Ok(Matcher {
                code,
                groups: count as usize,
                bounded: match_limit > 0,
                literals: literals
                    .into_iter()
                    .map(|l| Literal::new(l.into_bytes()))
                    .collect(),
                layout,
                scratch: Mutex::new(Scratch {
                    data,
                    context,
                    stack,
                }),
            })
        }
    }

    /// The number of capturing groups.
    #[getter]
    fn groups(&self) -> usize {
        self.groups
    }

    /// Match `text` (an ASCII str): a tuple of captures or None; TimeoutError past the bound,
    /// Exhausted when PCRE2 gave up otherwise (JIT stack, or no bound and the largest reached).
    fn __call__<'py>(&self, py: Python<'py>, text: &Bound<'py, PyString>) -> PyResult<PyObject> {
        let subject = ascii_bytes(py, text)?;
        match self.spans(subject)? {
            None => Ok(py.None()),
            Some(spans) => self.tuple(py, subject, &spans),
        }
    }

    /// Match `text` and merge its captures into `event`: None when a required literal is
    /// missing or it does not match, True when written here, else the tuple of captures for
    /// the Python writer (no layout, or the event has something under a guard key). Exhausted
    /// for a text that is not ASCII, and as `__call__` raises.
    fn fill<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<PyObject> {
        let subject = match ascii_bytes(py, text) {
            Ok(subject) => subject,
            Err(error) if error.is_instance_of::<PyValueError>(py) => {
                return Err(Exhausted::new_err("not ASCII: the text is for `regex`"))
            }
            Err(error) => return Err(error),
        };
        Ok(match self.fill_subject(py, subject, event.as_ptr())? {
            Filled::No => py.None(),
            Filled::Written => true.into_pyobject(py)?.to_owned().into_any().unbind(),
            Filled::Captures(tuple) => tuple,
        })
    }
}

/// What `fill` did with a text.
enum Filled {
    No,
    Written,
    Captures(PyObject),
}

impl Matcher {
    /// `fill` of an ASCII text's bytes.
    fn fill_subject(
        &self,
        py: Python<'_>,
        subject: &[u8],
        event: *mut ffi::PyObject,
    ) -> PyResult<Filled> {
        if !self.literals.iter().all(|l| l.in_text(subject)) {
            return Ok(Filled::No);
        }
        let Some(spans) = self.spans(subject)? else {
            return Ok(Filled::No);
        };
        let Some(layout) = &self.layout else {
            return Ok(Filled::Captures(self.tuple(py, subject, &spans)?));
        };
        unsafe {
            if ffi::PyDict_CheckExact(event) == 0 {
                return Ok(Filled::Captures(self.tuple(py, subject, &spans)?));
            }
            for guard in &layout.guards {
                let found: c_int = ffi::PyDict_Contains(event, guard.as_ptr());
                if found < 0 {
                    return Err(PyErr::fetch(py));
                }
                if found > 0 {
                    return Ok(Filled::Captures(self.tuple(py, subject, &spans)?));
                }
            }
            let mut fill = Fill {
                layout,
                event,
                made: vec![ptr::null_mut(); layout.nodes.len()],
            };
            fill.write(py, subject, &spans)?;
        }
        Ok(Filled::Written)
    }
}

/// What `Dispatch.run` leaves to Python for an event: no expression matched, one ran out of its
/// work bound, or the event is for the stage's own loop (no str, not ASCII, an expression not
/// native, PCRE2 gave up).
const FAILED: u8 = 0;
const TIMED_OUT: u8 = 1;
const ELSEWHERE: u8 = 2;

/// A grok stage's common case over a batch: one source field, break on the first match, each
/// expression's matcher and writer tried in order among those the text's first byte allows.
#[pyclass(frozen, module = "logpipe._grokmatch")]
struct Dispatch {
    source: Py<PyString>,
    plans: Vec<(Py<Matcher>, PyObject)>,
    /// per ASCII first byte: an index in `buckets`, or None for `others`
    first: Vec<Option<usize>>,
    /// plan indices in order; None where one of them is not native
    buckets: Vec<Option<Vec<usize>>>,
    others: Option<Vec<usize>>,
}

#[pymethods]
impl Dispatch {
    /// `plans`: (matcher, writer) pairs; `by_char`: first character -> plan indices (None where
    /// an expression is not native); `others`: the same for any other first character.
    #[new]
    fn new(
        source: Py<PyString>,
        plans: Vec<(Py<Matcher>, PyObject)>,
        by_char: HashMap<String, Option<Vec<usize>>>,
        others: Option<Vec<usize>>,
    ) -> PyResult<Self> {
        let count = plans.len();
        let valid = |bucket: &Option<Vec<usize>>| bucket.iter().flatten().all(|&i| i < count);
        if !valid(&others) || !by_char.values().all(valid) {
            return Err(PyValueError::new_err("a plan index out of range"));
        }
        let mut first = vec![None; 128];
        let mut buckets = Vec::new();
        for (char, bucket) in by_char {
            if let [byte] = char.as_bytes() {
                if *byte < 128 {
                    first[*byte as usize] = Some(buckets.len());
                    buckets.push(bucket);
                }
            }
        }
        Ok(Dispatch {
            source,
            plans,
            first,
            buckets,
            others,
        })
    }

    /// Match and write the events of `events` from `start` on, up to the first it leaves:
    /// (its index, FAILED | TIMED_OUT | ELSEWHERE, or the exception its writing raised); (the
    /// list's length, None) when it left none. Events after the one it leaves are not touched.
    fn run<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyList>,
        start: usize,
    ) -> PyResult<(usize, PyObject)> {
        let list = events.as_ptr();
        let mut index = start;
        // the length is read each time, and the event held: writers run Python code
        while index < unsafe { ffi::PyList_GET_SIZE(list) } as usize {
            let result = unsafe {
                let event = ffi::PyList_GET_ITEM(list, index as ffi::Py_ssize_t);
                ffi::Py_IncRef(event);
                let result = self.one(py, event);
                ffi::Py_DecRef(event);
                result
            };
            let why = match result {
                Ok(None) => {
                    index += 1;
                    continue;
                }
                Ok(Some(why)) => why.into_pyobject(py)?.into_any().unbind(),
                Err(error) => error.into_value(py).into_any(),
            };
            return Ok((index, why));
        }
        Ok((index, py.None()))
    }
}

impl Dispatch {
    /// One event: None when matched and written, else why it is left.
    fn one(&self, py: Python<'_>, event: *mut ffi::PyObject) -> PyResult<Option<u8>> {
        unsafe {
            if ffi::PyDict_CheckExact(event) == 0 {
                return Ok(Some(ELSEWHERE));
            }
            let text = ffi::PyDict_GetItemWithError(event, self.source.as_ptr());
            if text.is_null() {
                if !ffi::PyErr_Occurred().is_null() {
                    return Err(PyErr::fetch(py));
                }
                return Ok(Some(ELSEWHERE));
            }
            if ffi::PyUnicode_CheckExact(text) == 0 || ffi::PyUnicode_IS_ASCII(text) == 0 {
                return Ok(Some(ELSEWHERE));
            }
            let length = ffi::PyUnicode_GET_LENGTH(text) as usize;
            let subject =
                std::slice::from_raw_parts(ffi::PyUnicode_DATA(text) as *const u8, length);
            let bucket = match subject.first().and_then(|&b| self.first[b as usize]) {
                Some(n) => &self.buckets[n],
                None => &self.others,
            };
            let Some(bucket) = bucket else {
                return Ok(Some(ELSEWHERE));
            };
            // the text stays alive while it is matched: the event holds it, and only a writer
            // (Python code) could replace it, after which it is not read again
            ffi::Py_IncRef(text);
            let result = self.first_match(py, bucket, subject, event);
            ffi::Py_DecRef(text);
            result
        }
    }

    fn first_match(
        &self,
        py: Python<'_>,
        bucket: &[usize],
        subject: &[u8],
        event: *mut ffi::PyObject,
    ) -> PyResult<Option<u8>> {
        for &plan in bucket {
            let (matcher, writer) = &self.plans[plan];
            match matcher.get().fill_subject(py, subject, event) {
                Ok(Filled::No) => continue,
                Ok(Filled::Written) => return Ok(None),
                Ok(Filled::Captures(groups)) => {
                    let event = unsafe { Bound::from_borrowed_ptr(py, event) };
                    writer.call1(py, (event, groups))?;
                    return Ok(None);
                }
                Err(error) if error.is_instance_of::<PyTimeoutError>(py) => {
                    return Ok(Some(TIMED_OUT))
                }
                Err(error) if error.is_instance_of::<Exhausted>(py) => return Ok(Some(ELSEWHERE)),
                Err(error) => return Err(error),
            }
        }
        Ok(Some(FAILED))
    }
}

impl Drop for Matcher {
    fn drop(&mut self) {
        let scratch = self.scratch.get_mut().unwrap();
        unsafe {
            pcre2_match_data_free_8(scratch.data);
            pcre2_match_context_free_8(scratch.context);
            pcre2_jit_stack_free_8(scratch.stack);
            pcre2_code_free_8(self.code);
        }
    }
}

/// The native grok matcher (PCRE2 with JIT).
#[pymodule]
fn _grokmatch(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Matcher>()?;
    m.add_class::<Dispatch>()?;
    m.add_class::<columns::ColumnReader>()?;
    m.add_class::<mmdb::MmdbTree>()?;
    m.add_class::<stamps::StampCommon>()?;
    m.add_class::<geo::GeoCommon>()?;
    m.add_class::<docs::DocsCommon>()?;
    m.add_class::<walk::RedactWalk>()?;
    m.add_class::<conds::Chooser>()?;
    m.add_class::<route::RouteCommon>()?;
    m.add_class::<level::LevelCommon>()?;
    m.add_class::<digits::DigitsScan>()?;
    m.add_class::<lines::EventLines>()?;
    m.add_function(wrap_pyfunction!(lines::join_lines, m)?)?;
    m.add("FAILED", FAILED)?;
    m.add("TIMED_OUT", TIMED_OUT)?;
    m.add("ELSEWHERE", ELSEWHERE)?;
    m.add("Exhausted", m.py().get_type::<Exhausted>())?;
    Ok(())
}
