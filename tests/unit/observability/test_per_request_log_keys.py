"""Concurrent invocations in one process: every log line carries its own request's ids."""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header

from sandbox_common.http.app import make_handler
from sandbox_common.observability import get_logger, per_request_log_keys

INVOCATIONS = 64


class Context:
    function_name = "fn"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())


def captured_lines(service: str) -> tuple[Any, io.StringIO]:
    logger = get_logger(service)
    buffer = io.StringIO()
    logger.logger_handler.setStream(buffer)
    return logger, buffer


def parsed(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def rest_event(request_id: str, marker: str) -> dict[str, Any]:
    return {
        "resource": "/echo",
        "path": "/echo",
        "httpMethod": "GET",
        "headers": {"x-marker": marker},
        "multiValueHeaders": {"x-marker": [marker]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id,
            "resourcePath": "/echo",
            "httpMethod": "GET",
            "path": "/v1/echo",
            "stage": "v1",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def run_concurrently(invoke: Any) -> None:
    """Start every invocation at once, so their log calls interleave."""
    start = threading.Barrier(8)

    def one(number: int) -> None:
        if number < 8:
            start.wait()
        invoke(number)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(INVOCATIONS)))


@pytest.fixture
def service() -> Iterator[str]:
    yield f"svc-{uuid.uuid4().hex[:8]}"


def test_concurrent_invocations_log_their_own_correlation_and_lambda_request_ids(service):
    logger, buffer = captured_lines(service)
    between = threading.Barrier(8)

    @per_request_log_keys(logger, correlation_id_path="requestContext.requestId")
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.info("first", extra={"marker": event["marker"]})
        if event["together"]:
            between.wait()  # all of the first eight have set their keys by now
        logger.info("second", extra={"marker": event["marker"]})

    expected: dict[str, tuple[str, str]] = {}

    def invoke(number: int) -> None:
        marker, context = f"m{number}", Context()
        expected[marker] = (f"req-{number}", context.aws_request_id)
        event = {"marker": marker, "together": number < 8}
        handler({**event, "requestContext": {"requestId": f"req-{number}"}}, context)

    run_concurrently(invoke)

    lines = parsed(buffer)
    assert len(lines) == 2 * INVOCATIONS
    for line in lines:
        correlation_id, lambda_request_id = expected[line["marker"]]
        assert line["correlation_id"] == correlation_id
        assert line["function_request_id"] == lambda_request_id


def test_keys_of_an_invocation_are_gone_after_it(service):
    logger, buffer = captured_lines(service)

    @per_request_log_keys(logger, correlation_id_path="requestContext.requestId")
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.info("inside")

    handler({"requestContext": {"requestId": "req-1"}}, Context())
    logger.info("outside")

    inside, outside = parsed(buffer)
    assert inside["correlation_id"] == "req-1"
    assert "correlation_id" not in outside
    assert "function_request_id" not in outside


def test_http_functions_log_lines_from_routes_with_their_own_request_id(service):
    """Sync routes run on a worker thread and async ones on the request's event loop."""
    logger, buffer = captured_lines(service)
    app = FastAPI()

    @app.get("/echo")
    def echo(x_marker: Annotated[str, Header()]) -> dict[str, str]:
        logger.info("route", extra={"marker": x_marker})
        return {"marker": x_marker}

    handler = make_handler(app, service)

    def invoke(number: int) -> None:
        import asyncio

        asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum needs a loop per thread
        response = handler(rest_event(f"req-{number}", f"m{number}"), Context())
        assert response["statusCode"] == 200

    run_concurrently(invoke)

    lines = [line for line in parsed(buffer) if line.get("message") == "route"]
    assert len(lines) == INVOCATIONS
    for line in lines:
        assert line["correlation_id"] == "req-" + line["marker"].removeprefix("m")
