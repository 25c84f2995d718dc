"""The fintech sandbox's documented calls, as an integrator's tests make them, via the runtime.

Those tests send ``Authorization: Bearer <key>``; here the key is the runtime's demo
developer key, since a made-up key is (rightly) refused.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def sandbox_headers(runtime):
    return {"Authorization": f"Bearer {runtime.demo_key}"}


def test_sandbox_initialization_endpoint(client, sandbox_headers):
    response = client.post(
        "/api/v1/sandbox/initialize", headers=sandbox_headers, json={"environment": "sandbox"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "initialized"
    assert "mock_data" in data
    # The documented service answers with these fields and the default data set's sizes.
    assert data["environment"] == "sandbox"
    assert data["mock_data"] == {"accounts": 100, "transactions": 500, "compliance_records": 50}
    assert data["test_scenarios"] == 4
    assert data["analytics_initialized"] is True
    assert data["initialized_at"]


def test_sandbox_accounts_endpoint(client, sandbox_headers):
    response = client.get("/api/v1/sandbox/accounts", headers=sandbox_headers)
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list)
    if data:
        assert "account_id" in data[0]
        assert data[0]["environment"] == "sandbox"


def test_seed_generator_fields_are_all_present(client, sandbox_headers):
    account = client.get("/api/v1/sandbox/accounts?limit=1", headers=sandbox_headers).json()[0]
    assert {
        "id", "account_id", "network", "environment", "account_type", "country_code",
        "region", "metadata", "is_active", "created_at", "updated_at",
    } <= set(account)  # fmt: skip
    txn = client.get("/api/v1/sandbox/transactions?limit=1", headers=sandbox_headers).json()[0]
    assert {
        "id", "from_account_id", "to_account_id", "amount", "currency", "transaction_type",
        "status", "from_country_code", "to_country_code", "description", "metadata",
        "created_at", "updated_at", "completed_at",
    } <= set(txn)  # fmt: skip
    flag = client.get("/api/v1/sandbox/compliance/flags?limit=1", headers=sandbox_headers).json()[0]
    assert {
        "id", "flag_type", "severity", "status", "title", "description", "account_id",
        "transaction_id", "evidence", "risk_score", "created_at", "updated_at", "resolved_at",
        "resolved_by",
    } <= set(flag)  # fmt: skip


@pytest.mark.parametrize(
    "scenario_id",
    [
        "account_creation_flow",
        "transfer_processing_flow",
        "compliance_flagging_flow",
        "analytics_dashboard_flow",
    ],
)
def test_seed_scenarios_execute_with_the_documented_result_shape(
    client, sandbox_headers, scenario_id
):
    response = client.post(f"/api/v1/sandbox/scenarios/{scenario_id}/run", headers=sandbox_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert {"scenario_id", "name", "description", "execution_time", "steps", "status"} <= set(
        result
    )
    assert result["scenario_id"] == scenario_id and result["status"] == "completed"
    for step in result["steps"]:
        assert {"step", "action", "success", "result"} <= set(step) and step["success"] is True
