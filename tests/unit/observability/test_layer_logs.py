"""The layer's use cases log through the function's Powertools Logger: one JSON line each,
with the invocation's own service, correlation id and Lambda context."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header

from sandbox_common.compensation import Compensation
from sandbox_common.http.app import make_handler
from sandbox_common.observability import LAYER_LOGGER, get_logger

# The logger a use case module of the layer writes to (``logging.getLogger(__name__)``).
USE_CASE_LOG = logging.getLogger("sandbox_common.ledger.transfers")


class Context:
    function_name = "fn"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())


def rest_event(request_id: str, marker: str) -> dict[str, Any]:
    return {
        "resource": "/work",
        "path": "/work",
        "httpMethod": "POST",
        "headers": {"x-marker": marker},
        "multiValueHeaders": {"x-marker": [marker]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id,
            "resourcePath": "/work",
            "httpMethod": "POST",
            "path": "/v1/work",
            "stage": "v1",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def use_case_app() -> FastAPI:
    """A route whose use case logs an INFO line and undoes a step whose undo fails."""
    app = FastAPI()

    @app.post("/work")
    def work(x_marker: Annotated[str, Header()]) -> dict[str, str]:
        USE_CASE_LOG.info("transfer created", extra={"marker": x_marker})

        def broken_undo() -> None:
            raise RuntimeError("gateway down")

        try:
            with Compensation() as undo:
                undo.on_failure(f"undo {x_marker}", broken_undo)
                raise ValueError("second step failed")
        except ValueError:
            pass
        return {"marker": x_marker}

    return app


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def new_service() -> str:
    return f"svc-{uuid.uuid4().hex[:8]}"


def invoke(handler: Any, request_id: str, marker: str) -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum needs a loop per thread
    response = handler(rest_event(request_id, marker), Context())
    assert response["statusCode"] == 200


def test_a_use_case_line_is_a_json_line_of_the_function_logger_with_the_correlation_id(capsys):
    service = new_service()
    handler = make_handler(use_case_app(), service)

    invoke(handler, "req-42", "m42")

    lines = json_lines(capsys.readouterr().out)
    (created,) = [line for line in lines if line["message"] == "transfer created"]
    assert created["level"] == "INFO"
    assert created["service"] == service
    assert created["correlation_id"] == "req-42"
    assert created["name"] == "sandbox_common.ledger.transfers"
    assert created["marker"] == "m42"
    assert created["function_name"] == "fn"


def test_a_use_case_exception_is_logged_as_one_structured_line(capsys):
    service = new_service()
    handler = make_handler(use_case_app(), service)

    invoke(handler, "req-7", "m7")

    lines = json_lines(capsys.readouterr().out)
    (failed,) = [line for line in lines if line["message"].startswith("compensation step")]
    assert failed["message"] == "compensation step failed: undo m7"
    assert failed["level"] == "ERROR"
    assert failed["name"] == "sandbox_common.compensation"
    assert failed["correlation_id"] == "req-7"
    assert failed["service"] == service
    assert "RuntimeError: gateway down" in failed["exception"]


def test_use_case_lines_are_not_written_twice(capsys):
    handler = make_handler(use_case_app(), new_service())

    invoke(handler, "req-1", "m1")

    lines = json_lines(capsys.readouterr().out)
    assert len([line for line in lines if line["message"] == "transfer created"]) == 1


def test_concurrent_invocations_of_two_functions_keep_their_own_ids_and_service(capsys):
    """The local runtime serves every function from one process, at the same time."""
    services = [new_service(), new_service()]
    handlers = [make_handler(use_case_app(), service) for service in services]
    start = threading.Barrier(8)

    def one(number: int) -> None:
        if number < 8:
            start.wait()  # the first eight run together, so their lines interleave
        invoke(handlers[number % 2], f"req-{number}", f"m{number}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(48)))

    lines = [
        line
        for line in json_lines(capsys.readouterr().out)
        if line["message"] == "transfer created" or line["message"].startswith("compensation")
    ]
    assert len(lines) == 2 * 48
    for line in lines:
        marker = line.get("marker") or line["message"].rsplit(" ", 1)[-1]
        number = int(marker.removeprefix("m"))
        assert line["correlation_id"] == f"req-{number}"
        assert line["service"] == services[number % 2]


def test_outside_an_invocation_use_case_lines_carry_no_request_keys(capsys):
    get_logger(new_service())

    USE_CASE_LOG.info("at import")

    lines = json_lines(capsys.readouterr().out)
    (line,) = [line for line in lines if line["message"] == "at import"]
    assert "correlation_id" not in line
    assert "function_request_id" not in line


@pytest.fixture
def layer_level() -> Iterator[None]:
    """Puts the layer's level back: the next function's Logger would, but not every test
    makes one."""
    layer = logging.getLogger(LAYER_LOGGER)
    level = layer.level
    yield
    layer.setLevel(level)


def test_use_case_lines_below_the_function_level_are_dropped(capsys, monkeypatch, layer_level):
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    get_logger(new_service())

    USE_CASE_LOG.info("too detailed")
    USE_CASE_LOG.warning("worth a look")

    out = capsys.readouterr().out
    assert "too detailed" not in out
    assert "worth a look" in out
