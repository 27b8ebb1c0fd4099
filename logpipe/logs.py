"""The worker's own logs: one line per record, with credentials masked."""

from __future__ import annotations

import logging
import re
import sys

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@", re.I)


def mask_url(url: str) -> str:
    """Hide `user:password@` in a URL."""
    return _URL_CREDENTIALS.sub(r"\g<scheme>***:***@", url)


class MaskingFormatter(logging.Formatter):
    """A formatter that masks URL credentials in every formatted line."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_url(super().format(record))


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr as `time level logger: message`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The clients log every failed request with a traceback; the worker reports failures itself.
    for chatty in ("elastic_transport", "elasticsearch", "opensearch", "urllib3"):
        logging.getLogger(chatty).setLevel(logging.CRITICAL)
