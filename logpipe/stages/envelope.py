"""The `envelope` stage: unwraps what shippers and runtimes put around a raw line.

Built-in shapes (each can be turned off with `shapes`):
- `beats`: Filebeat / Elastic Agent Kafka output (`agent.type`, `@metadata.beat`, `log.file.path`,
  or 5.x/6.x `beat`/`source`/`offset`). Its fields are ECS already and merge as they are.
- `journald`: `journalctl -o json` (`MESSAGE` with `_PID`, `PRIORITY`, ...) and the text of
  `journalctl -o export` (`__CURSOR=...` then `KEY=value` lines).
- `vector`: Vector's JSON (`source_type`; file, docker_logs, kubernetes_logs, syslog, journald).
- `docker`: the json-file driver's `{"log": "...\\n", "stream": "stderr", "time": "..."}`.
- `fluentbit`: Fluent Bit's JSON (`log`/`message` with `date`, `kubernetes`, `stream`, `logtag`).
- `cri`: containerd / CRI-O text lines `<RFC3339Nano> stdout|stderr F|P <line>`.
Envelopes nest (Filebeat reading Docker's files, Fluent Bit without a CRI parser): the inner line
is unwrapped again, up to `max_depth`. The raw line goes to `message` for the later stages;
metadata lands in ECS fields: `host.*`, `agent.*`, `log.file.path`, `log.iostream` (stdout or
stderr: ECS has no field for the stream; `log.iostream` is OpenTelemetry's name for it, and
`log.origin.*` is ECS's place for the source-code location, not the stream), `container.*`,
`kubernetes.*` with `orchestrator.*`, `process.*`, `log.syslog.*`. The envelope's own time goes
to `@metadata.envelope.timestamp` (ISO 8601, UTC or with its offset): a timestamp stage lists it
last, so it is the fallback when the line has no time of its own.
Partial lines (a line longer than the runtime's 16 KiB buffer, split): CRI `P` parts inside one
message are joined with the `F` line that ends them. A piece that ends a message (CRI `P`, a
Docker `log` without its newline, Fluent Bit's `logtag: P`) is held, per partition, key, file or
container and stream, until the message with the rest arrives, and indexed as one line under
the first piece's id (logpipe.stages.partials); after `partial_wait_seconds` it is indexed as
it is, tagged `_partial_line`.
A JSON line that is no envelope is handed to `parse` decoded (`@metadata._decoded`), so it is
decoded once. Lines over `max_bytes` are left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from logpipe.fields import add_tag, put
from logpipe.metadata import DECODED, hand_decoded, mark_parsed, set_envelope
from logpipe.stages.base import BuildContext, HoldingStage, Partition, StageConfig
from logpipe.stages.envelope_shapes import (
    DETECT,
    HANDLE,
    MARKERS,
    STREAMS,
    TIME_KEYS,
    Handler,
    custom_handler,
    handle_journald,
    iso,
    orchestrator,
    requires,
    split_image_tag,
    take_time,
)
from logpipe.stages.merging import too_deep
from logpipe.stages.partials import PARTIAL_TAG, PartialLines

Shape = Literal["beats", "journald", "vector", "docker", "fluentbit", "cri"]
ALL_SHAPES: tuple[Shape, ...] = ("beats", "journald", "vector", "docker", "fluentbit", "cri")
_MAX_DEPTH = 64  # as the parse stage's default max_depth
_STREAM_SHAPES = frozenset({"cri", "docker", "fluentbit"})  # whose lines the runtime may split
# What follows a CRI line's time: lines without it (an RFC 3339 syslog line) skip the CRI parse.
_CRI_STREAMS = tuple(f"{stream} " for stream in sorted(STREAMS))


class CustomShape(BaseModel):
    """A shape of your own: JSON objects holding every `require` key are unwrapped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    require: tuple[str, ...] = Field(min_length=1)
    message: str
    time: str | None = None
    fields: dict[str, str] = {}  # envelope key -> event path; other keys merge as they are
    drop: tuple[str, ...] = ()


class EnvelopeConfig(StageConfig):
    """Options of the `envelope` stage."""

    field: str = "message"
    shapes: tuple[Shape, ...] = ALL_SHAPES
    custom: tuple[CustomShape, ...] = ()
    time_target: str = "@metadata.envelope.timestamp"
    keep_original: bool = False  # `event.original`: the whole message as it arrived
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_depth: int = Field(default=3, ge=1, le=10)
    # A line split across messages is held this long for its rest (0: indexed piece by piece).
    partial_wait_seconds: float = Field(default=5.0, ge=0)
    partial_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    partial_max_open: int = Field(default=10_000, ge=1)


