"""A stand-in search engine that accepts every bulk item at once, for pipeline-bound benchmarks.

    python benchmarks/stub_engine.py --port 9299

Answers `GET /` (info), `HEAD /` (ping) and `POST /_bulk` (every item 201, as with
filter_path, counted from the body's lines without parsing them); a real engine's indexing cost
is left out, so the worker's own work is measured. Connections are kept alive, as a real engine
keeps them. `SIGUSR1` takes it down (open connections cut, new ones refused) and `SIGUSR2`
brings it back, for outage benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INFO = b'{"name":"stub","version":{"number":"2.19.0","distribution":"opensearch"}}'
ITEM = b'{"create":{"status":201}}'


class Handler(BaseHTTPRequestHandler):
    """Keep-alive (HTTP/1.1); the server keeps the open connections, to cut them when down."""

    protocol_version = "HTTP/1.1"
    server: StubServer

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_HEAD(self) -> None:
        self._answer(b"")

    def do_GET(self) -> None:
        self._answer(INFO)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        items = body.count(b"\n") // 2
        self._answer(b'{"took":1,"errors":false,"items":[' + b",".join([ITEM] * items) + b"]}")

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        """No access log."""


class StubServer(ThreadingHTTPServer):
    """A threading server that knows its open connections."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()

    def cut(self) -> None:
        """Stop serving: no new connections, and the open ones are closed under their clients."""
        self.shutdown()
        self.server_close()
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class Stub:
    """The server, which can be taken down and brought back on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server: StubServer | None = None
        self.up()

    def up(self, *_args: Any) -> None:
        if self.server is None:
            self.server = StubServer(self.port)
            threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self, *_args: Any) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            threading.Thread(target=server.cut).start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9299)
    args = parser.parse_args()
    stub = Stub(args.port)
    signal.signal(signal.SIGUSR1, stub.down)
    signal.signal(signal.SIGUSR2, stub.up)
    print(f"stub engine on http://127.0.0.1:{args.port}", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    raise SystemExit(main())
