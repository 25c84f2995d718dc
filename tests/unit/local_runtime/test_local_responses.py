"""Gateway responses rendered from the template, and the error envelope."""

from __future__ import annotations

import json
from pathlib import Path

from local_runtime.messages import HttpRequest
from local_runtime.responses import ErrorContext, GatewayResponses, envelope
from local_runtime.template import Template

CONFIG = {
    "UNAUTHORIZED": {
        "StatusCode": "401",
        "ResponseTemplates": {
            "application/json": '{"success": false, "error": "Missing key", '
            '"code": "unauthorized", "requestId": "$context.requestId"}'
        },
    },
    "THROTTLED": {
        "StatusCode": "429",
        "ResponseParameters": {
            "Headers": {"Retry-After": "'1'", "X-Echo": "method.request.header.x-trace"}
        },
        "ResponseTemplates": {"application/json": '{"code": "throttled"}'},
    },
    "DEFAULT_4XX": {
        "ResponseTemplates": {
            "application/json": '{"error": $context.error.messageString, '
            '"raw": "$context.error.message", "type": "${context.error.responseType}"}'
        }
    },
    "DEFAULT_5XX": {"ResponseTemplates": {"application/json": '{"code": "internal_error"}'}},
}


def context(response_type: str, message: str = "m", **kw: object) -> ErrorContext:
    return ErrorContext(request_id="req-1", response_type=response_type, message=message, **kw)  # type: ignore[arg-type]


def test_configured_response_uses_its_status_template_and_request_id() -> None:
    response = GatewayResponses(CONFIG).render("UNAUTHORIZED", context("UNAUTHORIZED"))

    assert response.status == 401
    assert response.header("Content-Type") == "application/json"
    assert json.loads(response.body) == {
        "success": False,
        "error": "Missing key",
        "code": "unauthorized",
        "requestId": "req-1",
    }


def test_static_and_request_header_response_parameters_become_headers() -> None:
    request = HttpRequest(method="GET", path="/", headers=[("X-Trace", "t-9")])

    response = GatewayResponses(CONFIG).render("THROTTLED", context("THROTTLED", request=request))

    assert response.header("Retry-After") == "1"
    assert response.header("X-Echo") == "t-9"
    assert response.header("x-amzn-ErrorType") == "TooManyRequestsException"


def test_unconfigured_4xx_type_falls_back_to_default_4xx_with_its_default_status() -> None:
    response = GatewayResponses(CONFIG).render(
        "REQUEST_TOO_LARGE", context("REQUEST_TOO_LARGE", 'Request "Too" Long')
    )

    assert response.status == 413
    assert json.loads(response.body.replace(b'"raw": "Request "Too" Long", ', b"")) == {
        "error": 'Request "Too" Long',
        "type": "REQUEST_TOO_LARGE",
    }


def test_message_string_is_json_quoted_and_message_is_raw() -> None:
    body = GatewayResponses(CONFIG).render("ACCESS_DENIED", context("ACCESS_DENIED", 'a "b"')).body

    assert b'"error": "a \\"b\\""' in body
    assert b'"raw": "a "b""' in body


def test_status_override_applies_when_the_response_has_no_status_code() -> None:
    response = GatewayResponses(CONFIG).render("DEFAULT_5XX", context("DEFAULT_5XX"), status=502)

    assert response.status == 502
    assert json.loads(response.body) == {"code": "internal_error"}


def test_template_without_gateway_responses_falls_back_to_the_envelope() -> None:
    response = GatewayResponses(None).render("THROTTLED", context("THROTTLED", "Too Many Requests"))

    assert response.status == 429
    assert json.loads(response.body) == {
        "success": False,
        "error": "Too Many Requests",
        "code": "throttled",
        "requestId": "req-1",
    }


def test_envelope_shape_and_extra_headers() -> None:
    response = envelope(405, "Method not allowed", "method_not_allowed", "r", {"Allow": "GET"})

    assert response.status == 405
    assert response.header("allow") == "GET"
    assert json.loads(response.body) == {
        "success": False,
        "error": "Method not allowed",
        "code": "method_not_allowed",
        "requestId": "r",
    }


def test_real_template_gateway_responses_render_the_envelope() -> None:
    root = Path(__file__).resolve().parents[3]
    template = Template.from_file(root / "template.yaml", {"AdminApiKey": "sk_sandbox_" + "c" * 30})
    config = template.resources["SandboxApi"].properties["GatewayResponses"]
    responses = GatewayResponses(config)

    for response_type, status, code in [
        ("UNAUTHORIZED", 401, "unauthorized"),
        ("ACCESS_DENIED", 403, "forbidden"),
        ("INVALID_API_KEY", 403, "forbidden"),
        ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found"),
        ("THROTTLED", 429, "throttled"),
        ("QUOTA_EXCEEDED", 429, "quota_exceeded"),
        ("WAF_FILTERED", 429, "ip_rate_limited"),
        ("AUTHORIZER_FAILURE", 500, "internal_error"),
    ]:
        response = responses.render(response_type, context(response_type))
        body = json.loads(response.body)
        assert (response.status, body["code"], body["requestId"]) == (status, code, "req-1")
        assert body["success"] is False
