"""One function's OpenAPI document, telling what the API really answers.

FastAPI documents a success and a 422 for every operation. The API never answers 422
(validation is a 400 in the error envelope) and does answer other errors, so each operation
is rewritten here by one set of rules, from what the operation takes:

- anything to validate (a body, a query or header parameter, a constrained path segment):
  400;
- a key (the operation has a security requirement): 401 without one, 403 for a key that is
  unknown, revoked or lacks the role or permission, and the quota headers on its answers;
- a path parameter: 404 (also another sandbox's resource);
- a write (any method but GET): 409 when the resource's state forbids it or a concurrent
  change won;
- a body: 413 past the size limit;
- every operation: 429 (usage-plan throttle or quota with a key, the per-IP limit without);
- a ``cursor`` query parameter: the next page's cursor in ``X-Next-Cursor``.

A route documents only what these rules cannot know: another success (``responses=``) or
an error its input does not show (``openapi_extra=also_answers(404)``). Worked request and
response examples come from sandbox_common.http.openapi_examples, the links from one answer's
values to the operations that take them from sandbox_common.http.openapi_links.
Built only when a document is asked for (``make openapi``), never on a request path.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from sandbox_common.http.envelope import ErrorEnvelope

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
# FastAPI's own validation shapes, which nothing answers with.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

_COUNT = {"type": "integer", "minimum": 0}
HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests the key's usage plan allows per quota period",
        "schema": _COUNT,
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current quota period",
        "schema": _COUNT,
    },
    "X-RateLimit-Reset": {
        "description": "When the quota period ends (epoch seconds)",
        "schema": _COUNT,
    },
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": _COUNT},
    "X-Next-Cursor": {
        "description": "The `cursor` of the next page; absent on the last page",
        "schema": {"type": "string"},
    },
}
_CONSTRAINTS = {"minLength", "maxLength", "pattern", "enum", "format", "minimum", "maximum"}
_QUOTA = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

# name: (status, description, headers). Answers to a keyed request carry the key's quota;
# 401 has no key to count, and the per-IP 429 concerns public routes only.
_ERRORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ValidationFailed": ("400", "The request failed validation (see `details`)", _QUOTA),
    "MissingKey": ("401", "No API key: send `Authorization: Bearer <key>` or `x-api-key`", ()),
    "Forbidden": (
        "403",
        "The key is unknown, revoked or expired, or lacks the role or permission, or its "
        "sandbox is shut down (`sandbox_shut_down`)",
        _QUOTA,
    ),
    "NotFound": ("404", "No such resource in the caller's sandbox", _QUOTA),
    "InsufficientCredits": (
        "402",
        "The customer's credits do not cover the amount (`insufficient_credits`); "
        "nothing was charged",
        _QUOTA,
    ),
    "Conflict": (
        "409",
        "The resource's state does not allow this, or a concurrent change won; retry",
        _QUOTA,
    ),
    "PayloadTooLarge": ("413", "The request body is larger than the API accepts", _QUOTA),
    "Throttled": (
        "429",
        "The key's throttle or daily quota is spent; wait `Retry-After` seconds",
        (*_QUOTA, "Retry-After"),
    ),
    "IpRateLimited": (
        "429",
        "Too many requests without a key from this IP address; wait `Retry-After` seconds",
        ("Retry-After",),
    ),
}

# The keyed answer for each status a route may add with also_answers.
_BY_STATUS = {
    "400": "ValidationFailed",
    "402": "InsufficientCredits",
    "404": "NotFound",
    "409": "Conflict",
}
_ALSO_ANSWERS = "x-also-answers"


def also_answers(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for a route that answers an error the rules cannot see (e.g. a 404
    for an id in its body)."""
    return {_ALSO_ANSWERS: [str(status) for status in statuses]}


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with its real error answers (cached on the app)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description or None,
            routes=app.routes,
        )
        document_errors(document)
        # The worked examples are many lines of data: loaded here, with the document only.
        from sandbox_common.http.openapi_examples import add_examples
        from sandbox_common.http.openapi_links import add_links

        add_examples(document)
        add_links(document)
        app.openapi_schema = document
    return app.openapi_schema


def document_errors(document: dict[str, Any]) -> None:
    """Rewrite every operation of ``document`` by the module's rules, in place."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["ErrorEnvelope"] = error_envelope_schema()
    components.setdefault("headers", {}).update(HEADERS)
    responses = components.setdefault("responses", {})
    for name, (_, description, headers) in _ERRORS.items():
        responses[name] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}},
        }
        if headers:
            responses[name]["headers"] = {header: _header_ref(header) for header in headers}
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            _document_operation(method, operation)


def error_envelope_schema() -> dict[str, Any]:
    """The JSON schema of the error envelope as it is sent (``requestId``, no null details)."""
    schema = ErrorEnvelope.model_json_schema(by_alias=True, mode="serialization")
    # `details` is left out when there are none (error_body), never sent as null.
    schema["properties"]["details"] = {
        "type": "array",
        "items": {"type": "object"},
        "title": "Details",
    }
    schema["required"] = [name for name in schema["required"] if name != "details"]
    return schema


def _document_operation(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    parameters = operation.get("parameters", [])
    keyed = bool(operation.get("security"))
    has_body = "requestBody" in operation
    errors = ["Throttled" if keyed else "IpRateLimited"]
    if has_body or any(_can_be_refused(parameter) for parameter in parameters):
        errors.append("ValidationFailed")
    if keyed:
        errors += ["MissingKey", "Forbidden"]
    if any(parameter["in"] == "path" for parameter in parameters):
        errors.append("NotFound")
    if method.lower() != "get":
        errors.append("Conflict")
    if has_body:
        errors.append("PayloadTooLarge")
    by_status = {status: name for name, (status, _, _) in _ERRORS.items() if name in errors}
    for status in operation.pop(_ALSO_ANSWERS, []):
        by_status.setdefault(status, _BY_STATUS[status])
    for status, name in by_status.items():
        responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    success_headers = list(_QUOTA) if keyed else []
    if any(parameter["name"] == "cursor" for parameter in parameters):
        success_headers.append("X-Next-Cursor")
    for status, response in responses.items():
        if status.startswith("2") and success_headers:
            headers = response.setdefault("headers", {})
            for header in success_headers:
                headers.setdefault(header, _header_ref(header))
    operation["responses"] = dict(sorted(responses.items()))


def _can_be_refused(parameter: dict[str, Any]) -> bool:
    # A path segment is any text unless its schema constrains it; other parameters can be
    # unknown, repeated or of the wrong type.
    return parameter["in"] != "path" or bool(_CONSTRAINTS & set(parameter.get("schema", {})))


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}
