"""What JSON logging libraries call their fields, moved to ECS names (pino, bunyan, zap, slog...).

- The message: `message`, else `msg` (pino, bunyan, zap, logrus, slog, go-kit), `@message`,
  `@m` (Serilog compact; else its template `@mt`), `event` when it is text (structlog),
  `RenderedMessage` (Serilog), `short_message` (GELF).
- `pid` (a number) -> `process.pid`; `hostname` (text) -> `host.hostname`; `user` (text:
  PostgreSQL jsonlog, many apps; ECS's `user` is an object) -> `user.name`.
- `logger`, `logger_name` (logback), `name` when pino/bunyan/python-json-logger wrote the line
  -> `log.logger`; `thread_name` -> `process.thread.name`.
- Serilog's compact `@l`, `@t` -> `level`, `timestamp` (for the level and timestamp stages).
- `caller: "pkg/file.go:42"` (zap) and `source: {function, file, line}` (slog) ->
  `log.origin.file.name`, `.line`, `log.origin.function`.
A value moves (it is not copied) only when it has the expected type; the rest stays as it is.
"""

from __future__ import annotations

from typing import Any

from logpipe.fields import put_parts

MESSAGE_KEYS = ("msg", "@message", "@m", "@mt", "event", "RenderedMessage", "short_message")
_NAME_SIGNS = ("pid", "hostname", "v", "levelname")


def take_message(parsed: dict) -> Any:
    """The text a library logged, removed from `parsed`; None when there is none."""
    message = parsed.pop("message", None)
    if message is not None:
        return message
    for key in MESSAGE_KEYS:
        value = parsed.get(key)
        if type(value) is str:
            return parsed.pop(key)
    return None


# Keys to_ecs moves: a decoded object with none of them is left as it is.
LIBRARY_KEYS = frozenset({"@l", "@t", "pid", "hostname", "logger", "logger_name", "name",
                           "thread_name", "caller", "source", "user"})  # fmt: skip


def to_ecs(parsed: dict) -> None:
    """Move the library fields above to their ECS places inside `parsed`."""
    if LIBRARY_KEYS.isdisjoint(parsed):
        return
    for key, target in (("@l", "level"), ("@t", "timestamp")):  # Serilog's compact JSON
        if key in parsed and target not in parsed:
            parsed[target] = parsed.pop(key)
    pid = parsed.get("pid")
    if type(pid) is int and pid >= 0:
        put_parts(parsed, ("process", "pid"), parsed.pop("pid"))
    hostname = parsed.get("hostname")
    if type(hostname) is str:
        put_parts(parsed, ("host", "hostname"), parsed.pop("hostname"))
    if type(parsed.get("user")) is str:
        put_parts(parsed, ("user", "name"), parsed.pop("user"))
    for key in ("logger", "logger_name"):
        if type(parsed.get(key)) is str:
            put_parts(parsed, ("log", "logger"), parsed.pop(key))
            break
    else:
        if type(parsed.get("name")) is str and any(sign in parsed for sign in _NAME_SIGNS):
            put_parts(parsed, ("log", "logger"), parsed.pop("name"))
    if type(parsed.get("thread_name")) is str:
        put_parts(parsed, ("process", "thread", "name"), parsed.pop("thread_name"))
    caller = parsed.get("caller")
    if type(caller) is str:
        path, _, line = caller.rpartition(":")
        if path and line.isdecimal() and len(line) < 10:
            parsed.pop("caller")
            put_parts(parsed, ("log", "origin", "file", "name"), path)
            put_parts(parsed, ("log", "origin", "file", "line"), int(line))
    source = parsed.get("source")
    if type(source) is dict and "file" in source and "line" in source:
        parsed.pop("source")
        put_parts(parsed, ("log", "origin", "file", "name"), source["file"])
        put_parts(parsed, ("log", "origin", "file", "line"), source["line"])
        if "function" in source:
            put_parts(parsed, ("log", "origin", "function"), source["function"])
