"""The merged OpenAPI document: built from the apps, matching template.yaml, telling the truth.

GET /openapi.json serves functions/docs/openapi.json; these tests rebuild it from every
function's app and hold it to the template's routes and to the rules the API validates by.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from schemathesis.core.result import Ok

from local_runtime.openapi_document import (
    DOCUMENT_PATH,
    build_document,
    http_functions,
    load_template,
    operations,
    render,
    template_tiers,
)
from sandbox_common.auth import Permission
from sandbox_common.inputs import CLOCK_TIME_PATTERN
from sandbox_common.ledger.types import COUNTRIES, CURRENCIES

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def test_the_committed_document_is_the_one_the_apps_generate(document):
    committed = DOCUMENT_PATH.read_text(encoding="utf-8")
    assert committed == render(document), "functions/docs/openapi.json is stale: make openapi"


def test_every_template_route_is_documented_and_every_documented_operation_is_routed(
    document, template
):
    routed = {
        (route.method, route.path)
        for function in http_functions(template)
        for route in function.routes
    }
    documented = {(method, path) for method, path, _ in operations(document)}
    assert routed == documented, (
        f"only in the template: {routed - documented}; only in the document: {documented - routed}"
    )


def test_public_routes_need_no_key_and_every_other_route_needs_one(document, template):
    public = {
        (route.method, route.path)
        for function in http_functions(template)
        for route in function.routes
        if route.public
    }
    keyless = {
        (method, path) for method, path, op in operations(document) if not op.get("security")
    }
    assert public == keyless
    assert {("GET", "/health"), ("GET", "/openapi.json")} <= public
    for method, path, operation in operations(document):
        if (method, path) not in public:
            assert operation["security"] == [{"bearerKey": []}, {"apiKeyHeader": []}]


def test_no_operation_documents_a_422(document):
    for method, path, operation in operations(document):
        assert "422" not in operation["responses"], f"{method} {path}"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_documented_error_is_the_envelope(document):
    shared = document["components"]["responses"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                resolved = shared[response["$ref"].rsplit("/", 1)[1]]
                schema = resolved["content"]["application/json"]["schema"]
                assert schema == ENVELOPE, f"{method} {path} {status}"


def test_keyed_operations_document_the_key_and_quota_errors(document):
    for method, path, operation in operations(document):
        documented = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403", "429"} <= documented, f"{method} {path}"
            assert any(s.startswith("2") for s in documented)
        else:
            assert "429" in documented


def test_listings_document_the_next_page_cursor(document):
    for method, path, operation in operations(document):
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if "cursor" in names:
            headers = operation["responses"]["200"]["headers"]
            assert "X-Next-Cursor" in headers, f"{method} {path}"


def test_enums_are_the_values_validation_accepts(document, template):
    schemas = document["components"]["schemas"]
    text = render(document)
    assert schemas["TransferCreate"]["properties"]["currency"]["enum"] == list(CURRENCIES)
    assert schemas["AccountCreate"]["properties"]["country_code"]["enum"] == list(COUNTRIES)
    assert schemas["KeyUpdate"]["properties"]["tier"]["enum"] == template_tiers(template)
    assert template_tiers(template) == ["free", "pro"]
    assert schemas["Permission"]["enum"] == [p.value for p in Permission]
    permissions = schemas["KeyCreate"]["properties"]["permissions"]["anyOf"][0]
    assert permissions["minItems"] == 1
    hours = schemas["ActiveHours"]["properties"]["start"]
    assert hours["pattern"] == CLOCK_TIME_PATTERN and "format" not in hours
    assert '"format": "time"' not in text
    assert "x-sandbox-tiers" not in text


def test_the_document_loads_as_openapi_with_every_operation_usable(document):
    schema = schemathesis.openapi.from_dict(json.loads(render(document)))
    results = list(schema.get_all_operations())
    assert results and all(isinstance(result, Ok) for result in results)
    assert len(results) == len(list(operations(document)))
