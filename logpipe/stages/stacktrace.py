"""The `stacktrace` stage: finds Java, Python, Go, Node.js, .NET and Ruby traces; fills error.*."""

from __future__ import annotations

import re
from typing import ClassVar, NamedTuple

from logpipe.fields import split_path
from logpipe.stages.base import BuildContext, EventStage, StageConfig

DEFAULT_SOURCES = (
    "error.stack_trace",
    "stack_trace",
    "stacktrace",
    "error.stack",
    "err.stack",
    "exception",
    "exception.stacktrace",
    "Exception",
    "@x",
    "exc_info",
    "exc_text",
    "traceback",
    "stack",
    "error",  # a trace logged as a plain `error` or `err` string (winston, Go's zap errorVerbose)
    "err",
    "message",
)
_BACK_LINES = 50  # how far above the first frame a header may sit

# A qualified name ending in a PascalCase part (Java, Kotlin, .NET), or a bare *Error/*Exception.
_TYPE = (
    r"(?:[A-Za-z_$][\w$]*\.)+[A-Z_$][\w$]*"
    r"|(?:[A-Z$_][\w$]*)?(?:Error|Exception|Throwable|Fault|Failure|Panic)"
)
_CODE = r"(?: \[(?P<code>[\w-]+)\])?"
_HEADER = re.compile(
    r"[ \t]*(?:Exception in thread \"[^\"]*\" |Unhandled [Ee]xception[.:] "
    r"|Uncaught (?:exception )?)?"
    rf"(?P<type>{_TYPE}){_CODE}(?::[ \t]*(?P<msg>.*))?"
)
_HEADER_INLINE = re.compile(rf"(?:^|[\s:\]])(?P<type>{_TYPE}){_CODE}: (?P<msg>.*)")
_CAUSE = re.compile(
    r"^(?:Caused by: | ?---> (?:\(Inner Exception #\d+\) )?|[ \t]*\[cause\]: )(?P<rest>.*)$", re.M
)
# Frames: JVM `at p.C.m(C.java:1) ~[x.jar]`, .NET `at N.C.M() in f.cs:line 9`, Node `at fn
# (file:1:2)`, `at file:1:2`, `at x (native)`. Candidate lines are found by their `at ` prefix;
# the rest is checked with string operations (see _is_frame): linear time on any input.
_AT_PREFIX = re.compile(r"^[ \t]+at ", re.M)
_NODE_NAME = re.compile(r"(?:async |new )?[^\s()]+(?: \[as [^\]\s]+\])?")
_MAX_FRAME = 4096  # a longer line is no frame
_SPACE = re.compile(r"\s")
_SPACE_OR_PAREN = re.compile(r"[\s()]")

# An exception line with no frames: `java.lang.NullPointerException: null` after Spring's "with
# root cause", `Unhandled Exception: System.IO.FileNotFoundException: ...`. A qualified name
# ending in Exception/Error/Throwable, at the start of a line.
_LONE = re.compile(
    r"^[ \t]*(?P<prefix>Exception in thread \"[^\"\n]*\" |Unhandled [Ee]xception[.:] )?"
    r"(?P<type>(?:[A-Za-z_$][\w$]*\.)+[A-Z_$][\w$]*(?:Exception|Error|Throwable))"
    r"(?::[ \t]*(?P<msg>[^\n]*))?$",
    re.M,
)

_PY_BLOCK = re.compile(
    r"^(?P<pre>[ \t|+]*)(?:Exception Group )?Traceback \(most recent call last\):", re.M
)
_PY_EXC = re.compile(r"(?P<type>[A-Za-z_][\w.]*)(?::[ \t]?(?P<msg>.*))?")

_GO_HEADER = re.compile(r"^(?P<type>panic|fatal error|SIG[A-Z]+): (?P<msg>.*)$", re.M)
_GO_GOROUTINE = re.compile(r"^goroutine \d+ \[", re.M)
_GO_FRAME = re.compile(r"^\t\S+\.go:\d+", re.M)

_RB_FRAME = re.compile(r"^[ \t]*(?:from )?\S[^\n]*?:\d+:in ?[`']", re.M)
_RB_LOCATION = re.compile(r":\d+:in ?[`'][^`'\n]*['`]: ")
_RB_FROM = re.compile(r"[ \t]*(?:\d+: )?from ")
_RB_TYPE_TAIL = re.compile(r" \((?P<type>[A-Z]\w*(?:::[A-Z]\w*)*)\)$")
_RB_HEADER = re.compile(r"(?P<type>[A-Z]\w*(?:::[A-Z]\w*)*)(?: \((?P<pmsg>.*)\):|: (?P<msg>.*))$")


