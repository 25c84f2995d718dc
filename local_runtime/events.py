"""API Gateway REST events: the Lambda proxy event (v1), authorizer events, proxy responses."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from local_runtime.messages import HttpRequest, HttpResponse
from local_runtime.routing import RouteMatch

__all__ = [
    "ApiInfo",
    "MalformedProxyResponse",
    "RequestIdentity",
    "build_proxy_event",
    "build_request_authorizer_event",
    "build_token_authorizer_event",
    "method_arn",
    "parse_proxy_response",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ApiInfo:
    """The REST API the runtime plays."""

    api_id: str
    stage: str
    account_id: str
    region: str

    @property
    def domain_name(self) -> str:
        """The execute-api host name the API would have in AWS."""
        return f"{self.api_id}.execute-api.{self.region}.amazonaws.com"


@dataclass(frozen=True)
class RequestIdentity:
    """Per-request facts the gateway decided before calling the function."""

    request_id: str
    request_time: float
    api_key: str | None = None
    api_key_id: str | None = None
    authorizer: Mapping[str, Any] | None = None


class MalformedProxyResponse(Exception):
    """The function returned something that is not a Lambda proxy response."""


def method_arn(api: ApiInfo, method: str, path: str) -> str:
    """The `methodArn` API Gateway gives an authorizer (the request's own path)."""
    return (
        f"arn:aws:execute-api:{api.region}:{api.account_id}:{api.api_id}/{api.stage}/"
        f"{method.upper()}/{path.lstrip('/')}"
    )


def _request_time(epoch: float) -> str:
    t = time.gmtime(epoch)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def _headers(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in request.headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    # API Gateway adds these in front of the integration; Mangum reads the protocol from them.
    lower = {name.lower() for name in single}
    added = {
        "X-Forwarded-For": request.source_ip,
        "X-Forwarded-Proto": "http",
    }
    for name, value in added.items():
        if name.lower() not in lower:
            single[name] = value
            multi[name] = [value]
    return single, multi


def _query(request: HttpRequest) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not request.query:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        single[name] = value
        multi.setdefault(name, []).append(value)
    return (single, multi) if single else (None, None)


def _body(request: HttpRequest) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    try:
        return request.body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(request.body).decode("ascii"), True


def _request_context(
    request: HttpRequest,
    match: RouteMatch,
    api: ApiInfo,
    identity: RequestIdentity,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "resourceId": "local",
        "resourcePath": match.route.path,
        "httpMethod": request.method,
        "extendedRequestId": identity.request_id.replace("-", "")[:16] + "=",
        "requestTime": _request_time(identity.request_time),
        "path": f"/{api.stage}{request.path}",
        "accountId": api.account_id,
        "protocol": request.protocol,
        "stage": api.stage,
        "domainPrefix": api.api_id,
        "requestTimeEpoch": int(identity.request_time * 1000),
        "requestId": identity.request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": request.source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": request.header("user-agent"),
            "user": None,
            "apiKey": identity.api_key,
            "apiKeyId": identity.api_key_id,
        },
        "domainName": api.domain_name,
        "apiId": api.api_id,
    }
    if identity.authorizer is not None:
        context["authorizer"] = dict(identity.authorizer)
    return context


def build_proxy_event(
    request: HttpRequest, match: RouteMatch, api: ApiInfo, identity: RequestIdentity
) -> dict[str, Any]:
    """The Lambda proxy integration event (payload format 1.0) for a routed request."""
    headers, multi_headers = _headers(request)
    query, multi_query = _query(request)
    body, is_base64 = _body(request)
    return {
        "resource": match.route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": _request_context(request, match, api, identity),
        "body": body,
        "isBase64Encoded": is_base64,
    }


def build_request_authorizer_event(
    request: HttpRequest, match: RouteMatch, api: ApiInfo, identity: RequestIdentity
) -> dict[str, Any]:
    """The event of a REQUEST Lambda authorizer."""
    headers, multi_headers = _headers(request)
    query, multi_query = _query(request)
    return {
        "type": "REQUEST",
        "methodArn": method_arn(api, request.method, request.path),
        "resource": match.route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or {},
        "multiValueQueryStringParameters": multi_query or {},
        "pathParameters": match.path_parameters,
        "stageVariables": {},
        "requestContext": _request_context(request, match, api, identity),
    }


def build_token_authorizer_event(request: HttpRequest, api: ApiInfo, token: str) -> dict[str, Any]:
    """The event of a TOKEN Lambda authorizer."""
    return {
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": method_arn(api, request.method, request.path),
    }


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedProxyResponse(f"header value {value!r} is not a string")


def parse_proxy_response(result: Any) -> HttpResponse:
    """A Lambda proxy response as API Gateway reads it; raises if malformed."""
    if not isinstance(result, dict):
        raise MalformedProxyResponse(f"the function returned {type(result).__name__}, not a dict")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResponse(f"statusCode {status!r} is not an HTTP status")
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponse("headers and multiValueHeaders must be objects")
    # Both given: API Gateway merges them, and multiValueHeaders wins for a repeated name.
    multi_names = {name.lower() for name in multi}
    headers = [
        (name, _header_value(value))
        for name, value in single.items()
        if name.lower() not in multi_names
    ]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedProxyResponse(f"multiValueHeaders[{name!r}] is not a list")
        headers.extend((name, _header_value(value)) for value in values)
    body = result.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        raise MalformedProxyResponse("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedProxyResponse("isBase64Encoded body is not base64") from exc
    else:
        payload = body.encode("utf-8")
    return HttpResponse(status=status, headers=headers, body=payload)
