"""The Sandbox Manager's documented calls (configs, health, the job, the payment server's
credits), sent verbatim through the runtime.

The documented requests carry no key; this API authenticates every call but /health, so
each one here adds ``Authorization: Bearer <key>``: a developer key of a fresh sandbox whose
id is the documented ``sb_456`` (created with the admin key), so the documented body names
its own sandbox, or the admin key where the call is the operator's. Answers are checked
field by field against the documented responses.
"""

from __future__ import annotations

import copy
import re
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


# The documented request body with every field, and the documented GET answer for it.
DOCUMENTED_FULL_UPDATE = """{
  "userEmail": "user@example.com",
  "customerId": "customer_123",
  "sandboxId": "sandbox_456",
  "persistantConfig": {
    "enabled": true,
    "mode": "forever",
    "limitedConfig": {
      "startTimestamp": 1640995200000,
      "days": 30
    },
    "lastCreditsCharge": {
      "timestamp": 1640995200000,
      "amount": 1.5
    },
    "lastWakeUpTimestamp": 1640995200000
  }
}"""
DOCUMENTED_FULL_CONFIG = {
    "enabled": True,
    "mode": "forever",
    "limitedConfig": {"startTimestamp": 1640995200000, "days": 30},
    "lastCreditsCharge": {"timestamp": 1640995200000, "amount": 1.5},
    "lastWakeUpTimestamp": 1640995200000,
}


def test_the_documented_request_body_is_stored_and_read_back_as_documented(client, admin_headers):
    """The admin key may name any sandbox; ``sandbox_456`` is created by this update."""
    response = client.post(
        "/update-sandbox-config",
        headers={**admin_headers, "Content-Type": "application/json"},
        content=DOCUMENTED_FULL_UPDATE,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "message": "Configuration updated successfully"}
    read = client.get("/get-persistant-config?sandboxId=sandbox_456", headers=admin_headers)
    assert read.status_code == 200, read.text
    assert read.json() == {"success": True, "data": DOCUMENTED_FULL_CONFIG}


def test_the_documented_forever_mode_is_read_back_as_sent(client, admin_headers):
    body = {
        "userEmail": "user@example.com",
        "customerId": "customer_123",
        "sandboxId": "sb_forever_mode",
        "persistantConfig": {"enabled": True, "mode": "forever"},
    }
    assert client.post("/update-sandbox-config", headers=admin_headers, json=body).json() == {
        "success": True,
        "message": "Configuration updated successfully",
    }

    read = client.get("/get-persistant-config?sandboxId=sb_forever_mode", headers=admin_headers)

    assert read.json() == {"success": True, "data": {"enabled": True, "mode": "forever"}}


def test_health_example(client):
    """``curl /health``: public, no key; the documented envelope and data fields."""
    response = client.get("/health")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"success", "message", "data"}
    assert body["success"] is True
    assert body["message"] == "Sandbox Manager is running"
    assert set(body["data"]) == {"timestamp", "uptime", "version"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["data"]["timestamp"])
    assert isinstance(body["data"]["uptime"], int | float) and body["data"]["uptime"] >= 0
    assert body["data"]["version"] == "1.0.0"


def test_answers_carry_the_documented_rate_limit_headers(client, headers):
    response = client.get("/get-persistant-config?sandboxId=sb_456", headers=headers)

    limit = int(response.headers["X-RateLimit-Limit"])
    remaining = int(response.headers["X-RateLimit-Remaining"])
    assert 0 <= remaining < limit
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_the_documented_job_needs_an_admin_key(client, headers):
    _refused(client.post("/admin/execute-job", headers=headers), 403, "forbidden")
    _refused(client.post("/admin/execute-job"), 401, "unauthorized")


def test_the_documented_payment_server_calls(client, admin_headers):
    """``GET /get-credits?customerId=customer_123`` and the documented consume of 1.5.

    The payment server ships with this stack; credits are granted by its admin route first.
    """
    balance = client.get("/get-credits?customerId=customer_123", headers=admin_headers)
    assert balance.status_code == 200, balance.text
    assert balance.json() == {
        "success": True,
        "data": {"customerId": "customer_123", "credits": "0"},
    }
    # Credits that do not cover the documented amount: refused, nothing charged.
    documented_consume = '{\n  "customerId": "customer_123",\n  "amount": 1.5\n}'
    consume_headers = {**admin_headers, "Content-Type": "application/json"}
    short = client.post("/consume-credits", headers=consume_headers, content=documented_consume)
    _refused(short, 402, "insufficient_credits")

    granted = client.post(
        "/admin/credits", headers=admin_headers, json={"customerId": "customer_123", "amount": 10}
    )
    assert granted.status_code == 200, granted.text
    consumed = client.post("/consume-credits", headers=consume_headers, content=documented_consume)

    assert consumed.status_code == 200, consumed.text
    data = consumed.json()["data"]
    assert (data["customerId"], data["amount"], data["credits"]) == ("customer_123", "1.5", "8.5")
    assert data["entryId"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["consumedAt"])
    after = client.get("/get-credits?customerId=customer_123", headers=admin_headers).json()
    assert after["data"] == {"customerId": "customer_123", "credits": "8.5"}


@pytest.mark.parametrize(
    "query", ["", "?customerId=", "?customerId=customer%20123"], ids=["missing", "empty", "space"]
)
def test_get_credits_without_a_valid_customer_is_400(client, admin_headers, query):
    _refused(client.get("/get-credits" + query, headers=admin_headers), 400, "validation_error")
