//! logpipe's grok matcher: one PCRE2 pattern compiled with JIT, matched under a work bound.
//!
//! One call per (pattern, text) returns what grok's writer needs: a tuple of the captured
//! strings (None where a group did not take part), or None when the text does not match.
//! Past the work bound the call raises TimeoutError, as the clock-limited path does.

use std::ptr;
use std::sync::Mutex;

use pcre2_sys::*;
use pyo3::exceptions::{PyTimeoutError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

pyo3::create_exception!(
    _grokmatch,
    Exhausted,
    pyo3::exceptions::PyException,
    "PCRE2 ran out of something other than the work bound: match this text another way."
);

/// JIT stack: starts small, grows to this (deep backtracking; past it -> Exhausted).
const JIT_STACK_START: usize = 32 * 1024;
const JIT_STACK_MAX: usize = 4 * 1024 * 1024;

/// What one match needs and a call may not share: match data, match context and JIT stack.
struct Scratch {
    data: *mut pcre2_match_data_8,
    context: *mut pcre2_match_context_8,
    stack: *mut pcre2_jit_stack_8,
}

// The pointers are used only under the matcher's mutex.
unsafe impl Send for Scratch {}

/// A compiled pattern; calling it with a text matches once.
#[pyclass(frozen, module = "logpipe._grokmatch")]
struct Matcher {
    code: *mut pcre2_code_8,
    groups: usize,
    bounded: bool,
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

#[pymethods]
impl Matcher {
    /// Compile `pattern` (PCRE2 syntax, UTF, multiline, dot-all) with JIT; `match_limit` bounds
    /// the work of one match (0: no bound; reaching the largest one raises Exhausted).
    #[new]
    fn new(pattern: &str, match_limit: u32) -> PyResult<Self> {
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
        let subject = bytes as *const u8;
        let scratch = self.scratch.lock().unwrap();
        let rc = unsafe {
            pcre2_jit_match_8(
                self.code,
                subject,
                size as usize,
                0,
                0,
                scratch.data,
                scratch.context,
            )
        };
        if rc == PCRE2_ERROR_NOMATCH {
            return Ok(py.None());
        }
        if rc == PCRE2_ERROR_MATCHLIMIT && self.bounded {
            return Err(PyTimeoutError::new_err("grok match over its work bound"));
        }
        if rc < 0 {
            return Err(Exhausted::new_err(compile_error(rc, 0).to_string()));
        }
        let ovector = unsafe { pcre2_get_ovector_pointer_8(scratch.data) };
        let found = (rc as usize).min(self.groups + 1); // groups past `rc` did not take part
        unsafe {
            let tuple = ffi::PyTuple_New(self.groups as ffi::Py_ssize_t);
            if tuple.is_null() {
                return Err(PyErr::fetch(py));
            }
            for group in 1..=self.groups {
                let start = *ovector.add(2 * group);
                let item = if group >= found || start == PCRE2_UNSET {
                    ffi::Py_IncRef(ffi::Py_None());
                    ffi::Py_None()
                } else {
                    let end = *ovector.add(2 * group + 1);
                    let item = ffi::PyUnicode_FromKindAndData(
                        ffi::PyUnicode_1BYTE_KIND as i32,
                        subject.add(start) as *const _,
                        (end - start) as ffi::Py_ssize_t,
                    );
                    if item.is_null() {
                        ffi::Py_DecRef(tuple);
                        return Err(PyErr::fetch(py));
                    }
                    item
                };
                ffi::PyTuple_SET_ITEM(tuple, (group - 1) as ffi::Py_ssize_t, item);
            }
            Ok(Bound::from_owned_ptr(py, tuple)
                .downcast_into_unchecked::<PyTuple>()
                .into_any()
                .unbind())
        }
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
    m.add("Exhausted", m.py().get_type::<Exhausted>())?;
    Ok(())
}
