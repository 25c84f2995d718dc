"""Stopping the HTTP front: requests in flight get their answer, idle connections close."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local_runtime.messages import HttpRequest, HttpResponse
from local_runtime.server import LocalHttpServer


class _Outcome:
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class SlowGateway:
    """Holds each request until the test releases it."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    def handle(self, request: HttpRequest) -> _Outcome:
        self.arrived.set()
        assert self.release.wait(30), "the test never released the request"
        return _Outcome(HttpResponse(200, [("Content-Type", "text/plain")], b"finished"))


@pytest.fixture
def gateway() -> SlowGateway:
    return SlowGateway()


@pytest.fixture
def server(gateway: SlowGateway) -> Iterator[LocalHttpServer]:
    started = LocalHttpServer("127.0.0.1", 0, gateway)  # type: ignore[arg-type]
    started.start()
    yield started
    gateway.release.set()
    started.stop(drain_seconds=0)


def get(port: int) -> tuple[int, bytes, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/slow")
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Connection")
    finally:
        connection.close()


def test_a_slow_request_in_flight_is_answered_when_the_server_stops(server, gateway):
    with ThreadPoolExecutor(max_workers=2) as pool:
        answer = pool.submit(get, server.port)
        assert gateway.arrived.wait(30)
        stopping = pool.submit(server.stop)
        # stop() waits for the request: it does not return while the request is held (the
        # accept loop alone stops within its 0.2 s poll).
        with pytest.raises(TimeoutError):
            stopping.result(timeout=0.6)
        gateway.release.set()
        status, body, _ = answer.result(timeout=30)
        stopping.result(timeout=30)

    assert (status, body) == (200, b"finished")


def test_stop_closes_idle_keep_alive_connections_at_once(server, gateway):
    gateway.release.set()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", "/first")
    assert connection.getresponse().read() == b"finished"  # the connection stays open, idle

    server.stop(drain_seconds=30)  # returns without waiting for the idle connection

    with pytest.raises((http.client.HTTPException, ConnectionError)):
        connection.request("GET", "/second")
        connection.getresponse()
    connection.close()


def test_stop_gives_up_on_a_request_that_outlives_the_drain(server, gateway):
    results: dict[str, Any] = {}

    def call() -> None:
        results["answer"] = get(server.port)

    client = threading.Thread(target=call)
    client.start()
    assert gateway.arrived.wait(30)

    server.stop(drain_seconds=0)  # does not wait: the request is still held

    gateway.release.set()
    client.join(30)
    # Even then the request is answered, with the connection closing after it.
    assert results["answer"][:2] == (200, b"finished")