class Trace(NamedTuple):
    """What a trace tells: top exception, full text, and the root cause when chained."""

    type: str | None
    message: str | None
    text: str
    cause_type: str | None = None
    cause_message: str | None = None
    code: str | None = None


class StackTraceConfig(StageConfig):
    """Where traces are looked for, in order, and whether existing `error.*` values are replaced."""

    renamed: ClassVar[dict[str, str]] = {"source": "fields"}
    fields: tuple[str, ...] = DEFAULT_SOURCES
    overwrite: bool = False
    root_cause: bool = True


class StackTraceStage(EventStage):
    """Fill `error.type`, `.message`, `.stack_trace` (and `error.cause.*`) from a trace."""

    Config = StackTraceConfig
    kind = "stacktrace"

    def __init__(self, config: StackTraceConfig, context: BuildContext) -> None:
        self.config = config
        self._sources = [split_path(path) for path in config.fields]
        # Most events hold no source but `message`: that one is screened inline.
        self._screen_message = ("message",) in self._sources
        self._roots = frozenset(parts[0] for parts in self._sources if parts != ("message",))

    def candidates(self, events: list[dict]) -> list[dict]:
        """The events holding a source field; a `message` without a trace's marks is passed by."""
        roots, screen_message = self._roots, self._screen_message
        if not screen_message:
            return [event for event in events if not roots.isdisjoint(event)]
        return [
            event
            for event in events
            if not roots.isdisjoint(event)
            or (
                (message := event.get("message")) is not None
                # `_no_trace`, inline: a call per event here measurably slows this stage
                and not (
                    message.__class__ is str and "\n" not in message and "xception" not in message
                )
            )
        ]

    def apply(self, event: dict) -> None:
        for parts in self._sources:
            value = event.get(parts[0])
            if value is None or (len(parts) > 1 and (value := _get(value, parts[1:])) is None):
                continue
            if isinstance(value, list):
                value = "\n".join(v for v in value if isinstance(v, str))
            if not isinstance(value, str):
                continue
            if "\n" in value:
                trace = parse(value)
            elif _no_trace(value):
                continue
            else:
                trace = lone_exception(value)
            if trace is not None:
                self._fill(event, trace, parts == ("error",))
                return

    def _fill(self, event: dict, trace: Trace, from_error: bool = False) -> None:
        error = event.get("error")
        if not isinstance(error, dict):
            # A plain `error` string becomes error.message, unless it is the trace itself.
            keep = error is not None and not from_error
            error = event["error"] = {"message": str(error)} if keep else {}
        over = self.config.overwrite
        if trace.type and (over or "type" not in error):
            error["type"] = trace.type
        if trace.message is not None and (over or "message" not in error):
            error["message"] = trace.message
        if trace.code and (over or "code" not in error):
            error["code"] = trace.code
        if over or "stack_trace" not in error:
            error["stack_trace"] = trace.text
        if self.config.root_cause and trace.cause_type and (over or "cause" not in error):
            cause = {"type": trace.cause_type}
            if trace.cause_message is not None:
                cause["message"] = trace.cause_message
            error["cause"] = cause


def _no_trace(text: str) -> bool:
    """Whether `text` is one line that cannot hold a trace: on one line, lone_exception only
    takes a line led by `Exception in thread "..."` or `Unhandled exception`."""
    return "\n" not in text and "xception" not in text


def _get(node: dict, parts: tuple[str, ...]) -> object:
    value: object = node
    for part in parts:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def parse(text: str) -> Trace | None:
    """Return the trace found in `text`, or None; the language is told by its frame syntax."""
    if "Traceback (most recent call last):" in text:
        trace = _parse_python(text)
        if trace.type is None and ":in " in text:  # Ruby 2.5-2.7 print theirs in reverse
            frame = _RB_FRAME.search(text)
            ruby = _parse_ruby(text, frame.start()) if frame else None
            return ruby if ruby is not None and ruby.type else trace
        return trace
    if "goroutine " in text or ".go:" in text:
        trace = _parse_go(text)
        if trace:
            return trace
    if "at " in text:
        frame = _first_at_frame(text)
        if frame >= 0:
            return _parse_at_frames(text, frame)
    if ":in " in text:
        frame = _RB_FRAME.search(text)
        if frame:
            return _parse_ruby(text, frame.start())
    return lone_exception(text)


