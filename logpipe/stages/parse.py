"""The `parse` stage: JSON-object lines become fields; anything else stays a plain `message`.

Decisions (Logstash's json filter, made safe for a mixed stream):
- Only lines starting with `{` are parsed; others stay plain and untagged unless `tag_non_json`,
  except a line that is a whole JSON array (non-object JSON): `_jsonparsefailure`.
- A JSON `message` that is not a string is stored as its JSON text; without one (or null) the
  raw line stays in `message`. JSON `tags` are merged into the event's tags as strings.
- A JSON `@timestamp` stays at `@timestamp`, raw, for the timestamp stage to normalise.
- A JSON `@metadata` never replaces the event's metadata: it is kept as `_@metadata`.
- A value in the way of a field logpipe writes (`"event": "login"` vs `event.original`) is
  moved aside to `_<name>` (`_event`), as Logstash does with `_@timestamp`.
- Before parsing: NULs are stripped (`_nul_removed`), lone surrogates replaced
  (`_utf8_replaced`), lines over `max_bytes` cut at a character boundary (`_truncated`) and
  not parsed. With `keep_original`, `event.original` gets the (cleaned) line for every event
  unless something upstream already set it.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import Field

from logpipe.fields import add_tag, put, split_path
from logpipe.stages.base import BuildContext, StageConfig


class ParseConfig(StageConfig):
    """Options of the `parse` stage."""

    field: str = "message"
    target: str | None = None
    keep_original: bool = True
    tag_non_json: bool = False
    max_depth: int = Field(default=64, ge=1, le=1000)
    max_bytes: int = Field(default=1024 * 1024, ge=1)
    tag_on_failure: tuple[str, ...] = ("_jsonparsefailure",)


def _as_text(value: Any) -> str:
    """A string as is; anything else as its JSON text (or `str()` when not JSON-serialisable)."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _is_json(line: str) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _too_deep(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (the top-level object is depth 1)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


class ParseStage:
    """Decode JSON-object lines into event fields; tag what cannot be decoded, never raise."""

    Config = ParseConfig

    def __init__(self, config: ParseConfig, context: BuildContext) -> None:
        self.config = config
        self._field = config.field
        self._nested_field = len(split_path(config.field)) > 1
        self._keep = config.keep_original
        self._max_bytes = config.max_bytes
        self._tags = config.tag_on_failure

    def __call__(self, events: list[dict]) -> list[dict]:
        for event in events:
            self._one(event)
        return events

    def _one(self, event: dict) -> None:
        raw = None if self._nested_field else event.get(self._field)
        if type(raw) is not str:
            raw = self._get_raw(event)
            if raw is None:
                return
        line, truncated = raw, False
        if "\x00" in line or len(line) > self._max_bytes or not line.isascii():
            line, truncated = self._clean(event, raw)
            if line is not raw:
                self._set_raw(event, line)
        node = event.get("event")
        keep = self._keep and not (type(node) is dict and "original" in node)  # upstream's wins
        if not truncated:
            self._decode(event, line)
        if keep:
            node = event.get("event")
            if node is None:
                event["event"] = {"original": line}
            elif type(node) is dict:
                node["original"] = line
            else:
                put(event, "event.original", line)

    def _decode(self, event: dict, line: str) -> None:
        """Parse a JSON-object line into the event (root or target); tag what does not parse."""
        cfg = self.config
        first = line[:1]
        if first.isspace():
            first = line.lstrip()[:1]
        if first != "{":
            # `[2026-11-26 10:00:00] ...` is plain text; only a real JSON array is a failure.
            if cfg.tag_non_json or (first == "[" and _is_json(line)):
                self._fail(event)
            return
        try:
            parsed = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            self._fail(event)
            if "depth limit" in str(exc):
                add_tag(event, "_json_too_deep")
            return
        if not isinstance(parsed, dict):
            self._fail(event)
            return
        if line.count("{") + line.count("[") > cfg.max_depth and _too_deep(parsed, cfg.max_depth):
            self._fail(event)
            add_tag(event, "_json_too_deep")
            return
        if cfg.target is not None:
            put(event, cfg.target, parsed)
        else:
            self._merge(event, parsed)

    def _get_raw(self, event: dict) -> str | None:
        """The line to parse; bytes are decoded (tagged when not UTF-8); other types are skipped."""
        if self._nested_field:
            node: Any = event
            for part in split_path(self._field):
                node = node.get(part) if isinstance(node, dict) else None
            raw = node
        else:
            raw = event.get(self._field)
        if type(raw) is str:
            return raw
        if isinstance(raw, (bytes, bytearray)):
            try:
                raw = raw.decode()
            except UnicodeDecodeError:
                raw = raw.decode(errors="replace")
                add_tag(event, "_utf8_replaced")
            self._set_raw(event, raw)
        return raw if isinstance(raw, str) else None

    def _set_raw(self, event: dict, line: str) -> None:
        if self._nested_field:
            put(event, self._field, line)
        else:
            event[self._field] = line

    def _clean(self, event: dict, line: str) -> tuple[str, bool]:
        """Strip NULs, replace lone surrogates, truncate to `max_bytes` (tagging each)."""
        if "\x00" in line:
            line = line.replace("\x00", "")
            add_tag(event, "_nul_removed")
        max_bytes = self.config.max_bytes
        if line.isascii():
            if len(line) > max_bytes:
                add_tag(event, "_truncated")
                return line[:max_bytes], True
            return line, False
        try:
            data = line.encode()
        except UnicodeEncodeError:  # lone surrogates cannot be indexed
            data = line.encode(errors="replace")
            line = data.decode()
            add_tag(event, "_utf8_replaced")
        if len(data) > max_bytes:
            add_tag(event, "_truncated")
            return data[:max_bytes].decode(errors="ignore"), True
        return line, False

    def _fail(self, event: dict) -> None:
        for tag in self._tags:
            add_tag(event, tag)

    def _merge(self, event: dict, parsed: dict) -> None:
        """Merge a decoded object into the event root, keeping `message`, tags and metadata sane."""
        if "message" in parsed or "tags" in parsed or "@metadata" in parsed or "" in parsed:
            parsed.pop("", None)
            if "@metadata" in parsed:
                event["_@metadata"] = parsed.pop("@metadata")
            message = parsed.pop("message", None)
            if message is not None:
                event["message"] = message if type(message) is str else _as_text(message)
            if "tags" in parsed:
                _merge_tags(event, parsed.pop("tags"))
        event.update(parsed)


def _merge_tags(event: dict, incoming: Any) -> None:
    """Add JSON `tags` (a list, a string, anything) to the event's tags as unique strings."""
    if incoming is None:
        return
    tags = event.get("tags")
    merged = tags if isinstance(tags, list) else [] if tags is None else [_as_text(tags)]
    seen = {tag for tag in merged if isinstance(tag, str)}
    for value in incoming if isinstance(incoming, list) else [incoming]:
        text = _as_text(value)
        if text not in seen:
            seen.add(text)
            merged.append(text)
    event["tags"] = merged