class _FieldsOnly(str):
    """The inner "line" of an envelope that carries fields but no raw line."""


FIELDS_ONLY = _FieldsOnly()


class EnvelopeStage(HoldingStage):
    """Unwrap shipper and runtime envelopes into the raw line plus ECS metadata; never raise."""

    Config = EnvelopeConfig

    def __init__(self, config: EnvelopeConfig, context: BuildContext) -> None:
        self.config = config
        self._field = config.field
        self._cri = "cri" in config.shapes
        self._export = "journald" in config.shapes  # also `journalctl -o export` text
        self._json = any(shape != "cri" for shape in config.shapes) or bool(config.custom)
        handlers: list[tuple[Callable[[dict], bool], Handler, tuple[str, ...], str]] = [
            (
                requires(c.require),
                custom_handler(c.message, c.fields, c.drop),
                (c.time,) if c.time else (),
                c.name,
            )
            for c in config.custom
        ]
        for shape in ("journald", "beats", "vector", "docker", "fluentbit"):
            if shape in config.shapes:
                handlers.append((DETECT[shape], HANDLE[shape], TIME_KEYS[shape], shape))
        self._handlers = handlers
        # Keys one of which every enabled shape has: a JSON line with none of them is no envelope.
        self._markers = frozenset(
            key for shape in config.shapes if shape != "cri" for key in MARKERS[shape]
        ) | frozenset(key for custom in config.custom for key in custom.require)
        self._time_target = config.time_target
        self._partials = (
            PartialLines(
                config.field,
                config.partial_wait_seconds,
                config.partial_max_bytes,
                config.partial_max_open,
            )
            if config.partial_wait_seconds > 0
            else None
        )

    def __call__(self, events: list[dict]) -> list[dict]:
        field, json, cri, markers = self._field, self._json, self._cri, self._markers
        limit, partials, export = self.config.max_bytes, self._partials, self._export
        out: list[dict] = []
        append = out.append
        for event in events:
            raw = event.get(field)
            if raw.__class__ is not str or not raw:
                append(event)
                continue
            first = raw[0]
            if first == "{" and json and len(raw) <= limit:  # the common JSON case, inline
                try:
                    doc = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    doc = None
                if doc.__class__ is not dict:
                    append(event)
                    continue
                if markers.isdisjoint(doc):
                    # `hand_decoded`, inline where @metadata is a dict: every JSON line comes here
                    meta = event.get("@metadata")
                    if meta.__class__ is dict:
                        meta[DECODED] = (raw, doc)
                    else:
                        hand_decoded(event, raw, doc)
                    append(event)
                    continue
                if _nested_too_deep(raw, doc):
                    append(event)
                    continue
                streamed = self._one(event, raw, doc)
            # CRI lines start with a date (`2026-11-26T...`) and its stream (`_may_be_cri`, inline)
            elif (
                (cri and raw[10:11] == "T" and raw.startswith(_CRI_STREAMS, raw.find(" ") + 1))
                or first.isspace()
                or (export and first == "_" and raw.startswith("__"))
            ):
                streamed = self._one(event, raw)
            else:
                append(event)
                continue
            if streamed and partials is not None:
                tags = event.get("tags")
                partial = isinstance(tags, list) and PARTIAL_TAG in tags
                if partial or partials.held():
                    partials.take(event, partial, out)
                    continue
            append(event)
        if partials is not None and partials.held():
            out.extend(partials.flush_expired(time.monotonic()))
        return out

    # HoldingStage (stages.base): pieces of split lines wait in `_partials`.
    @property
    def joined(self) -> int:
        return self._partials.joined if self._partials is not None else 0

    def held(self) -> int:
        return self._partials.held() if self._partials is not None else 0

    def held_offsets(self) -> dict[Partition, int]:
        return self._partials.held_offsets() if self._partials is not None else {}

    def flush_expired(self, now: float) -> list[dict]:
        return self._partials.flush_expired(now) if self._partials is not None else []

    def release(self, partitions: set[Partition]) -> None:
        if self._partials is not None:
            self._partials.release(partitions)

    def _one(self, event: dict, raw: str, doc: dict | None = None) -> bool:
        """Unwrap `raw` (decoded as `doc` when JSON); whether a runtime's stream line came out."""
        line, formats, stamp = raw, [], None
        for _ in range(self.config.max_depth):
            if len(line) > self.config.max_bytes:
                break
            first = line[:1]
            if first.isspace():
                first = line.lstrip()[:1]
            if doc is not None:
                inner, fmt, when = self._detect(event, doc)
                doc = None
            elif first == "{" and self._json:
                inner, fmt, when = self._unwrap_json(event, line)
            elif self._cri and first.isdigit() and _may_be_cri(line):
                inner, fmt, when = _unwrap_cri(event, line)
            elif self._export and line.startswith("__"):
                inner, fmt, when = self._unwrap_export(event, line)
            else:
                break
            if inner is None:
                break
            line = inner
            formats.append(fmt)
            stamp = stamp or when
            if inner is FIELDS_ONLY:
                break
        if not formats:
            return False
        set_envelope(event, formats)
        if line is FIELDS_ONLY:  # nothing left for parse or grok
            event.pop(self._field, None)
            mark_parsed(event, formats[-1])
        else:
            event[self._field] = line
        if stamp:
            put(event, self._time_target, stamp)
        if self.config.keep_original:
            put(event, "event.original", raw)
        orchestrator(event)
        split_image_tag(event)
        return formats[-1] in _STREAM_SHAPES and line is not FIELDS_ONLY

    def _unwrap_json(self, event: dict, line: str) -> tuple[str | None, str, str | None]:
        """The inner line of a JSON envelope, its shape and time; else (None, "", None)."""
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None, "", None
        if type(doc) is not dict:
            return None, "", None
        if not self._markers.isdisjoint(doc) and not _nested_too_deep(line, doc):
            return self._detect(event, doc)
        hand_decoded(event, line, doc)  # not an envelope: the parse stage takes it
        return None, "", None

    def _unwrap_export(self, event: dict, text: str) -> tuple[str | None, str, str | None]:
        """journald's export format: `KEY=value` lines (`__CURSOR=...`, `MESSAGE=...`)."""
        if "\nMESSAGE=" not in text:
            return None, "", None
        entry, _, rest = text.partition("\n\n")
        doc = dict(line.partition("=")[::2] for line in entry.split("\n") if "=" in line)
        if rest.strip():
            add_tag(event, "_journald_more_entries")  # one entry per message is expected
        stamp = take_time(doc, "journald", TIME_KEYS["journald"])
        return handle_journald(event, doc), "journald", stamp

    def _detect(self, event: dict, doc: dict) -> tuple[str | None, str, str | None]:
        """Unwrap `doc` with the first shape that claims it."""
        for detect, handle, time_keys, name in self._handlers:
            if detect(doc):
                stamp = take_time(doc, name, time_keys)
                inner = handle(event, doc)
                return (FIELDS_ONLY if inner is None else inner), name, stamp
        return None, "", None