def lone_exception(text: str) -> Trace | None:
    """A qualified exception line without frames (see _LONE), or None.

    Without a prefix (`Unhandled Exception:`) it must follow a log line, as Spring's root cause
    does: a message that is nothing but `x.y.SomeException: ...` is left alone.
    """
    for m in _LONE.finditer(text):
        if m["prefix"] or m.start():
            start = m.start() + len(m[0]) - len(m[0].lstrip())
            return Trace(m["type"], m["msg"], text[start:].rstrip())
    return None


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _first_at_frame(text: str) -> int:
    """Where the first `at ...` frame line starts, or -1."""
    for m in _AT_PREFIX.finditer(text):
        end = text.find("\n", m.end())
        body = text[m.end() : end if end >= 0 else len(text)].rstrip(" \t\r")
        if _is_frame(body):
            return m.start()
    return -1


def _is_frame(body: str) -> bool:
    """Whether the text after `at ` is a JVM, .NET or Node.js frame."""
    if not body or len(body) > _MAX_FRAME:
        return False
    if body[-1] == "]":  # JVM packaging data: `... ~[spring-core.jar:5.3.20]`, `[classes/:na]`
        cut = body.rfind("[")
        head = body[: cut - 1 if body[cut - 1 : cut] == "~" else cut].rstrip()
        return head.endswith(")") and _is_call(head)
    if body[-1].isdigit() and " in " in body:  # .NET `... in f.cs:line 9`, Mono `... in <x>:0`
        head, _, where = body.rpartition(" in ")
        if not where.rpartition(":")[2].removeprefix("line ").isdecimal():
            return False
        if head.endswith("]") and "[0x" in head:  # Mono's IL offset `[0x00028]`
            head = head[: head.rfind("[0x")].rstrip()
        return head.endswith(")") and (_is_call(head) or _is_spaced_call(head))
    if body[-1] == ")":
        return _is_call(body) or _is_node_call(body)
    return _is_location(body)


def _is_call(body: str) -> bool:
    """`name(...)` where the name has no whitespace (JVM, .NET)."""
    paren = body.find("(")
    return paren > 0 and _SPACE.search(body, 0, paren) is None


def _is_spaced_call(body: str) -> bool:
    """Mono's `Name (args)`: a name without whitespace, a space, then the arguments."""
    split = body.find(" (")
    return split > 0 and _SPACE.search(body, 0, split) is None


def _is_node_call(body: str) -> bool:
    """`fn (file:1:2)`, `async fn (...)`, `new X (...)`, `a.b [as c] (...)`, `x (native)`."""
    split = body.find(" (", 6 if body.startswith(("async ", "new ")) else 0)
    if split <= 0 or not _NODE_NAME.fullmatch(body, 0, split):
        return False
    inside = body[split + 2 : -1]
    if inside in ("native", "<anonymous>"):
        return True
    return _is_location(inside) or (inside.startswith("index ") and inside[6:].isdecimal())


def _is_location(text: str) -> bool:
    """`file:line:column` without whitespace or parentheses."""
    parts = text.rsplit(":", 2)
    return (
        len(parts) == 3
        and bool(parts[0])
        and parts[1].isdecimal()
        and parts[2].isdecimal()
        and _SPACE_OR_PAREN.search(parts[0]) is None
    )


def _strip_recovered(message: str) -> str:
    """Go's `boom [recovered]` (and `[recovered, repanicked]`) suffixes, removed."""
    text = message.rstrip()
    while text.endswith("]"):
        start = text.rfind("[recovered")
        if start < 0 or "]" in text[start:-1]:
            break
        text = text[:start].rstrip()
    return text


