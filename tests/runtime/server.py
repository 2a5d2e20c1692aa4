"""A real HTTP server on 127.0.0.1 that plays scripted replies and records what it received.

Each test scripts replies per (method, path); they are served in order and the last one repeats,
so `script("GET", "/x", Reply(503))` means "503 forever". Unscripted routes answer 404.

`SpecServer` answers every request itself instead: it validates the request against
spec/posthog.yaml and serves the operation's fixture, or a 400 naming what is wrong.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from .spec_validator import SpecValidator


@dataclass(frozen=True)
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    """Raw body; wins over `json`."""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (cut short when the server stops)."""
    reset: bool = False
    """Drop the connection with a TCP reset instead of answering."""
    trickle: float = 0.0
    """Send the body one byte at a time, this many seconds apart."""
    endless: bool = False
    """Send the body chunked, repeated until the client hangs up (at most ENDLESS_CAP bytes)."""

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        return b"" if self.json is None else json.dumps(self.json).encode()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    """Path and query string, as sent."""
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Received], Reply]
ENDLESS_CAP = 256 * 1024 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, responder: Responder | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.scripts: dict[tuple[str, str], list[Reply]] = {}
        self.received: list[Received] = []
        self.responder = responder

    def take(self, received: Received) -> Reply:
        with self.lock:
            self.received.append(received)
            if self.responder is not None:
                return self.responder(received)
            replies = self.scripts.get((received.method, urlsplit(received.path).path))
            if not replies:
                error = {"type": "invalid_request", "code": "not_found", "detail": "Not found."}
                return Reply(404, json=error)
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out leave broken pipes behind; that is the test working."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: do not hold the body
    server: _HTTPServer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
        reply = self.server.take(received)
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        if reply.reset:
            linger = struct.pack("ii", 1, 0)  # close() now sends RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.connection.close()
            self.close_connection = True
            return
        payload = reply.payload()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if payload and "content-type" not in {name.lower() for name in reply.headers}:
            self.send_header("Content-Type", "application/json")
        if reply.endless:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(payload)))
        if reply.endless or reply.trickle:
            self.send_header("Connection", "close")  # the client must not reuse it meanwhile
        self.end_headers()
        if self.command == "HEAD":
            return
        if reply.endless:
            self._send_endless(payload)
        elif reply.trickle:
            self._send_trickle(payload, reply.trickle)
        else:
            self.wfile.write(payload)

    def _send_endless(self, payload: bytes) -> None:
        self.close_connection = True
        chunk = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        for _ in range(ENDLESS_CAP // len(payload)):
            if self.server.stopping.is_set():
                return
            self.wfile.write(chunk)  # raises once the client has hung up

    def _send_trickle(self, payload: bytes, interval: float) -> None:
        self.close_connection = True
        for index in range(len(payload)):
            self.wfile.write(payload[index : index + 1])
            self.wfile.flush()
            if self.server.stopping.wait(interval):
                return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr lines."""


class ScriptedServer:
    """Start with `start()`, stop with `stop()`; `reset()` between tests.

    A `responder` answers every request (scripts are then ignored).
    """

    def __init__(self, responder: Responder | None = None) -> None:
        self._httpd = _HTTPServer(responder)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def reset(self) -> None:
        with self._httpd.lock:
            self._httpd.scripts.clear()
            self._httpd.received.clear()

    def script(self, method: str, path: str, *replies: Reply) -> None:
        with self._httpd.lock:
            self._httpd.scripts[(method, path)] = list(replies)

    @property
    def received(self) -> list[Received]:
        with self._httpd.lock:
            return list(self._httpd.received)


class SpecServer(ScriptedServer):
    """Validates each request against the spec; serves the fixture of the operation it matches.

    A request the spec does not allow gets a 400 whose detail is the reason, and the reason is
    also kept in `rejections`, so a test fails with it even if the client swallowed the 400.
    """

    def __init__(
        self, fixtures: Mapping[str, Mapping[str, Any]], validator: SpecValidator | None = None
    ) -> None:
        from .spec_validator import SpecValidator  # jsonschema only where a SpecServer runs

        super().__init__(responder=self._answer)
        self.fixtures = fixtures
        self.validator = validator or SpecValidator()
        self._rejections: list[str] = []

    def _answer(self, received: Received) -> Reply:
        """Runs under the server lock, so `rejections` needs no lock of its own."""
        target = urlsplit(received.path)
        query = parse_qsl(target.query, keep_blank_values=True)
        operation_id, problems = self.validator.validate_request(
            received.method, target.path, query, received.headers, received.body
        )
        if operation_id is None or problems:
            reason = f"{received.method} {received.path}: {'; '.join(problems)}"
            self._rejections.append(reason)
            error = {"type": "validation_error", "code": "invalid_input", "detail": reason}
            return Reply(400, json={**error, "attr": None})
        fixture = self.fixtures[operation_id]
        return Reply(fixture["status"], json=fixture["response_body"])

    @property
    def rejections(self) -> list[str]:
        with self._httpd.lock:
            return list(self._rejections)

    def reset(self) -> None:
        super().reset()
        with self._httpd.lock:
            self._rejections.clear()
