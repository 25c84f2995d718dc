"""Bad input through the local runtime and the real template: a 4xx in the envelope at every
layer (gateway, function), whatever the framing, and nothing written."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.http.drivers import new_developer_key

BASE = "/api/v1/sandbox"


@pytest.fixture(scope="module")
def developer(client: httpx.Client, admin_key: str) -> dict[str, str]:
    """A developer key's headers, its sandbox initialized with a small data set."""
    headers = {"x-api-key": new_developer_key(client, admin_key)}
    body = {"accounts": 3, "transactions": 0, "compliance_records": 0, "seed": 1}
    assert client.post(BASE + "/initialize", json=body, headers=headers).status_code == 200
    return headers


def _code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["requestId"]
    return str(body["code"])


def _account_count(client: httpx.Client, developer: dict[str, str]) -> int:
    status = client.get(BASE + "/status", headers=developer)
    assert status.status_code == 200
    return int(status.json()["counts"]["accounts"])


def test_a_body_over_api_gateways_limit_is_payload_too_large(client, developer):
    # Once `client_error`: the template had no REQUEST_TOO_LARGE response, so DEFAULT_4XX's.
    before = _account_count(client, developer)
    response = client.post(
        BASE + "/accounts",
        content=b"x" * (10 * 1024 * 1024 + 1),
        headers={**developer, "content-type": "application/json"},
    )
    assert _code(response, 413) == "payload_too_large"
    assert _account_count(client, developer) == before


def test_a_chunked_body_over_the_functions_cap_is_413_and_not_stored(client, developer):
    before = _account_count(client, developer)
    body = json.dumps({"country_code": "NG", "region": "x" * (300 * 1024)}).encode()
    response = client.post(
        BASE + "/accounts",
        content=iter([body[:1000], body[1000:]]),  # streamed: sent chunked, no Content-Length
        headers={**developer, "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert _code(response, 413) == "payload_too_large"
    assert _account_count(client, developer) == before


def test_a_trailing_slash_is_served_without_a_redirect(client, developer):
    response = client.get(BASE + "/status/", headers=developer, follow_redirects=False)
    assert response.status_code == 200 and "location" not in response.headers


def test_a_trailing_slash_request_is_counted_under_its_route(client, admin_key):
    headers = {"x-api-key": new_developer_key(client, admin_key)}

    assert client.get(BASE + "/config/", headers=headers).status_code == 200

    usage = client.get(BASE + "/usage", headers=headers).json()
    endpoints = {figures["endpoint"] for figures in usage["by_endpoint"]}
    assert "GET /api/v1/sandbox/config" in endpoints
    assert not any(endpoint.endswith("/") for endpoint in endpoints)


def test_trace_is_405_in_the_envelope(client, developer):
    response = client.request("TRACE", BASE + "/status", headers=developer)
    assert _code(response, 405) == "method_not_allowed"


def test_initialize_with_one_account_is_400_and_changes_nothing(client, developer):
    before = _account_count(client, developer)
    response = client.post(BASE + "/initialize", json={"accounts": 1}, headers=developer)
    assert _code(response, 400) == "validation_error"
    assert _account_count(client, developer) == before
