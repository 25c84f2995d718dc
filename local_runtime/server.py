"""The HTTP front: a threading HTTP/1.1 server (keep-alive) handing requests to the gateway."""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local_runtime.functions import release_event_loop
from local_runtime.gateway import MAX_PAYLOAD_BYTES, Gateway
from local_runtime.messages import HttpRequest, HttpResponse

__all__ = ["LocalHttpServer"]

logger = logging.getLogger(__name__)

IDLE_TIMEOUT_SECONDS = 120  # a keep-alive connection idle this long is closed


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

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            # The connection's thread ends here: close the event loop its handlers used.
            release_event_loop()

    def log_message(self, format: str, *args: Any) -> None:
        # The gateway writes the access log; this only reports protocol-level problems.
        logger.debug("%s - %s", self.address_string(), format % args)

    def _read_body(self) -> bytes | None:
        """The request body; ``None`` when it exceeds the payload limit (left unread)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
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
            self.send_error(400, "Bad request body framing")
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

    def stop(self) -> None:
        """Stop accepting, and close the listening socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
