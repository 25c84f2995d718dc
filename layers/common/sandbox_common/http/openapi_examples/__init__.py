"""Worked examples for the OpenAPI document: the requests an integrator sends, and the answers.

Examples are keyed by ``(METHOD, path)`` as the app declares the route, one module per API
(``fintech``, ``messaging``, ``manager``). Each is a request the API accepts as written and an
answer of the shape it sends for that status; a test holds every example to its operation's
schema. Swagger UI lists them by summary under the request body and each response.

Imported only when a document is built (``describe``), never on a request path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

Operation = tuple[str, str]
_MODULES = ("fintech", "messaging", "manager")
_JSON = "application/json"


@dataclass(frozen=True)
class Example:
    """One named example: a summary for the picker, the JSON value, and an optional note."""

    summary: str
    value: Any
    description: str | None = None

    def as_openapi(self) -> dict[str, Any]:
        """The OpenAPI Example Object."""
        example: dict[str, Any] = {"summary": self.summary}
        if self.description:
            example["description"] = self.description
        example["value"] = self.value
        return example


@dataclass(frozen=True)
class OperationExamples:
    """The examples of one operation: of its request body, and of its answers by status."""

    request: dict[str, Example] = field(default_factory=dict)
    responses: dict[str, dict[str, Example]] = field(default_factory=dict)


def all_examples() -> dict[Operation, OperationExamples]:
    """Every operation's examples, from every module (an operation documented twice is a bug)."""
    merged: dict[Operation, OperationExamples] = {}
    for name in _MODULES:
        module = import_module(f"{__name__}.{name}")
        for operation, examples in module.EXAMPLES.items():
            if operation in merged:
                raise ValueError(f"{operation[0]} {operation[1]} has examples in two modules")
            merged[operation] = examples
    return merged


def add_examples(document: dict[str, Any]) -> None:
    """Put the examples of the operations ``document`` has into it, in place.

    One app's document holds only its own operations; the others' examples are skipped here
    and applied when their app's document is built.
    """
    paths = document.get("paths", {})
    for (method, path), examples in all_examples().items():
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        where = f"{method} {path}"
        if examples.request:
            body = operation.get("requestBody")
            if body is None:
                raise ValueError(f"{where} takes no request body to give examples for")
            _json_content(body, where)["examples"] = _openapi(examples.request)
        for status, named in examples.responses.items():
            response = operation.get("responses", {}).get(status)
            if response is None or "$ref" in response:
                raise ValueError(f"{where} documents no answer {status} of its own")
            _json_content(response, f"{where} {status}")["examples"] = _openapi(named)


def _json_content(part: dict[str, Any], where: str) -> dict[str, Any]:
    content = part.get("content", {})
    if _JSON not in content:
        raise ValueError(f"{where} has no {_JSON} content")
    media: dict[str, Any] = content[_JSON]
    return media


def _openapi(named: dict[str, Example]) -> dict[str, Any]:
    return {name: example.as_openapi() for name, example in named.items()}
