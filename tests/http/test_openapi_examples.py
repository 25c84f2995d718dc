"""The worked examples of the OpenAPI document: on their operations, true to their schemas,
and accepted by the running API.

Each example is held to the JSON schema (2020-12, the dialect of OpenAPI 3.1) of its own
operation in the merged document, so a model change that makes an example false fails here.
The request examples are then sent to the local runtime and must get the status their
response examples document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from local_runtime.openapi_document import build_document
from sandbox_common.http.openapi_examples import (
    Example,
    Operation,
    OperationExamples,
    add_examples,
    all_examples,
)
from tests.http.drivers import new_developer_key

EXAMPLES = all_examples()
DOCUMENT_URI = "urn:sandbox-platform:openapi"
JSON = "application/json"

# Every operation whose request or answer the API's user documentation shows: each must
# carry at least one example.
DOCUMENTED: list[Operation] = [
    # fintech sandbox
    ("POST", "/api/v1/sandbox/keys"),
    ("GET", "/api/v1/sandbox/keys"),
    ("DELETE", "/api/v1/sandbox/keys/{key_id}"),
    ("POST", "/api/v1/sandbox/initialize"),
    ("GET", "/api/v1/sandbox/accounts"),
    ("POST", "/api/v1/sandbox/accounts"),
    ("POST", "/api/v1/sandbox/accounts/{account_id}/verify"),
    ("GET", "/api/v1/sandbox/transactions"),
    ("POST", "/api/v1/sandbox/transfers"),
    ("POST", "/api/v1/sandbox/transfers/{transfer_id}/process"),
    ("GET", "/api/v1/sandbox/compliance/flags"),
    ("POST", "/api/v1/sandbox/compliance/flags/{flag_id}/resolve"),
    ("GET", "/api/v1/sandbox/scenarios"),
    ("POST", "/api/v1/sandbox/scenarios/{scenario_id}/run"),
    # sandbox manager and the payment server it calls
    ("POST", "/update-sandbox-config"),
    ("GET", "/get-persistant-config"),
    ("GET", "/health"),
    ("POST", "/admin/execute-job"),
    ("GET", "/admin/job-status"),
    ("GET", "/get-credits"),
    ("POST", "/consume-credits"),
    # behavioral messaging
    ("GET", "/api/sandbox/users"),
    ("GET", "/api/sandbox/signals/catalog"),
    ("POST", "/api/sandbox/signals"),
    ("POST", "/api/sandbox/send-message"),
    ("POST", "/api/sandbox/schedule"),
    ("GET", "/api/sandbox/messages/sent/{senderId}"),
    ("GET", "/api/sandbox/messages/received/{receiverId}"),
    ("POST", "/api/sandbox/messages/deliver"),
    ("GET", "/api/sandbox/message-state/{messageId}"),
    ("POST", "/api/sandbox/message/{messageId}/mark-delivered"),
    ("POST", "/api/sandbox/message/{messageId}/mark-read"),
    ("POST", "/api/sandbox/message/{messageId}/mark-replied"),
    ("GET", "/api/sandbox/rules"),
    ("GET", "/api/sandbox/decisions/{userId}"),
    ("POST", "/api/sandbox/events/process"),
    ("POST", "/api/sandbox/evaluate-rules/{messageId}"),
    ("POST", "/api/sandbox/orchestrate/{userId}"),
    ("GET", "/api/sandbox/audit/{userId}"),
    ("GET", "/api/sandbox/audit"),
    ("GET", "/api/sandbox/active-hours/{userId}"),
    ("GET", "/api/sandbox/can-deliver/{userId}"),
    ("GET", "/api/sandbox/next-allowed-delivery/{userId}"),
    ("GET", "/api/sandbox/users/{userId}/actions"),
    ("POST", "/api/sandbox/users/{userId}/execute"),
    ("POST", "/api/sandbox/events"),
]

REQUESTS = [
    pytest.param(operation, name, example, id=f"{operation[0]} {operation[1]} {name}")
    for operation, examples in EXAMPLES.items()
    for name, example in examples.request.items()
]
RESPONSES = [
    pytest.param(
        operation, status, name, example, id=f"{operation[0]} {operation[1]} {status} {name}"
    )
    for operation, examples in EXAMPLES.items()
    for status, named in examples.responses.items()
    for name, example in named.items()
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _operation(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    method, path = operation
    found: dict[str, Any] = document["paths"][path][method.lower()]
    return found


def _errors(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` does not match ``schema`` (whose $refs point into ``document``)."""
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    rooted = json.loads(json.dumps(schema).replace('"#/', f'"{DOCUMENT_URI}#/'))
    validator = Draft202012Validator(rooted, registry=registry, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(value)
    ]


