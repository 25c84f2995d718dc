"""The HTTP front over raw sockets: every method, every malformed request and every framing
answers in the envelope (JSON, a request id), never the stdlib's HTML and never a 5xx."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from local_runtime import LocalRuntime
from local_runtime.gateway import MAX_PAYLOAD_BYTES


@pytest.fixture(scope="module")
def runtime(fixture_template: Path, module_clock: Any) -> Iterator[LocalRuntime]:
    with LocalRuntime(fixture_template, clock=module_clock, create_demo_key=False) as rt:
        yield rt


def _exchange(runtime: LocalRuntime, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` on a fresh connection; the status, headers and body of the answer."""
    address = urlsplit(runtime.endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(raw)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(65536)
            assert chunk, f"connection closed before a full head: {received!r}"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        while len(body) < int(headers["content-length"]):
            chunk = conn.recv(65536)
            assert chunk, "connection closed mid-body"
            body += chunk
    return int(status_line.split()[1]), headers, body


def _envelope(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict[str, Any]:
    assert status == expected, body
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert error["success"] is False and error["error"]
    assert error["requestId"] == headers["x-amzn-requestid"]
    return error


def test_trace_on_a_resource_is_405_in_the_envelope(runtime: LocalRuntime) -> None:
    answer = _exchange(runtime, b"TRACE /items HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _envelope(*answer, 405)["code"] == "method_not_allowed"
    assert answer[1]["allow"] == "GET, POST"


@pytest.mark.parametrize("method", [b"TRACE", b"CONNECT", b"FOO", b"PROPFIND"])
def test_any_method_on_an_unknown_path_is_404_in_the_envelope(
    runtime: LocalRuntime, method: bytes
) -> None:
    answer = _exchange(runtime, method + b" /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _envelope(*answer, 404)["code"] == "not_found"


def test_an_unknown_method_on_a_resource_is_405_not_501(runtime: LocalRuntime) -> None:
    answer = _exchange(runtime, b"FOO /public HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _envelope(*answer, 405)["code"] == "method_not_allowed"


def test_an_over_long_request_line_is_414_in_the_envelope(runtime: LocalRuntime) -> None:
    raw = b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = _exchange(runtime, raw)
    assert _envelope(status, headers, body, 414)["code"] == "uri_too_long"
    assert headers["connection"] == "close"


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Long: " + b"a" * 70_000 + b"\r\n",
        b"".join(b"X-%d: a\r\n" % i for i in range(150)),
    ],
    ids=["one header line too long", "too many headers"],
)
def test_over_large_headers_are_431_in_the_envelope(runtime: LocalRuntime, headers: bytes) -> None:
    answer = _exchange(runtime, b"GET /public HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert _envelope(*answer, 431)["code"] == "headers_too_large"


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /public HTTP/9.9\r\nHost: x\r\n\r\n",  # the stdlib answers 505 in HTML
        b"GET /public HTTP/x\r\nHost: x\r\n\r\n",
        b"\x00\x01\x02 garbage\r\n\r\n",
        b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
        b"POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
        b"POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 5000,
    ],
    ids=[
        "unknown version",
        "bad version",
        "garbage",
        "negative length",
        "non-numeric length",
        "bad chunk size",
        "negative chunk size",
        "endless chunk-size line",
    ],
)
def test_malformed_requests_are_400_in_the_envelope(runtime: LocalRuntime, raw: bytes) -> None:
    answer = _exchange(runtime, raw)
    assert _envelope(*answer, 400)["code"] == "bad_request"


def test_a_chunked_body_reaches_the_function_whole(runtime: LocalRuntime) -> None:
    chunks = [b"hello ", b"chunked ", b"world"]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    raw = (
        b"POST /event HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Authorization: Bearer " + runtime.admin_key.encode() + b"\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + framed
    )
    status, _, body = _exchange(runtime, raw)
    assert status == 200
    assert json.loads(body)["event"]["body"] == "hello chunked world"


def test_a_chunked_body_over_the_payload_limit_is_413_in_the_envelope(
    runtime: LocalRuntime,
) -> None:
    # The size is announced by the first chunk; the server refuses before reading it.
    size = MAX_PAYLOAD_BYTES + 1
    raw = (
        b"POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n" % size
        + b"x" * 1024
    )
    answer = _exchange(runtime, raw)
    _envelope(*answer, 413)
