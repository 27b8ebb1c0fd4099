"""The worker's own logs: JSON lines on stdout (plain text on a terminal), secrets masked."""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime

import orjson

from logpipe.redaction_text import redact_text

# Bounded parts, and a start only after a scheme's or a token's edge: linear on any log line.
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]{0,31}://)[^/@\s:]{1,256}:[^/@\s]{1,256}@", re.I
)
_URL_TOKEN = re.compile(
    r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]{0,31}://)[^/@\s:]{1,256}@", re.I
)
# `user:password@host` outside a URL, after a space, a quote, `(` or `=`.
_BARE_CREDENTIALS = re.compile(r"(?<![^\s'\"(=])[^\s/@'\"():]{1,256}:[^\s/@'\"]{1,256}@")


def mask_url(url: str) -> str:
    """Hide `user:password@` (as `***:***@`) and a lone token (`***@`) in a URL."""
    return _URL_TOKEN.sub(r"\g<scheme>***@", _URL_CREDENTIALS.sub(r"\g<scheme>***:***@", url))


def mask(text: str) -> str:
    """Mask URL credentials, a bare `user:password@host`, and every secret redaction knows."""
    return _BARE_CREDENTIALS.sub("***@", mask_url(redact_text(text)))


class TextFormatter(logging.Formatter):
    """`time level logger: message`, masked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `@timestamp`, `log.level`, `log.logger`, `message`, masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "@timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "log.level": record.levelname.lower(),
            "log.logger": record.name,
            "message": mask(record.getMessage()),
            "process.pid": record.process,
        }
        if record.exc_info:
            entry["error.stack_trace"] = mask(self.formatException(record.exc_info))
        return orjson.dumps(entry).decode()


def setup_logging(level: str = "INFO", log_format: str = "auto") -> None:
    """Log to stdout: JSON lines, or text when `log_format` is text (auto: text on a terminal)."""
    use_text = log_format == "text" or (log_format == "auto" and sys.stdout.isatty())
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(TextFormatter() if use_text else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The clients log every failed request with a traceback; the worker reports failures itself.
    for chatty in ("elastic_transport", "elasticsearch", "opensearch", "urllib3"):
        logging.getLogger(chatty).setLevel(logging.CRITICAL)
