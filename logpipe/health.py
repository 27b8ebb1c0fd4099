"""The status endpoint: /metrics, /healthz (process alive) and /readyz (ready to work)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry

from logpipe.errors import LogpipeError
from logpipe.metrics import gauge_value, render

log = logging.getLogger("logpipe.health")


def serve_status(
    host: str, port: int, registry: CollectorRegistry, alive: Callable[[], bool]
) -> ThreadingHTTPServer:
    """Serve the endpoint from a daemon thread; readiness is the `logpipe_ready` gauge."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, render(registry), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok = alive()
                self._answer(200 if ok else 503, b"ok\n" if ok else b"worker not running\n")
            elif path == "/readyz":
                ok = gauge_value(registry, "logpipe_ready") == 1
                self._answer(200 if ok else 503, b"ready\n" if ok else b"not ready\n")
            else:
                self._answer(404, b"try /metrics, /healthz or /readyz\n")

        def _answer(self, status: int, body: bytes, kind: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            """No access log: probes would flood it."""

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise LogpipeError(
            f"cannot serve metrics on {host}:{port}: {exc.strerror} (set LOGPIPE_METRICS_PORT)"
        ) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="status-http", daemon=True).start()
    log.info("metrics and probes on http://%s:%d/metrics, /healthz, /readyz", host, port)
    return server
