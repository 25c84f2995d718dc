"""The API Gateway proxy event (v1), authorizer events, and reading proxy responses."""

from __future__ import annotations

import base64

import pytest

from local_runtime.events import (
    ApiInfo,
    MalformedProxyResponse,
    RequestIdentity,
    build_proxy_event,
    build_request_authorizer_event,
    build_token_authorizer_event,
    method_arn,
    parse_proxy_response,
)
from local_runtime.messages import HttpRequest
from local_runtime.routing import Route, RouteMatch

API = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")
MATCH = RouteMatch(Route("/keys/{key_id}", "GET", "KeysFunction"), {"key_id": "sbx_1"})


def request(**overrides: object) -> HttpRequest:
    values: dict = {
        "method": "GET",
        "path": "/keys/sbx_1",
        "query": "a=1&a=2&b=",
        "headers": [("User-Agent", "curl/8"), ("X-Multi", "one"), ("X-Multi", "two")],
        "body": b"",
        "source_ip": "10.1.2.3",
    }
    values.update(overrides)
    return HttpRequest(**values)


def test_proxy_event_has_the_rest_v1_shape() -> None:
    identity = RequestIdentity(
        request_id="req-1",
        request_time=1_800_000_000.5,
        api_key="sk_sandbox_x",
        api_key_id="key1",
        authorizer={"sandbox_id": "sb_1", "principalId": "sbx_1", "integrationLatency": 0},
    )

    event = build_proxy_event(request(), MATCH, API, identity)

    assert event["resource"] == "/keys/{key_id}"
    assert event["path"] == "/keys/sbx_1"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["X-Multi"] == "two"
    assert event["multiValueHeaders"]["X-Multi"] == ["one", "two"]
    assert event["headers"]["X-Forwarded-For"] == "10.1.2.3"
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["pathParameters"] == {"key_id": "sbx_1"}
    assert event["stageVariables"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "v1"
    assert context["requestId"] == "req-1"
    assert context["path"] == "/v1/keys/sbx_1"
    assert context["resourcePath"] == "/keys/{key_id}"
    assert context["httpMethod"] == "GET"
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == "abc123"
    assert context["protocol"] == "HTTP/1.1"
    assert context["requestTimeEpoch"] == 1_800_000_000_500
    assert context["requestTime"] == "15/Jan/2027:08:00:00 +0000"
    assert context["identity"]["sourceIp"] == "10.1.2.3"
    assert context["identity"]["userAgent"] == "curl/8"
    assert context["identity"]["apiKey"] == "sk_sandbox_x"
    assert context["identity"]["apiKeyId"] == "key1"
    assert context["authorizer"]["sandbox_id"] == "sb_1"


def test_event_without_query_path_params_or_authorizer_uses_nulls() -> None:
    match = RouteMatch(Route("/health", "GET", "Fn"), {})

    event = build_proxy_event(
        request(path="/health", query=""), match, API, RequestIdentity("r", 0.0)
    )

    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert "authorizer" not in event["requestContext"]
    assert event["requestContext"]["identity"]["apiKey"] is None


def test_text_body_is_a_string_and_binary_body_is_base64() -> None:
    text = build_proxy_event(
        request(body='{"a": "é"}'.encode()), MATCH, API, RequestIdentity("r", 0)
    )
    binary = build_proxy_event(request(body=b"\xff\x00\x01"), MATCH, API, RequestIdentity("r", 0))

    assert (text["body"], text["isBase64Encoded"]) == ('{"a": "é"}', False)
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00\x01"


def test_method_arn_uses_the_request_path() -> None:
    assert method_arn(API, "get", "/keys/sbx_1") == (
        "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/keys/sbx_1"
    )


def test_request_authorizer_event_shape() -> None:
    event = build_request_authorizer_event(request(), MATCH, API, RequestIdentity("r", 0))

    assert event["type"] == "REQUEST"
    assert event["methodArn"].endswith("abc123/v1/GET/keys/sbx_1")
    assert event["resource"] == "/keys/{key_id}"
    assert event["pathParameters"] == {"key_id": "sbx_1"}
    assert event["headers"]["User-Agent"] == "curl/8"
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["requestContext"]["requestId"] == "r"


def test_token_authorizer_event_shape() -> None:
    event = build_token_authorizer_event(request(), API, "Bearer t")

    assert event == {
        "type": "TOKEN",
        "authorizationToken": "Bearer t",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/keys/sbx_1",
    }


def test_proxy_response_merges_headers_with_multi_value_winning() -> None:
    response = parse_proxy_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "application/json", "set-cookie": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
            "isBase64Encoded": False,
        }
    )

    assert response.status == 201
    assert response.headers == [
        ("content-type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    assert response.body == b'{"ok": true}'


def test_proxy_response_decodes_base64_body() -> None:
    response = parse_proxy_response(
        {"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}
    )

    assert response.body == b"\x89PNG"


@pytest.mark.parametrize(
    "result",
    [
        "not a dict",
        {"body": "no status"},
        {"statusCode": 99},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "multiValueHeaders": {"a": "not a list"}},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
    ],
)
def test_malformed_proxy_responses_are_refused(result: object) -> None:
    with pytest.raises(MalformedProxyResponse):
        parse_proxy_response(result)
