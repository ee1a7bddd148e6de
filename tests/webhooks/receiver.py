"""A real local HTTP receiver for webhook tests: a threaded ``http.server`` on a free port."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def event(self) -> dict[str, object]:
        found: dict[str, object] = orjson.loads(self.body)
        return found

    @property
    def delivery_id(self) -> str:
        return self.headers["x-omohub-delivery"]


class Receiver:
    """Records every request; ``answer`` decides the status code of each (200 by default)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.answer: Callable[[int, bytes], int] = lambda n, body: 200
        self.delay = 0.0
        self.url = ""
        self.started = 0  # requests that arrived, answered or not

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            n = len(self.received)
            self.started += 1
        if self.delay:
            time.sleep(self.delay)
        status = self.answer(n, body)
        with self.lock:
            self.received.append(Received(headers, body, status))
        return status

    def acked(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def script(self, *statuses: int) -> None:
        """Answer the n-th request with ``statuses[n]``, then 200."""
        self.answer = lambda n, body: statuses[n] if n < len(statuses) else 200


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            payload = b"ok" if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except OSError:  # the sender went away (a killed worker)
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