def _request_schema(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    schema: dict[str, Any] = _operation(document, operation)["requestBody"]["content"][JSON][
        "schema"
    ]
    return schema


def _response_schema(document: dict[str, Any], operation: Operation, status: str) -> dict[str, Any]:
    schema: dict[str, Any] = _operation(document, operation)["responses"][status]["content"][JSON][
        "schema"
    ]
    return schema


def test_every_example_is_of_an_operation_of_the_document(document):
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert set(EXAMPLES) <= operations, set(EXAMPLES) - operations


def test_every_documented_operation_has_an_example():
    missing = [operation for operation in DOCUMENTED if operation not in EXAMPLES]
    assert not missing
    for operation in DOCUMENTED:
        examples = EXAMPLES[operation]
        assert examples.request or examples.responses, operation


def test_every_example_has_a_summary_that_says_what_it_is():
    for examples in EXAMPLES.values():
        named = [*examples.request.values()]
        for by_name in examples.responses.values():
            named += by_name.values()
        for example in named:
            assert example.summary.strip() and len(example.summary) <= 80, example.summary


@pytest.mark.parametrize(("operation", "name", "example"), REQUESTS)
def test_request_example_matches_the_request_body_schema(document, operation, name, example):
    assert _errors(document, _request_schema(document, operation), example.value) == []


@pytest.mark.parametrize(("operation", "status", "name", "example"), RESPONSES)
def test_response_example_matches_the_schema_of_its_status(
    document, operation, status, name, example
):
    assert _errors(document, _response_schema(document, operation, status), example.value) == []


def test_a_false_example_is_caught_by_the_schema_check(document):
    transfer = ("POST", "/api/v1/sandbox/transfers")
    body = dict(EXAMPLES[transfer].request["transfer"].value)
    del body["currency"]
    assert _errors(document, _request_schema(document, transfer), body)
    answer = {**EXAMPLES[transfer].responses["201"]["pending_transfer"].value, "status": "lost"}
    assert _errors(document, _response_schema(document, transfer, "201"), answer)


def test_the_examples_are_in_the_generated_document(document):
    for operation, examples in EXAMPLES.items():
        found = _operation(document, operation)
        if examples.request:
            shown = found["requestBody"]["content"][JSON]["examples"]
            assert shown == {name: ex.as_openapi() for name, ex in examples.request.items()}
        for status, named in examples.responses.items():
            shown = found["responses"][status]["content"][JSON]["examples"]
            assert shown == {name: ex.as_openapi() for name, ex in named.items()}


def test_an_example_for_an_answer_the_operation_does_not_give_is_refused(monkeypatch):
    document = {"paths": {"/health": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    misplaced = OperationExamples(responses={"201": {"made": Example("Made", {})}})
    monkeypatch.setattr(
        "sandbox_common.http.openapi_examples.all_examples",
        lambda: {("GET", "/health"): misplaced},
    )

    with pytest.raises(ValueError, match="no answer 201"):
        add_examples(document)


# --- the request examples, sent to the running API ----------------------------------------

ADMIN_ONLY = {"/api/v1/sandbox/keys", "/update-sandbox-config", "/consume-credits"}


@pytest.fixture(scope="module")
def developer(client: httpx.Client, admin_key: str) -> dict[str, str]:
    """A developer key of a fresh sandbox."""
    return {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}


def _two_accounts(client: httpx.Client, headers: dict[str, str]) -> tuple[str, str]:
    """Two accounts of the sandbox as it is now (initialize replaces its data set)."""
    made = []
    for country in ("NG", "KE"):
        response = client.post(
            "/api/v1/sandbox/accounts", headers=headers, json={"country_code": country}
        )
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    return made[0], made[1]


def _in_this_sandbox(body: Any, client: httpx.Client, headers: dict[str, str]) -> Any:
    """The body with the example's account ids replaced by this sandbox's own, and a
    scheduled moment moved into the window the sandbox's clock allows (the next day)."""
    if isinstance(body, dict) and "from_account_id" in body:
        sender, receiver = _two_accounts(client, headers)
        return {**body, "from_account_id": sender, "to_account_id": receiver}
    if isinstance(body, dict) and "scheduledFor" in body:
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        return {**body, "scheduledFor": tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return body


def _documented_status(examples: OperationExamples) -> int:
    (status,) = [status for status in examples.responses if status.startswith("2")]
    return int(status)


def _sent_requests() -> Iterator[Any]:
    for operation, examples in EXAMPLES.items():
        if "{" in operation[1]:
            continue  # the path names a resource: sent by the tests below with a real id
        for name, example in examples.request.items():
            yield pytest.param(operation, example, id=f"{operation[0]} {operation[1]} {name}")


@pytest.mark.parametrize(("operation", "example"), list(_sent_requests()))
def test_request_example_gets_its_documented_status_from_the_running_api(
    client, admin_key, developer, operation, example
):
    method, path = operation
    headers = {"Authorization": f"Bearer {admin_key}"} if path in ADMIN_ONLY else developer
    if path == "/consume-credits":
        granted = client.post(
            "/admin/credits", headers=headers, json={"customerId": "customer_123", "amount": 100}
        )
        assert granted.status_code == 200, granted.text

    response = client.request(
        method, path, headers=headers, json=_in_this_sandbox(example.value, client, headers)
    )

    assert response.status_code == _documented_status(EXAMPLES[operation]), response.text


def test_flag_resolve_example_resolves_the_flag_of_a_high_value_transfer(client, developer):
    transfers = EXAMPLES[("POST", "/api/v1/sandbox/transfers")]
    body = _in_this_sandbox(transfers.request["high_value_transfer"].value, client, developer)
    flagged = client.post("/api/v1/sandbox/transfers", headers=developer, json=body)
    assert flagged.status_code == 201, flagged.text
    flag_id = flagged.json()["compliance_flag_id"]
    assert flag_id

    resolve = EXAMPLES[("POST", "/api/v1/sandbox/compliance/flags/{flag_id}/resolve")]
    response = client.post(
        f"/api/v1/sandbox/compliance/flags/{flag_id}/resolve",
        headers=developer,
        json=resolve.request["approve"].value,
    )

    assert response.status_code == 200, response.text
    assert response.json()["resolution"] == "approved"
