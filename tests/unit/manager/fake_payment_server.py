"""A payment server on a real socket that answers from a script, faults included.

pytest-httpserver serves it; threaded, so a request left stalling (a read timeout) does not
hold up the client's retry behind it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


def envelope(**data: Any) -> dict[str, Any]:
    """A success answer as the bundled server gives it."""
    return {"success": True, "data": data}


def error_envelope(code: str, message: str) -> dict[str, Any]:
    """An error answer as the bundled server gives it."""
    return {"success": False, "error": message, "code": code, "requestId": "req-1"}


def charge(customer_id: str, amount: str, credits: str) -> dict[str, Any]:
    """The bundled server's answer to a consume."""
    return envelope(
        customerId=customer_id,
        amount=amount,
        credits=credits,
        entryId="entry-1",
        consumedAt="2026-11-30T06:00:00.000Z",
    )


class Stall:
    """A handler that answers nothing until released (or 10 s pass): a read timeout."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.received: list[Request] = []  # the server's log has a request once answered

    def __call__(self, request: Request) -> Response:
        self.received.append(request)
        self.released.wait(10)
        return Response(json.dumps(envelope(late=True)), status=200)


class TrackedHTTPServer(HTTPServer):
    """pytest-httpserver's server that can wait until no request is being answered."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=0, threaded=True)
        self._in_flight = 0
        self._idle = threading.Condition()

    def application(self, request: Request) -> Response:
        with self._idle:
            self._in_flight += 1
        try:
            return super().application(request)  # logs the request before returning
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once every request received has been answered (and logged)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


class FaultInjectingServer:
    """The server, its requests as received, and stalls released when a test ends."""

    def __init__(self, server: TrackedHTTPServer) -> None:
        self.http = server
        self._stalls: list[Stall] = []

    def url(self, path: str = "") -> str:
        return self.http.url_for(path or "/")

    def stall(self) -> Stall:
        stall = Stall()
        self._stalls.append(stall)
        return stall

    def release(self) -> None:
        """Let stalled requests finish, so none reaches the log of the next test."""
        for stall in self._stalls:
            stall.released.set()
        assert self.http.wait_idle(5), "a request is still being answered"
        self.http.clear()

    @property
    def requests(self) -> list[Request]:
        return [request for request, _ in self.http.log]

    def bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies received, numbers read as Decimal (exactly as sent)."""
        return [json.loads(r.get_data(), parse_float=Decimal) for r in self.requests]


@contextmanager
def running_server() -> Iterator[TrackedHTTPServer]:
    server = TrackedHTTPServer()
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()