def _nested_too_deep(line: str, doc: dict) -> bool:
    """Deeper than an index takes: left to `parse`, which tags it `_json_too_deep`."""
    return line.count("{") + line.count("[") > _MAX_DEPTH and too_deep(doc, _MAX_DEPTH)


# --- CRI -------------------------------------------------------------------------------------


def _may_be_cri(line: str) -> bool:
    """Whether `line` starts as a CRI line does: a date (`2026-11-26T...`), then its stream."""
    return line[10:11] == "T" and line.startswith(_CRI_STREAMS, line.find(" ") + 1)


def _cri_line(line: str) -> tuple[str, str, str, str] | None:
    """(time, stream, tag, content) of a CRI log line, else None."""
    parts = line.split(" ", 3)
    if len(parts) < 3 or parts[1] not in STREAMS or parts[2] not in ("F", "P"):
        return None
    stamp = parts[0]
    if len(stamp) < 20 or stamp[4] != "-" or stamp[10] != "T":
        return None
    return stamp, parts[1], parts[2], parts[3] if len(parts) == 4 else ""


def _unwrap_cri(event: dict, text: str) -> tuple[str | None, str, str | None]:
    """Strip CRI prefixes; `P` parts join the line that follows them within this message."""
    first = _cri_line(text if "\n" not in text else text[: text.index("\n")])
    if first is None:
        return None, "", None
    lines: list[str] = []
    pending: list[str] = []  # `P` parts waiting for the line that ends them
    for raw in text.split("\n") if "\n" in text else (text,):
        parsed = _cri_line(raw)
        if parsed is not None and parsed[2] == "P":
            pending.append(parsed[3])
            continue
        pending.append(raw if parsed is None else parsed[3])  # a non-CRI line is kept as it is
        lines.append("".join(pending))
        pending = []
    if pending:
        lines.append("".join(pending))
        add_tag(event, PARTIAL_TAG)
    put(event, "log.iostream", first[1])
    return "\n".join(lines), "cri", iso(first[0])