def _parse_at_frames(text: str, first_frame: int) -> Trace:
    """Java, Kotlin, Scala, .NET and Node.js: a header line, then `at ...` frames."""
    head_end = max(first_frame - 1, 0)
    lines = text[:head_end].split("\n") if head_end else []
    top = None
    start = first_frame
    msg_lines: list[str] = []
    offset = head_end
    for line in reversed(lines[-_BACK_LINES:]):
        offset -= len(line) + 1
        if not line.strip():
            break
        if _CAUSE.match(line):
            msg_lines = []
            continue
        m = _HEADER.fullmatch(line)
        if m:
            top, start = m, offset + 1 + len(line) - len(line.lstrip())
            break
        msg_lines.append(line)
    if top is None and lines:
        m = _HEADER_INLINE.search(lines[-1])
        if m:
            top, start, msg_lines = m, head_end - len(lines[-1]) + m.start("type"), []
    if top is None:
        return Trace(None, None, text[first_frame:].rstrip())
    message = top["msg"]
    causes: list[str] = []
    if message is not None:
        message, *causes = message.split(" ---> ")
        if msg_lines:
            message = "\n".join([message, *reversed(msg_lines)])
    causes.extend(m["rest"] for m in _CAUSE.finditer(text, start))
    cause_type = cause_message = None
    for cause in reversed(causes):
        m = _HEADER.fullmatch(cause)
        if m:
            cause_type, cause_message = m["type"], m["msg"]
            break
    trace_text = text[start:].rstrip()
    return Trace(top["type"], message, trace_text, cause_type, cause_message, top["code"])


def _parse_python(text: str) -> Trace:
    """Python: an exception line ends each `Traceback` block; the last block is what was raised."""
    blocks = list(_PY_BLOCK.finditer(text))
    if not blocks:  # the header shares a line with something else
        start = text.index("Traceback (most recent call last):")
        found = _python_exception(text, start, 0)
        return Trace(*(found or (None, None)), text[start:].rstrip())
    depth = min(len(b["pre"]) for b in blocks)
    found = [_python_exception(text, b.end(), depth) for b in blocks if len(b["pre"]) == depth]
    found = [f for f in found if f is not None]
    last = found[-1] if found else (None, None)
    first = found[0] if len(found) > 1 else (None, None)
    return Trace(*last, text[blocks[0].start() :].rstrip(), *first)


def _python_exception(text: str, pos: int, depth: int) -> tuple[str, str | None] | None:
    """The first line below a `Traceback` header that is not indented (after group `|` bars)."""
    end = text.find("\n", pos)
    while end >= 0:
        start, end = end + 1, text.find("\n", end + 1)
        line = text[start:end] if end >= 0 else text[start:]
        body = line[depth:] if not line[:depth].strip(" \t|+") else line
        if not body.strip() or body[0] in " \t>":  # loguru marks the failing frame with `>`
            continue
        m = _PY_EXC.fullmatch(body.rstrip())
        return (m["type"], m["msg"]) if m else None
    return None


def _parse_go(text: str) -> Trace | None:
    """Go: `panic:`, `fatal error:` or a signal, then goroutine dumps; or bare `x.go:N` frames."""
    goroutine = _GO_GOROUTINE.search(text)
    frames = goroutine or _GO_FRAME.search(text)
    if frames is None:
        return None
    header = _GO_HEADER.search(text, 0, frames.start())
    if header:
        message = _strip_recovered(header["msg"])
        return Trace(header["type"], message, text[header.start() :].rstrip())
    start = frames.start() if goroutine else _go_frames_start(text, frames.start())
    return Trace(None, None, text[start:].rstrip())


def _go_frames_start(text: str, frame: int) -> int:
    """A bare Go frame is `func(args)` on one line and `\\tfile.go:N` on the next."""
    return _line_start(text, max(frame - 1, 0))


def _parse_ruby(text: str, first_frame: int) -> Trace:
    """Ruby: `file:N:in 'm': msg (Type)` with `from` lines below (or, reversed, above it), or a
    `Type: msg` / Rails `Type (msg):` header line above the frames."""
    pos = first_frame
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if pos == first_frame or not _RB_FROM.match(line):
            loc = _RB_LOCATION.search(line)
            tail = _RB_TYPE_TAIL.search(line, loc.end()) if loc else None
            if tail:
                start = first_frame + len(text[first_frame:]) - len(text[first_frame:].lstrip())
                return Trace(tail["type"], line[loc.end() : tail.start()], text[start:].rstrip())
            if pos != first_frame:
                break
        pos = end + 1
    header_end = first_frame - 1
    while header_end > 0:  # above the frames, past other `from` lines
        prev_start = _line_start(text, header_end)
        prev = text[prev_start:header_end]
        if not _RB_FROM.match(prev):
            h = _RB_HEADER.fullmatch(prev.strip())
            if h:
                msg = h["pmsg"] if h["pmsg"] is not None else h["msg"]
                return Trace(h["type"], msg, text[prev_start:].strip())
            break
        header_end = prev_start - 1
    return Trace(None, None, text[first_frame:].rstrip())
