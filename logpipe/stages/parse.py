"""The `parse` stage: JSON-object lines become fields; anything else stays a plain `message`.

Decisions (Logstash's json filter, made safe for a mixed stream):
- Only lines starting with `{` are parsed; others stay plain and untagged unless `tag_non_json`,
  except a line that is a whole JSON array (non-object JSON): `_jsonparsefailure`.
- The text a library logged becomes `message`: `message`, else `msg`, `@message`, `@m`, a text
  `event` (structlog), ... (see logpipe.stages.applog, which also moves `pid`, `hostname`,
  logger names and callers to ECS fields). A JSON `message` that is not a string is stored as
  its JSON text; without one the raw line stays in `message`. Dotted keys (`"log.level"`)
  become nested objects, as Elasticsearch reads them. JSON `tags` merge into the event's tags.
- A decoded line marks `@metadata.parsed: json`: the default pipeline's grok skips such events.
- A JSON `@timestamp` stays at `@timestamp`, raw, for the timestamp stage to normalise.
- A JSON `@metadata` never replaces the event's metadata: it is kept as `_@metadata`.
- Objects already in the event (an envelope's `host`, `log`) merge key by key with the line's;
  a value in the way of one (`"event": "login"` vs `event.original`, `"host": "x"`) is moved
  aside to `_<name>` (`_event`), as Logstash does with `_@timestamp`.
- Sizes: a line up to `max_bytes` (10 MiB) is parsed whole; then every string value over
  `max_field_bytes` (1 MiB), and a plain line over it, is cut at a character boundary and the
  event tagged `_truncated`. A line over `max_bytes` is cut to `max_field_bytes`, not parsed.
- NULs are stripped (`_nul_removed`) and lone surrogates replaced (`_utf8_replaced`).
- `event.original` (optional in ECS) is kept only with `keep_original: true`: it gets the
  (cleaned) line unless something upstream already set it.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import Field

from logpipe.fields import add_tag, put, split_path
from logpipe.metadata import DECODED, mark_parsed
from logpipe.stages.applog import LIBRARY_KEYS, take_message, to_ecs
from logpipe.stages.base import BuildContext, StageConfig, Tags
from logpipe.stages.merging import expand_dots, merge_into, too_deep

MIB = 1024 * 1024
TRUNCATED_TAG = "_truncated"
# Top-level keys remembered as dot-free (objects of only such keys skip expand_dots' scan): up to
# about this many (twice at most), of up to _PLAIN_KEY_CHARS characters each; then forgotten and
# learned again.
_PLAIN_KEYS_MAX = 4096
_PLAIN_KEY_CHARS = 64
# What an ASCII line that may hold JSON starts with: `{`, `[` or what `str.isspace` takes.
_MAYBE_JSON = "{[" + "".join(c for c in map(chr, range(128)) if c.isspace())


class ParseConfig(StageConfig):
    """Options of the `parse` stage."""

    field: str = "message"
    target: str | None = None
    keep_original: bool = False
    tag_non_json: bool = False
    ecs_fields: bool = True  # library field names (msg, pid, caller, ...) to ECS
    max_depth: int = Field(default=64, ge=1, le=1000)
    max_bytes: int = Field(default=10 * MIB, ge=1)
    max_field_bytes: int = Field(default=MIB, ge=1)
    tag_on_failure: Tags = ("_jsonparsefailure",)


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


def _many_brackets(line: str, depth: int) -> bool:
    """Whether `line` has more `{` and `[` than `depth` (at least 1): only then can it nest
    deeper."""
    if line.find("{", 1) < 0 and "[" not in line:
        return False  # one `{` at most: a flat object (a find is cheaper than a count)
    opens = line.count("{")
    return opens > depth or ("[" in line and opens + line.count("[") > depth)


def _cut(text: str, limit: int) -> str | None:
    """`text` cut to `limit` UTF-8 bytes at a character boundary; None when it fits."""
    if len(text) <= limit // 4:
        return None
    if text.isascii():
        return text[:limit] if len(text) > limit else None
    data = text.encode(errors="replace")
    return data[:limit].decode(errors="ignore") if len(data) > limit else None


def _cut_values(node: Any, limit: int) -> bool:
    """Cut every string inside `node` (dicts and lists, in place) to `limit`; whether any was."""
    cut = False
    stack = [node]
    while stack:
        current = stack.pop()
        items = current.items() if isinstance(current, dict) else enumerate(current)
        for key, value in items:
            if isinstance(value, str):
                short = _cut(value, limit)
                if short is not None:
                    current[key] = short
                    cut = True
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return cut


class ParseStage:
    """Decode JSON-object lines into event fields; tag what cannot be decoded, never raise."""

    Config = ParseConfig

    def __init__(self, config: ParseConfig, context: BuildContext) -> None:
        self.config = config
        self._field = config.field
        self._nested_field = len(split_path(config.field)) > 1
        self._keep = config.keep_original
        self._field_bytes = config.max_field_bytes
        self._tags = config.tag_on_failure
        self._plain_keys: set[str] = set()  # keys seen without a dot (_PLAIN_KEYS_MAX)

    def __call__(self, events: list[dict]) -> list[dict]:
        # A line that needs no cleaning, cutting, tagging or copying takes a short way: plain
        # text is left as it is, the envelope's decoded object is merged at once.
        simple = not (self._nested_field or self._keep or self.config.tag_non_json)
        at_root = simple and self.config.target is None
        field, short, depth = self._field, self._field_bytes // 4, self.config.max_depth
        for event in events:
            # @metadata read (and `parsed` written, below) inline, not through metadata.py: a
            # call per event here measurably slows this stage, which every event passes.
            meta = event.get("@metadata")
            decoded = meta.pop(DECODED, None) if type(meta) is dict else None
            if simple:
                raw = event.get(field)
                if (
                    raw.__class__ is str
                    and len(raw) <= short
                    and "\x00" not in raw
                    and raw.isascii()
                ):
                    if decoded is None:
                        if raw and raw[0] not in _MAYBE_JSON:
                            continue
                    elif (
                        at_root
                        and decoded[0] is raw
                        and decoded[1].__class__ is dict
                        # a flat object (`_many_brackets`' first test, inline), or not too deep
                        and (
                            (raw.find("{", 1) < 0 and "[" not in raw)
                            or not _many_brackets(raw, depth)
                        )
                    ):
                        self._merge(event, decoded[1])
                        meta["parsed"] = "json"  # `mark_parsed`; the merge keeps `meta`
                        continue
            self._one(event, decoded)
        return events

    def _one(self, event: dict, decoded: tuple[str, Any] | None) -> None:
        raw = None if self._nested_field else event.get(self._field)
        if type(raw) is not str:
            raw = self._get_raw(event)
            if raw is None:
                return
        line, over = raw, False
        if "\x00" in line or len(line) > self._field_bytes or not line.isascii():
            line, over = self._clean(event, raw)
            if line is not raw:
                self._set_raw(event, line)
        node = event.get("event")
        keep = self._keep and not (type(node) is dict and "original" in node)  # upstream's wins
        if not over:
            reuse = decoded[1] if decoded is not None and decoded[0] is line else None
            if not self._decode(event, line, reuse) and len(line) > self._field_bytes // 4:
                short = _cut(line, self._field_bytes)  # a plain line: cut as a field is
                if short is not None:
                    line = short
                    self._set_raw(event, line)
                    add_tag(event, TRUNCATED_TAG)
        if keep:
            if len(line) > self._field_bytes // 4 and (short := _cut(line, self._field_bytes)):
                line = short  # event.original is a field like any other
                add_tag(event, TRUNCATED_TAG)
            node = event.get("event")
            if node is None:
                event["event"] = {"original": line}
            elif type(node) is dict:
                node["original"] = line
            else:
                put(event, "event.original", line)

    def _decode(self, event: dict, line: str, parsed: Any = None) -> bool:
        """Parse a JSON-object line into the event (root or target); tag what does not parse."""
        cfg = self.config
        if parsed is None:
            first = line[:1]
            if first.isspace():
                first = line.lstrip()[:1]
            if first != "{":
                # `[2026-11-26 10:00:00] ...` is plain text; only a real JSON array is a failure.
                if cfg.tag_non_json or (first == "[" and _is_json(line)):
                    self._fail(event)
                return False
            try:
                parsed = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                self._fail(event)
                if "depth limit" in str(exc):
                    add_tag(event, "_json_too_deep")
                return False
        if not isinstance(parsed, dict):
            self._fail(event)
            return False
        if _many_brackets(line, cfg.max_depth) and too_deep(parsed, cfg.max_depth):
            self._fail(event)
            add_tag(event, "_json_too_deep")
            return False
        if len(line) > self._field_bytes // 4 and _cut_values(parsed, self._field_bytes):
            add_tag(event, TRUNCATED_TAG)
        if cfg.target is not None:
            put(event, cfg.target, parsed)
            return True
        self._merge(event, parsed)
        mark_parsed(event, "json")
        return True

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
        """Strip NULs, replace lone surrogates; a line over `max_bytes` is cut (and not parsed)."""
        if "\x00" in line:
            line = line.replace("\x00", "")
            add_tag(event, "_nul_removed")
        if not line.isascii():
            try:
                line.encode()
            except UnicodeEncodeError:  # lone surrogates cannot be indexed
                line = line.encode(errors="replace").decode()
                add_tag(event, "_utf8_replaced")
        if len(line) > self.config.max_bytes // 4 and len(line.encode()) > self.config.max_bytes:
            add_tag(event, TRUNCATED_TAG)
            short = _cut(line, self._field_bytes)
            return (line if short is None else short), True
        return line, False

    def _fail(self, event: dict) -> None:
        for tag in self._tags:
            add_tag(event, tag)

    def _merge(self, event: dict, parsed: dict) -> None:
        """Merge a decoded object into the event root, keeping `message`, tags and metadata sane."""
        parsed.pop("", None)
        if "@metadata" in parsed:
            event["_@metadata"] = parsed.pop("@metadata")
        if not self._plain_keys.issuperset(parsed):
            parsed = self._expand_dots(parsed)
        message = parsed.pop("message", None)
        if message is None:
            message = take_message(parsed)
        if message is not None:
            event["message"] = message if type(message) is str else _as_text(message)
        if self.config.ecs_fields and not LIBRARY_KEYS.isdisjoint(parsed):
            to_ecs(parsed)
        if "tags" in parsed:
            _merge_tags(event, parsed.pop("tags"))
        if event.keys().isdisjoint(parsed):
            event.update(parsed)
        else:
            merge_into(event, parsed)

    def _expand_dots(self, parsed: dict) -> dict:
        """`expand_dots`; an object without dotted keys has its (short) keys remembered."""
        expanded = expand_dots(parsed)
        if expanded is parsed and len(parsed) <= _PLAIN_KEYS_MAX:
            plain = self._plain_keys
            if len(plain) >= _PLAIN_KEYS_MAX:
                plain.clear()
            plain.update(key for key in parsed if len(key) <= _PLAIN_KEY_CHARS)
        return expanded


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
