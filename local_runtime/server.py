"""The HTTP front: a threading HTTP/1.1 server (keep-alive) handing requests to the gateway."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local_runtime.functions import release_event_loop
from local_runtime.gateway import MAX_PAYLOAD_BYTES, Gateway
from local_runtime.messages import HttpRequest, HttpResponse
from local_runtime.responses import envelope

__all__ = ["LocalHttpServer"]

logger = logging.getLogger(__name__)

IDLE_TIMEOUT_SECONDS = 120  # a keep-alive connection idle this long is closed
DRAIN_SECONDS = 10.0  # how long a stop waits for the requests in flight
_MAX_CHUNK_SIZE_LINE = 1024  # a chunk-size line (hex size and extensions) longer than this is bad

# Refusals the HTTP parser makes itself, before there is a request to route. Each answers in
# the envelope; anything else it refuses (bad syntax, an HTTP version it does not speak) is
# the client's error too, so a 400 rather than the parser's 501 or 505.
_PROTOCOL_REFUSALS: dict[int, tuple[str, str]] = {
    HTTPStatus.REQUEST_URI_TOO_LONG: ("Request line too long", "uri_too_long"),
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: ("Request headers too large", "headers_too_large"),
}
_MALFORMED = ("Malformed request", "bad_request")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT_SECONDS
    server: LocalHttpServer

    def setup(self) -> None:
        super().setup()
        self.server.connections.opened(self)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connections.closed(self)
            # The connection's thread ends here: close the event loop its handlers used.
            release_event_loop()

    def parse_request(self) -> bool:
        # A request line has arrived: from here until its answer is written, it is in flight.
        self.server.connections.busy(self)
        parsed = super().parse_request()
        if self.server.connections.stopping:
            self.close_connection = True  # answered, then the connection closes
        return parsed

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True  # the client went away, or a stop hung up on it
        finally:
            self.server.connections.idle(self)

    def log_message(self, format: str, *args: Any) -> None:
        # The gateway writes the access log; this only reports protocol-level problems.
        logger.debug("%s - %s", self.address_string(), format % args)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # API Gateway takes every method and answers one a resource lacks itself (405, or 404
        # for an unknown path); BaseHTTPRequestHandler would answer TRACE or FOO with 501 HTML.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The parser's own refusals (over-long request line or headers, bad syntax), in the
        envelope with a request id instead of BaseHTTPRequestHandler's HTML page."""
        error, error_code = _PROTOCOL_REFUSALS.get(code, _MALFORMED)
        self._refuse(code if code in _PROTOCOL_REFUSALS else 400, error, error_code)

    def _refuse(self, status: int, error: str, code: str) -> None:
        request_id = str(uuid.uuid4())
        response = envelope(status, error, code, request_id)
        response.set_header("x-amzn-RequestId", request_id)
        # Whatever follows on this connection cannot be framed reliably any more.
        self.close_connection = True
        logger.info("refused %s: %d %s id=%s", self.address_string(), status, code, request_id)
        self._write(response)

    def _read_body(self) -> bytes | None:
        """The request body; ``None`` when it exceeds the payload limit (left unread).

        ValueError when the framing is broken (a bad Content-Length or chunk size).
        """
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(_MAX_CHUNK_SIZE_LINE)
                if not line.endswith(b"\n"):
                    raise ValueError("chunk-size line too long or truncated")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size < 0:
                    raise ValueError("negative chunk size")
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > MAX_PAYLOAD_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_PAYLOAD_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        target = self.path
        if "://" in target:  # absolute-form request target
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        path, _, query = target.partition("?")
        request = HttpRequest(
            method=self.command,
            path=path or "/",
            query=query,
            headers=list(self.headers.items()),
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        try:
            body = self._read_body()
        except ValueError:
            self._refuse(400, "Malformed request body framing", "bad_request")
            return
        if body is None:
            self.close_connection = True  # the unread body makes the connection unusable
            response = self.server.gateway.too_large(request)
        else:
            request.body = body
            response = self.server.gateway.handle(request).response
        self._write(response)

    def _write(self, response: HttpResponse) -> None:
        lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(response.body)}")
        lines.append(f"Date: {self.date_time_string()}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        payload = head if self.command == "HEAD" else head + response.body
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve


class LocalHttpServer(ThreadingHTTPServer):
    """One thread per connection; connections are kept alive between requests."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # 100+ clients connecting at once must not be refused

    def __init__(self, host: str, port: int, gateway: Gateway) -> None:
        super().__init__((host, port), _RequestHandler)
        self.gateway = gateway
        self.connections = _Connections()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        return int(self.server_address[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="local-runtime-http"
        )
        self._thread.daemon = True
        self._thread.start()

    def stop(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Stop accepting, answer the requests in flight, then close every connection.

        Requests already being handled finish and get their answer (for up to
        ``drain_seconds``); idle keep-alive connections are closed at once.
        """
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        unfinished = self.connections.drain(drain_seconds)
        if unfinished:
            logger.warning("stopped with %d request(s) still in flight", unfinished)


class _Connections:
    """The open connections, and which of them has a request in flight (a graceful stop)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy: dict[_RequestHandler, bool] = {}
        self.stopping = False

    def opened(self, handler: _RequestHandler) -> None:
        with self._changed:
            self._busy[handler] = False

    def busy(self, handler: _RequestHandler) -> None:
        with self._changed:
            self._busy[handler] = True

    def idle(self, handler: _RequestHandler) -> None:
        with self._changed:
            if handler in self._busy:
                self._busy[handler] = False
            self._changed.notify_all()
        if self.stopping:
            _hang_up(handler)

    def closed(self, handler: _RequestHandler) -> None:
        with self._changed:
            self._busy.pop(handler, None)
            self._changed.notify_all()

    def drain(self, timeout: float) -> int:
        """Wait for the requests in flight; close idle connections. Returns those unfinished."""
        with self._changed:
            self.stopping = True
            self._changed.wait_for(lambda: not any(self._busy.values()), timeout)
            idle = [handler for handler, busy in self._busy.items() if not busy]
            unfinished = len(self._busy) - len(idle)
        for handler in idle:
            _hang_up(handler)  # its thread, waiting for a next request, sees the end
        return unfinished


def _hang_up(handler: _RequestHandler) -> None:
    try:
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already
