"""The links of the OpenAPI document: each leads to an operation that exists, takes a value
the source's answer (or request) always has, and fills parameters the target declares.

Held against the merged document, where a link may cross functions (a messaging user made
by the behavior function is read by the messages function). Schemathesis's stateful phase
follows these links (tests/http/test_openapi.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_runtime.openapi_document import build_document, operations
from sandbox_common.http.openapi_links import Link, add_links, all_links, operation_ref

JSON = "application/json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _links(document: dict[str, Any]) -> Iterator[tuple[str, str, str, str, dict[str, Any]]]:
    """``(METHOD, path, status, name, link)`` for every link of ``document``."""
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                yield method, path, status, name, link


def _target(document: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    ref = link["operationRef"]
    assert ref.startswith("#/paths/"), ref
    path, method = ref.removeprefix("#/paths/").rsplit("/", 1)
    path = path.replace("~1", "/").replace("~0", "~")
    operation = document["paths"].get(path, {}).get(method)
    assert operation is not None, f"{ref} names no operation of the document"
    return operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema's non-null alternatives, with their references followed."""
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return [
            resolved
            for branch in branches
            for resolved in _resolve(document, branch)
            if resolved.get("type") != "null"
        ]
    return [schema]


def _always_has(document: dict[str, Any], schema: dict[str, Any], pointer: str) -> None:
    """Fail unless every value of ``schema`` has a non-null value at the JSON ``pointer``."""
    for token in pointer.removeprefix("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        (schema,) = _resolve(document, schema)
        if schema.get("type") == "array":
            assert token.isdigit(), f"{pointer}: {token} indexes an array"
            schema = schema["items"]
            continue
        assert token in schema.get("properties", {}), f"{pointer}: no property {token}"
        assert token in schema.get("required", []), f"{pointer}: {token} may be absent"
        schema = schema["properties"][token]
    assert _resolve(document, schema), f"{pointer} is always null"


def _body_schema(part: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = part["content"][JSON]["schema"]
    return schema


def _check_expression(
    document: dict[str, Any], source: dict[str, Any], status: str, expression: str
) -> None:
    if expression.startswith("$response.body#"):
        answer = _body_schema(source["responses"][status])
        _always_has(document, answer, expression.removeprefix("$response.body#"))
    elif expression.startswith("$request.body#"):
        request = _body_schema(source["requestBody"])
        _always_has(document, request, expression.removeprefix("$request.body#"))
    else:
        pytest.fail(f"{expression}: a link takes a value of the answer or request body")


def test_the_document_has_every_link_of_the_module(document):
    expected = {
        (method, path, status, name)
        for (method, path), by_status in all_links().items()
        for status, named in by_status.items()
        for name in named
    }
    found = {(method, path, status, name) for method, path, status, name, _ in _links(document)}
    assert found == expected


@pytest.mark.parametrize(
    "where",
    [
        f"{method} {path} {status} {name}"
        for (method, path), by_status in all_links().items()
        for status, named in by_status.items()
        for name in named
    ],
)
def test_a_link_leads_to_an_operation_with_values_its_source_always_has(document, where):
    method, path, status, name = where.split(" ")
    source = document["paths"][path][method.lower()]
    link = source["responses"][status]["links"][name]
    target = _target(document, link)
    declared = {parameter["name"]: parameter for parameter in target.get("parameters", [])}
    for parameter, expression in link.get("parameters", {}).items():
        assert parameter in declared, f"the target takes no parameter {parameter}"
        _check_expression(document, source, status, expression)
    filled = set(link.get("parameters", {}))
    unfilled = {n for n, p in declared.items() if p["in"] == "path" and n not in filled}
    assert not unfilled, f"the link leaves the target's path parameters {unfilled} to chance"
    body = link.get("requestBody", {})
    if body:
        (request,) = _resolve(document, _body_schema(target["requestBody"]))
        for field, expression in body.items():
            assert field in request["properties"], f"the target's body has no {field}"
            _check_expression(document, source, status, expression)
    assert link["description"]


def test_an_operation_ref_is_a_json_pointer_to_the_operation():
    assert operation_ref(("GET", "/api/v1/sandbox/keys/{key_id}")) == (
        "#/paths/~1api~1v1~1sandbox~1keys~1{key_id}/get"
    )


def test_a_link_on_an_answer_the_operation_does_not_document_is_refused(monkeypatch):
    document = {"paths": {"/things": {"post": {"responses": {"200": {"description": "ok"}}}}}}
    link = Link(("GET", "/things/{id}"), "The thing", {"id": "$response.body#/id"})
    monkeypatch.setattr(
        "sandbox_common.http.openapi_links.LINKS", {("POST", "/things"): {"201": {"Get": link}}}
    )
    with pytest.raises(ValueError, match="POST /things documents no answer 201"):
        add_links(document)


def test_a_link_is_added_to_the_answer_it_follows(monkeypatch):
    document = {"paths": {"/things": {"post": {"responses": {"201": {"description": "ok"}}}}}}
    link = Link(("GET", "/things/{id}"), "The thing", {"id": "$response.body#/id"})
    monkeypatch.setattr(
        "sandbox_common.http.openapi_links.LINKS", {("POST", "/things"): {"201": {"Get": link}}}
    )
    add_links(document)
    assert document["paths"]["/things"]["post"]["responses"]["201"]["links"] == {
        "Get": {
            "operationRef": "#/paths/~1things~1{id}/get",
            "parameters": {"id": "$response.body#/id"},
            "description": "The thing",
        }
    }
