"""A stand-in search engine that accepts every bulk item at once, for pipeline-bound benchmarks.

    python benchmarks/stub_engine.py --port 9299

Answers `GET /` (info), `HEAD /` (ping) and `POST /_bulk` (every item 201, as with
filter_path, counted from the body's lines without parsing them); a real engine's indexing cost
is left out, so the worker's own work is measured. The stub is not the product: it reads each
request into one reused buffer over raw sockets (a thread per connection, kept alive, as a real
engine keeps them), counts the body's newlines and sends an answer made once per item count.
`SIGUSR1` takes it down (open connections cut, new ones refused) and `SIGUSR2` brings it back,
for outage benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import threading
from typing import Any

INFO = b'{"name":"stub","version":{"number":"2.19.0","distribution":"opensearch"}}'
ITEM = b'{"create":{"status":201}}'
HEAD_END = b"\r\n\r\n"
LENGTH = b"\r\ncontent-length:"
CHUNK = 1 << 20


def answer(body: bytes, send_body: bool = True) -> bytes:
    """A whole 200 response with `body` (only its length for a HEAD)."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + HEAD_END
    )
    return head + body if send_body else head


class Answers:
    """The bulk answer of each item count, made once."""

    def __init__(self) -> None:
        self._made: dict[int, bytes] = {}

    def bulk(self, items: int) -> bytes:
        made = self._made.get(items)
        if made is None:
            body = b'{"errors":false,"items":[' + b",".join([ITEM] * items) + b"]}"
            made = self._made[items] = answer(body)
        return made


def serve(connection: socket.socket, answers: Answers) -> None:
    """Answer one keep-alive connection's requests until the client closes it (or it is cut)."""
    buffer = bytearray(4 * CHUNK)
    view = memoryview(buffer)
    filled = 0  # bytes in buffer, starting with the request being read
    with contextlib.suppress(OSError), connection:
        while True:
            end = buffer.find(HEAD_END, 0, filled)
            while end < 0:
                if filled == len(buffer):
                    return  # a head this large is no client of ours
                got = connection.recv_into(view[filled:])
                if not got:
                    return
                filled += got
                end = buffer.find(HEAD_END, 0, filled)
            head = bytes(buffer[: end + 2]).lower()  # each header line ends in CRLF
            start = end + len(HEAD_END)
            at = head.find(LENGTH)
            length = int(head[at + len(LENGTH) : head.find(b"\r\n", at + 2)]) if at >= 0 else 0
            if start + length > len(buffer):
                view.release()
                buffer.extend(bytes(start + length - len(buffer)))
                view = memoryview(buffer)
            while filled < start + length:
                got = connection.recv_into(view[filled:])
                if not got:
                    return
                filled += got
            if head.startswith(b"post"):
                connection.sendall(answers.bulk(buffer.count(b"\n", start, start + length) // 2))
            else:
                connection.sendall(answer(INFO, send_body=not head.startswith(b"head")))
            done = start + length
            buffer[: filled - done] = buffer[done:filled]  # a pipelined next request, if any
            filled -= done


class Stub:
    """The listening socket and its connections; taken down and brought back on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answers = Answers()
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.up()

    def up(self, *_args: Any) -> None:
        with self.lock:
            if self.listener is None:
                listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
                self.listener = listener
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self, *_args: Any) -> None:
        """No new connections, and the open ones are closed under their clients."""
        with self.lock:
            listener, self.listener = self.listener, None
            if listener is None:
                return
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return  # taken down
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections.add(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            serve(connection, self.answers)
        finally:
            with self.lock:
                self.connections.discard(connection)


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
