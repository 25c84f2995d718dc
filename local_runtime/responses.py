"""Gateway responses: the template's `GatewayResponses`, rendered as API Gateway renders them."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local_runtime.messages import HttpRequest, HttpResponse

__all__ = ["ErrorContext", "GatewayResponses", "envelope"]

logger = logging.getLogger(__name__)

# API Gateway's default status and message for each response type.
DEFAULTS: dict[str, tuple[int, str]] = {
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal server error"),
    "AUTHORIZER_FAILURE": (500, "Internal server error"),
    "BAD_REQUEST_BODY": (400, "Invalid request body"),
    "BAD_REQUEST_PARAMETERS": (400, "Invalid request parameters"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired"),
    "INTEGRATION_FAILURE": (504, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
    "INVALID_API_KEY": (403, "Forbidden"),
    "INVALID_SIGNATURE": (403, "Invalid signature"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "RESOURCE_NOT_FOUND": (404, "Not Found"),
    "THROTTLED": (429, "Too Many Requests"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type"),
    "WAF_FILTERED": (403, "Forbidden"),
    "DEFAULT_4XX": (400, "Bad Request"),
    "DEFAULT_5XX": (500, "Internal server error"),
}

# The `x-amzn-ErrorType` header API Gateway sends with its own responses.
ERROR_TYPES = {
    "ACCESS_DENIED": "AccessDeniedException",
    "INVALID_API_KEY": "ForbiddenException",
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "REQUEST_TOO_LARGE": "RequestTooLongException",
    "THROTTLED": "TooManyRequestsException",
    "UNAUTHORIZED": "UnauthorizedException",
    "WAF_FILTERED": "ForbiddenException",
}

_CONTEXT_VARIABLE = re.compile(
    r"\$\{context\.([A-Za-z0-9_.]+)\}|\$context\.([A-Za-z0-9_.]*[A-Za-z0-9_])"
)


def envelope(
    status: int, error: str, code: str, request_id: str, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """The project's error envelope, for errors that are not gateway responses (405, 500)."""
    body = {"success": False, "error": error, "code": code, "requestId": request_id}
    response = HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(body).encode("utf-8"),
    )
    for name, value in (headers or {}).items():
        response.set_header(name, value)
    return response


@dataclass(frozen=True)
class ErrorContext:
    """What a gateway response template may read from `$context`."""

    request_id: str
    response_type: str
    message: str
    request: HttpRequest | None = None
    stage: str = ""
    api_id: str = ""

    def variables(self) -> dict[str, str]:
        """The `$context.*` variables, by name."""
        values = {
            "requestId": self.request_id,
            "extendedRequestId": self.request_id,
            "apiId": self.api_id,
            "stage": self.stage,
            "error.message": self.message,
            "error.messageString": json.dumps(self.message),
            "error.responseType": self.response_type,
            "error.validationErrorString": "",
        }
        if self.request is not None:
            values["httpMethod"] = self.request.method
            values["path"] = f"/{self.stage}{self.request.path}"
            values["identity.sourceIp"] = self.request.source_ip
            values["identity.userAgent"] = self.request.header("user-agent") or ""
        return values


@dataclass(frozen=True)
class _Configured:
    status: int | None
    headers: dict[str, str]
    templates: dict[str, str]


def _parse(config: Mapping[str, Any]) -> dict[str, _Configured]:
    parsed: dict[str, _Configured] = {}
    for response_type, spec in config.items():
        status = spec.get("StatusCode")
        params = (spec.get("ResponseParameters") or {}).get("Headers") or {}
        parsed[response_type] = _Configured(
            status=int(status) if status is not None else None,
            headers={str(k): str(v) for k, v in params.items()},
            templates={str(k): str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
        )
    return parsed


def _header_value(expression: str, request: HttpRequest | None) -> str | None:
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    prefix = "method.request.header."
    if expression.startswith(prefix) and request is not None:
        return request.header(expression[len(prefix) :])
    return None


class GatewayResponses:
    """Renders a response type from the template, else DEFAULT_4XX/5XX, else the envelope."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self._configured = _parse(config or {})

    def render(
        self,
        response_type: str,
        context: ErrorContext,
        status: int | None = None,
    ) -> HttpResponse:
        """The response of ``response_type``; ``status`` overrides the type's default status."""
        default_status, _ = DEFAULTS.get(response_type, (500, "Internal server error"))
        status = status or default_status
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        configured = self._configured.get(response_type) or self._configured.get(family)
        if configured is None:
            response = envelope(status, context.message, response_type.lower(), context.request_id)
        else:
            response = self._from_template(configured, status, context)
        if response_type in ERROR_TYPES:
            response.set_header("x-amzn-ErrorType", ERROR_TYPES[response_type])
        return response

    @staticmethod
    def _from_template(configured: _Configured, status: int, context: ErrorContext) -> HttpResponse:
        content_type, template = next(
            iter(configured.templates.items()),
            ("application/json", '{"message":$context.error.messageString}'),
        )
        if "application/json" in configured.templates:
            content_type, template = "application/json", configured.templates["application/json"]
        variables = context.variables()

        def substitute(match: re.Match[str]) -> str:
            return variables.get(match.group(1) or match.group(2), "")

        response = HttpResponse(
            status=configured.status or status,
            headers=[("Content-Type", content_type)],
            body=_CONTEXT_VARIABLE.sub(substitute, template).encode("utf-8"),
        )
        for name, expression in configured.headers.items():
            value = _header_value(expression, context.request)
            if value is not None:
                response.set_header(name, value)
        return response
