"""The Sandbox Manager's documented calls (configs, the job), sent verbatim through the runtime.

The documented requests carry no key; this API authenticates every call, so each one here
adds ``Authorization: Bearer <key>``: a developer key of a fresh sandbox whose id is the
documented ``sb_456`` (created with the admin key), so the documented body names its own
sandbox. Answers are checked field by field against the documented responses.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

DOCUMENTED_SANDBOX = "sb_456"

# The documented update example, as written.
DOCUMENTED_UPDATE = """{
    "userEmail": "john@example.com",
    "customerId": "cust_123",
    "sandboxId": "sb_456",
    "persistantConfig": {
      "enabled": true,
      "mode": "limited",
      "limitedConfig": {
        "startTimestamp": 1640995200000,
        "days": 30
      }
    }
  }"""


@pytest.fixture(scope="module")
def admin_headers(admin_key):
    return {"Authorization": f"Bearer {admin_key}"}


@pytest.fixture(scope="module")
def headers(client, admin_headers):
    response = client.post(
        "/api/v1/sandbox/keys",
        headers=admin_headers,
        json={
            "developer_name": "John",
            "developer_email": "john@example.com",
            "tier": "pro",
            "sandbox_id": DOCUMENTED_SANDBOX,
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['api_key']}"}


@pytest.fixture(scope="module")
def documented_update(client, headers):
    """The documented POST, sent once for the module."""
    return client.post(
        "/update-sandbox-config",
        headers={**headers, "Content-Type": "application/json"},
        content=DOCUMENTED_UPDATE,
    )


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["error"]
    assert body["requestId"]


def test_update_sandbox_config_example(documented_update):
    assert documented_update.status_code == 200, documented_update.text
    assert documented_update.json() == {
        "success": True,
        "message": "Configuration updated successfully",
    }


def test_get_persistant_config_example(client, headers, documented_update):
    assert documented_update.status_code == 200
    response = client.get("/get-persistant-config?sandboxId=sb_456", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["data"] == {
        "enabled": True,
        "mode": "limited",
        "limitedConfig": {"startTimestamp": 1640995200000, "days": 30},
    }


def test_update_by_another_email_is_401(client, headers, documented_update):
    assert documented_update.status_code == 200
    other = DOCUMENTED_UPDATE.replace("john@example.com", "mallory@example.com")

    response = client.post(
        "/update-sandbox-config",
        headers={**headers, "Content-Type": "application/json"},
        content=other,
    )

    _refused(response, 401, "email_mismatch")


def test_get_of_a_sandbox_without_config_is_404(client, admin_headers):
    response = client.get("/get-persistant-config?sandboxId=sb_no_config", headers=admin_headers)

    _refused(response, 404, "not_found")


def test_a_developer_key_gets_404_for_another_sandbox(client, headers, admin_headers):
    body = {
        "userEmail": "jane@example.com",
        "customerId": "cust_789",
        "sandboxId": "sb_someone_else",
        "persistantConfig": {"enabled": True, "mode": "forever"},
    }
    assert (
        client.post("/update-sandbox-config", headers=admin_headers, json=body).status_code == 200
    )

    _refused(
        client.get("/get-persistant-config?sandboxId=sb_someone_else", headers=headers),
        404,
        "not_found",
    )
    _refused(client.post("/update-sandbox-config", headers=headers, json=body), 404, "not_found")


@pytest.mark.parametrize(
    "query", ["", "?sandboxId=", "?sandboxId=sb%20456", "?sandboxId=" + "x" * 101]
)
def test_get_with_a_missing_or_invalid_sandbox_id_is_400(client, headers, query):
    _refused(client.get("/get-persistant-config" + query, headers=headers), 400, "validation_error")


def _body(**config: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userEmail": "john@example.com",
        "customerId": "cust_123",
        "sandboxId": "sb_refusals",
        "persistantConfig": {
            "enabled": True,
            "mode": "limited",
            "limitedConfig": {"startTimestamp": 1640995200000, "days": 30},
            "lastCreditsCharge": {"timestamp": 1640995200000, "amount": 1.5},
            "lastWakeUpTimestamp": 1640995200000,
        },
    }
    body["persistantConfig"].update(config)
    return body


def _top(**fields: Any) -> dict[str, Any]:
    body = _body()
    body.update(fields)
    return body


def _nested(part: str, **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(_body())
    body["persistantConfig"][part].update(fields)
    return body


RULES = {
    "email_format": _top(userEmail="john.example.com"),
    "customer_id_characters": _top(customerId="cust 123"),
    "customer_id_length": _top(customerId="c" * 101),
    "sandbox_id_characters": _top(sandboxId="sb.456"),
    "days_below_1": _nested("limitedConfig", days=0),
    "days_above_365": _nested("limitedConfig", days=366),
    "timestamp_not_positive": _nested("limitedConfig", startTimestamp=0),
    "timestamp_a_string": _nested("lastCreditsCharge", timestamp="1640995200000"),
    "timestamp_a_fraction": _body(lastWakeUpTimestamp=1.5),
    "amount_negative": _nested("lastCreditsCharge", amount=-1),
    "limited_needs_limited_config": _body(limitedConfig=None),
    "mode_forever_or_limited": _body(mode="always"),
    "enabled_a_boolean": _body(enabled="yes"),
    "required_field_missing": {k: v for k, v in _body().items() if k != "customerId"},
    "unknown_field": _top(owner="john"),
}


@pytest.mark.parametrize("body", RULES.values(), ids=RULES.keys())
def test_each_validation_rule_is_400_and_stores_nothing(client, admin_headers, body):
    _refused(
        client.post("/update-sandbox-config", headers=admin_headers, json=body),
        400,
        "validation_error",
    )
    stored = client.get("/get-persistant-config?sandboxId=sb_refusals", headers=admin_headers)
    assert stored.status_code == 404


def test_execute_job_example(client, admin_headers):
    """``curl -X POST /admin/execute-job``: no body; the documented answer, plus the run."""
    response = client.post("/admin/execute-job", headers=admin_headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Job executed successfully"
    assert body["data"]["trigger"] == "manual"
    assert body["data"]["complete"] is True


def test_job_status_example(client, admin_headers):
    """``curl /admin/job-status``: ``{"success": true, "data": {"running": …}}``."""
    client.post("/admin/execute-job", headers=admin_headers)

    response = client.get("/admin/job-status", headers=admin_headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["data"]["running"] is False
    assert body["data"]["lastRun"]["trigger"] == "manual"
