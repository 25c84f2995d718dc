"""The gateway pipeline with fake functions and keys: order of checks, key sources, logging."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from local_runtime.api import ApiDefinition
from local_runtime.apikeys import KeyLookup, KeyStatus
from local_runtime.authorizer import AuthorizerConfig
from local_runtime.events import ApiInfo
from local_runtime.gateway import Gateway
from local_runtime.messages import HttpRequest
from local_runtime.responses import GatewayResponses
from local_runtime.routing import Route, Router
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod

LIMITS = PlanLimits(rate_limit=100, burst_limit=100, quota_limit=10, quota_period=QuotaPeriod.DAY)


class FakeFunction:
    def __init__(self, logical_id: str, behaviour: Any) -> None:
        self.spec = SimpleNamespace(logical_id=logical_id)
        self.behaviour = behaviour
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        return self.behaviour(event)


class FakeKeys:
    def __init__(self, **keys: KeyLookup) -> None:
        self.keys = keys

    def lookup(self, value: str) -> KeyLookup:
        return self.keys.get(value, KeyLookup(KeyStatus.UNKNOWN))


def ok(event: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"}


def allow(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "principalId": "p",
        "policyDocument": {
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]
        },
        "context": {"key_id": "sbx_caller", "sandbox_id": "sb_1"},
        "usageIdentifierKey": "from-authorizer",
    }


def gateway(source: str, routes: list[Route], app: Any = ok) -> tuple[Gateway, FakeFunction]:
    router = Router()
    for route in routes:
        router.add(route)
    api = ApiDefinition(
        logical_id="Api",
        info=ApiInfo("api1", "v1", "123456789012", "us-east-1"),
        api_key_source=source,
        router=router,
        authorizers={"Auth": AuthorizerConfig("Auth", "AuthFn", "REQUEST", ttl_seconds=0)},
        gateway_responses=GatewayResponses(None),
    )
    function = FakeFunction("App", app)
    keys = FakeKeys(
        **{
            "from-header": KeyLookup(KeyStatus.OK, "k-h", "plan", LIMITS),
            "from-authorizer": KeyLookup(KeyStatus.OK, "k-a", "plan", LIMITS),
        }
    )
    functions = {"App": function, "AuthFn": FakeFunction("AuthFn", allow)}
    return Gateway(api, functions, keys), function  # type: ignore[arg-type]


def get(path: str = "/x", **headers: str) -> HttpRequest:
    return HttpRequest("GET", path, headers=[(k.replace("_", "-"), v) for k, v in headers.items()])


def test_header_key_source_reads_x_api_key_and_fills_identity() -> None:
    gw, function = gateway("HEADER", [Route("/x", "GET", "App", None, True)])

    outcome = gw.handle(get(x_api_key="from-header"))

    identity = function.events[0]["requestContext"]["identity"]
    assert outcome.response.status == 200
    assert (identity["apiKey"], identity["apiKeyId"]) == ("from-header", "k-h")
    assert outcome.key_id == "k-h"


def test_header_key_source_without_header_is_invalid_api_key() -> None:
    gw, function = gateway("HEADER", [Route("/x", "GET", "App", None, True)])

    outcome = gw.handle(get())

    assert outcome.response.status == 403
    assert json.loads(outcome.response.body)["code"] == "invalid_api_key"
    assert function.events == []


def test_authorizer_key_source_ignores_the_header_and_uses_usage_identifier_key() -> None:
    gw, function = gateway("AUTHORIZER", [Route("/x", "GET", "App", "Auth", True)])

    gw.handle(get(x_api_key="from-header"))

    assert function.events[0]["requestContext"]["identity"]["apiKeyId"] == "k-a"


def test_authorizer_key_source_without_an_authorizer_has_no_key() -> None:
    gw, _ = gateway("AUTHORIZER", [Route("/x", "GET", "App", None, True)])

    assert gw.handle(get(x_api_key="from-header")).response.status == 403


def test_route_without_key_requirement_gets_no_identity_key_and_no_quota_headers() -> None:
    gw, function = gateway("HEADER", [Route("/x", "GET", "App")])

    outcome = gw.handle(get(x_api_key="from-header"))

    assert function.events[0]["requestContext"]["identity"]["apiKey"] is None
    assert outcome.response.header("X-RateLimit-Limit") is None


def test_unexpected_runtime_error_is_a_500_envelope_logged_with_stack_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gw, _ = gateway("HEADER", [Route("/x", "GET", "App")])
    gw.api.router.match = None  # type: ignore[assignment,method-assign]

    with caplog.at_level(logging.ERROR):
        outcome = gw.handle(get())

    body = json.loads(outcome.response.body)
    assert outcome.response.status == 500
    assert body == {
        "success": False,
        "error": "Internal server error",
        "code": "internal_error",
        "requestId": outcome.request_id,
    }
    assert any(record.exc_info for record in caplog.records)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "local_runtime.access"]


def test_every_request_is_logged_once_with_method_path_status_latency_and_caller_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gw, _ = gateway("AUTHORIZER", [Route("/x", "GET", "App", "Auth", True)])

    with caplog.at_level(logging.INFO, logger="local_runtime.access"):
        outcome = gw.handle(get(authorization="Bearer k"))

    (line,) = access_lines(caplog)
    method, path, status, latency, key, request_id = line.split(" ")
    assert (method, path, status) == ("GET", "/x", "200")
    assert latency.endswith("ms") and float(latency[:-2]) >= 0
    assert key == "key=sbx_caller"  # the authorizer's key id, not API Gateway's "k-a"
    assert request_id == f"id={outcome.request_id}"
    assert (outcome.key_id, outcome.caller) == ("k-a", "sbx_caller")


def test_keyless_request_is_logged_with_a_dash_for_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gw, _ = gateway("HEADER", [Route("/x", "GET", "App")])

    with caplog.at_level(logging.INFO, logger="local_runtime.access"):
        gw.handle(get())

    (line,) = access_lines(caplog)
    assert line.startswith("GET /x 200 ") and " key=- " in line


def test_authorizer_principal_names_the_caller_when_its_context_has_no_key_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gw, _ = gateway("AUTHORIZER", [Route("/x", "GET", "App", "Auth", True)])
    gw.functions["AuthFn"].behaviour = lambda event: {**allow(event), "context": {}}  # type: ignore[attr-defined]

    with caplog.at_level(logging.INFO, logger="local_runtime.access"):
        gw.handle(get(authorization="Bearer k"))

    (line,) = access_lines(caplog)
    assert " key=p " in line


def test_a_refused_key_after_the_authorizer_is_still_named_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gw, function = gateway("AUTHORIZER", [Route("/x", "GET", "App", "Auth", True)])
    gw.keys = FakeKeys()  # the key the authorizer accepted has no usage plan: 403

    with caplog.at_level(logging.INFO, logger="local_runtime.access"):
        outcome = gw.handle(get(authorization="Bearer k"))

    (line,) = access_lines(caplog)
    assert outcome.response.status == 403 and function.events == []
    assert line.startswith("GET /x 403 ") and " key=sbx_caller " in line
