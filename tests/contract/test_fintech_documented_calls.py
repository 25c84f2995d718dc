"""The fintech sandbox's documented calls, as an integrator's tests make them, via the runtime.

The documented integration tests initialize the sandbox and list its accounts with
``Authorization: Bearer sk_sandbox_test_key``; here the key is the runtime's demo developer
key, since a key the platform never issued is (rightly) refused, which is checked too. The
documented mock data generator, test scenarios and their execution report are checked field
by field on what the API generates and runs.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.http.drivers import new_developer_key

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _instant(value: str) -> datetime:
    assert ISO_UTC.match(value), value
    return datetime.fromisoformat(value)


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
    _instant(data["initialized_at"])


def test_sandbox_accounts_endpoint(client, sandbox_headers):
    response = client.get("/api/v1/sandbox/accounts", headers=sandbox_headers)
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list)
    if data:
        assert "account_id" in data[0]
        assert data[0]["environment"] == "sandbox"


def test_generated_records_carry_every_documented_field(client, sandbox_headers):
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
def test_documented_scenarios_execute_with_the_documented_result_shape(
    client, sandbox_headers, scenario_id
):
    response = client.post(f"/api/v1/sandbox/scenarios/{scenario_id}/run", headers=sandbox_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert {"scenario_id", "name", "description", "execution_time", "steps", "status"} <= set(
        result
    )
    assert result["scenario_id"] == scenario_id and result["status"] == "completed"
    documented = DOCUMENTED_SCENARIOS[scenario_id]
    assert (result["name"], result["description"]) == (
        documented["name"],
        documented["description"],
    )
    _instant(result["execution_time"])
    # One result per documented step, in order, each a success.
    assert [(step["step"], step["action"]) for step in result["steps"]] == [
        (step["step"], step["action"]) for step in documented["steps"]
    ]
    for step in result["steps"]:
        assert {"step", "action", "success", "result"} <= set(step) and step["success"] is True


def test_the_documented_integration_key_is_refused(client):
    """The documented fixture's ``sk_sandbox_test_key`` was never issued: refused, nothing read."""
    response = client.get(
        "/api/v1/sandbox/accounts", headers={"Authorization": "Bearer sk_sandbox_test_key"}
    )

    assert response.status_code == 403, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "forbidden"
    assert body["error"] == "API key is unknown, revoked or expired"
    assert body["requestId"]


def test_initialization_clears_the_data_and_answers_the_sizes_asked_for(client, admin_key):
    """The documented initialization clears the sandbox's data, then reports how many records
    of each kind it generated.

    The documented unit test generates one of each; a transfer needs two accounts, so two is
    this API's smallest data set.
    """
    headers = {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}
    earlier = client.post(
        "/api/v1/sandbox/initialize",
        headers=headers,
        json={"environment": "sandbox", "accounts": 5},
    )
    assert earlier.status_code == 200, earlier.text
    response = client.post(
        "/api/v1/sandbox/initialize",
        headers=headers,
        json={"environment": "sandbox", "accounts": 2, "transactions": 1, "compliance_records": 1},
    )

    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "initialized"
    assert data["mock_data"] == {"accounts": 2, "transactions": 1, "compliance_records": 1}
    listed = client.get("/api/v1/sandbox/accounts", headers=headers).json()
    assert len(listed) == 2


def test_an_account_for_the_documented_country_and_type(client, sandbox_headers):
    """The documented generator test asks for a ``user`` account in ``NG``; the documented
    account creation step sends these parameters."""
    response = client.post(
        "/api/v1/sandbox/accounts",
        headers=sandbox_headers,
        json={
            "network": "stellar",
            "environment": "sandbox",
            "account_type": "user",
            "country_code": "NG",
        },
    )

    assert response.status_code == 201, response.text
    account = response.json()
    assert account["country_code"] == "NG"
    assert account["account_type"] == "user"
    assert account["network"] == "stellar"
    assert account["environment"] == "sandbox"
    assert account["is_active"] is True
    assert account["updated_at"] is None
    assert UUID4.match(account["id"])
    assert STELLAR_ADDRESS.match(account["account_id"])
    _instant(account["created_at"])


# ------------------------------------------------- the documented mock data generator

DOCUMENTED_COUNTRIES = {"NG", "KE", "ZA", "GH", "UG"}
DOCUMENTED_CURRENCIES = {"USDC", "USDT", "XLM", "HBAR", "NGN", "KES", "ZAR", "GHS"}
TRANSACTION_SCENARIOS = {
    "transfer": {"normal", "high_value", "cross_border"},
    "payment": {"merchant", "recurring", "one_time"},
    "remittance": {"family", "business", "emergency"},
}
SEVERITIES = {
    "aml": {"medium", "high"},
    "kyc": {"low", "medium"},
    "sanctions": {"high", "critical"},
    "risk": {"low", "medium", "high"},
}
# The documented account ids are ``SBX_`` + a made-up "G" + 55 characters, or three groups of
# digits. This API generates real network addresses instead, which SDKs accept: a Stellar
# StrKey ("G" + 55 base32 characters) or a Hedera id (shard.realm.number).
STELLAR_ADDRESS = re.compile(r"^G[A-Z2-7]{55}$")
HEDERA_ADDRESS = re.compile(r"^\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def data_set(client, admin_key) -> dict[str, Any]:
    """A small data set of the documented kinds, in a sandbox of its own, read back whole."""
    headers = {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}
    initialized = client.post(
        "/api/v1/sandbox/initialize",
        headers=headers,
        json={
            "environment": "sandbox",
            "seed": 54,
            "accounts": 20,
            "transactions": 80,
            "compliance_records": 16,
        },
    )
    assert initialized.status_code == 200, initialized.text

    def every(path: str) -> list[dict[str, Any]]:
        response = client.get(path + "?limit=100", headers=headers)
        assert response.status_code == 200, response.text
        return list(response.json())

    return {
        "anchor": datetime.fromisoformat(initialized.json()["anchor"]),
        "accounts": every("/api/v1/sandbox/accounts"),
        "transactions": every("/api/v1/sandbox/transactions"),
        "flags": every("/api/v1/sandbox/compliance/flags"),
    }


def test_generated_accounts_follow_the_documented_generator(data_set):
    anchor = data_set["anchor"]
    assert len(data_set["accounts"]) == 20
    for account in data_set["accounts"]:
        assert UUID4.match(account["id"])
        assert account["network"] in {"stellar", "hedera"}
        address = STELLAR_ADDRESS if account["network"] == "stellar" else HEDERA_ADDRESS
        assert address.match(account["account_id"]), account["account_id"]
        assert account["environment"] == "sandbox"
        assert account["account_type"] in {"user", "business", "merchant"}
        assert account["country_code"] in DOCUMENTED_COUNTRIES
        assert isinstance(account["region"], str) and account["region"]
        assert account["metadata"]["created_by"] == "sandbox"
        assert account["metadata"]["test_scenario"] in {
            "normal",
            "high_risk",
            "compliance",
            "analytics",
        }
        assert isinstance(account["is_active"], bool)
        # Created within the documented 30 days before the data set's moment.
        assert anchor - timedelta(days=30) <= _instant(account["created_at"]) <= anchor
        assert account["updated_at"] is None
    assert len({account["account_id"] for account in data_set["accounts"]}) == 20


def test_generated_transactions_follow_the_documented_generator(data_set):
    anchor = data_set["anchor"]
    countries = {account["id"]: account["country_code"] for account in data_set["accounts"]}
    assert len(data_set["transactions"]) == 80
    for txn in data_set["transactions"]:
        assert UUID4.match(txn["id"])
        # Between two different accounts of the sandbox, with their countries.
        assert txn["from_account_id"] != txn["to_account_id"]
        assert txn["from_country_code"] == countries[txn["from_account_id"]]
        assert txn["to_country_code"] == countries[txn["to_account_id"]]
        # Documented as a whole number within the widest range; money leaves this API as a
        # decimal string, never a float.
        assert isinstance(txn["amount"], str)
        assert Decimal(10) <= Decimal(txn["amount"]) <= Decimal(100_000)
        assert txn["currency"] in DOCUMENTED_CURRENCIES
        assert txn["transaction_type"] in TRANSACTION_SCENARIOS
        assert txn["status"] in {"pending", "completed", "failed"}
        assert txn["description"].startswith(f"Sandbox {txn['transaction_type']}")
        assert txn["metadata"]["sandbox"] is True
        assert txn["metadata"]["test_scenario"] in TRANSACTION_SCENARIOS[txn["transaction_type"]]
        assert isinstance(txn["metadata"]["fees"], int) and 1 <= txn["metadata"]["fees"] <= 50
        created = _instant(txn["created_at"])
        assert anchor - timedelta(days=7) <= created <= anchor
        if txn["status"] == "completed":
            # Completed 1 to 60 minutes after creation (never after the data set's moment).
            completed = _instant(txn["completed_at"])
            assert created < completed <= min(created + timedelta(minutes=60), anchor)
        else:
            assert txn["completed_at"] is None


def test_generated_compliance_records_follow_the_documented_generator(data_set):
    anchor = data_set["anchor"]
    accounts = {account["id"] for account in data_set["accounts"]}
    transactions = {txn["id"]: txn for txn in data_set["transactions"]}
    assert len(data_set["flags"]) == 16
    for flag in data_set["flags"]:
        assert UUID4.match(flag["id"])
        assert flag["severity"] in SEVERITIES[flag["flag_type"]]
        assert flag["status"] in {"open", "in_review", "resolved"}
        assert flag["title"] == f"Sandbox {flag['flag_type'].upper()} Flag"
        # The documented description is a fixed "Mock <type> compliance flag for testing";
        # this API describes the flagged transaction or account instead.
        assert isinstance(flag["description"], str) and flag["description"]
        assert flag["account_id"] in accounts
        evidence = flag["evidence"]
        assert evidence["sandbox"] is True and evidence["test_data"] is True
        if flag["transaction_id"] is None:
            assert evidence["amount"] is None
        else:
            related = transactions[flag["transaction_id"]]
            assert flag["account_id"] == related["from_account_id"]
            assert evidence["amount"] == related["amount"]
        factors = evidence["risk_factors"]
        assert 1 <= len(factors) == len(set(factors)) <= 3
        assert set(factors) <= {"high_value", "cross_border", "unusual_pattern"}
        assert isinstance(flag["risk_score"], int) and 1 <= flag["risk_score"] <= 10
        created = _instant(flag["created_at"])
        assert anchor - timedelta(days=14) <= created <= anchor
        if flag["status"] == "resolved":
            # Resolved 1 to 7 days after it was raised, by the sandbox itself.
            assert created < _instant(flag["resolved_at"]) <= created + timedelta(days=7)
            assert flag["resolved_by"] == "sandbox_system"
        else:
            assert (flag["resolved_at"], flag["resolved_by"]) == (None, None)


# ------------------------------------------------------------ the documented scenarios

DOCUMENTED_SCENARIOS: dict[str, dict[str, Any]] = {
    "account_creation_flow": {
        "id": "account_creation_flow",
        "name": "Account Creation Flow",
        "description": "Test complete account creation workflow",
        "category": "account_management",
        "steps": [
            {
                "step": 1,
                "action": "create_account",
                "parameters": {
                    "network": "stellar",
                    "environment": "sandbox",
                    "account_type": "user",
                    "country_code": "NG",
                },
                "expected_result": "account_created",
            },
            {
                "step": 2,
                "action": "verify_account",
                "parameters": {"account_id": "{{step_1.account_id}}"},
                "expected_result": "account_verified",
            },
        ],
    },
    "transfer_processing_flow": {
        "id": "transfer_processing_flow",
        "name": "Transfer Processing Flow",
        "description": "Test transfer creation and processing",
        "category": "transfers",
        "steps": [
            {
                "step": 1,
                "action": "create_transfer",
                "parameters": {
                    "from_account_id": "{{sandbox_account_1}}",
                    "to_account_id": "{{sandbox_account_2}}",
                    "amount": 1000,
                    "currency": "USDC",
                },
                "expected_result": "transfer_created",
            },
            {
                "step": 2,
                "action": "process_transfer",
                "parameters": {"transfer_id": "{{step_1.transfer_id}}"},
                "expected_result": "transfer_processed",
            },
        ],
    },
    "compliance_flagging_flow": {
        "id": "compliance_flagging_flow",
        "name": "Compliance Flagging Flow",
        "description": "Test compliance flag creation and resolution",
        "category": "compliance",
        "steps": [
            {
                "step": 1,
                "action": "create_high_value_transaction",
                "parameters": {"amount": 50000, "currency": "USDC"},
                "expected_result": "compliance_flag_created",
            },
            {
                "step": 2,
                "action": "resolve_compliance_flag",
                "parameters": {"flag_id": "{{step_1.flag_id}}", "resolution": "approved"},
                "expected_result": "flag_resolved",
            },
        ],
    },
    "analytics_dashboard_flow": {
        "id": "analytics_dashboard_flow",
        "name": "Analytics Dashboard Flow",
        "description": "Test analytics data retrieval and dashboard",
        "category": "analytics",
        "steps": [
            {
                "step": 1,
                "action": "generate_transaction_data",
                "parameters": {"count": 100, "time_range": "7d"},
                "expected_result": "data_generated",
            },
            {
                "step": 2,
                "action": "get_dashboard_metrics",
                "parameters": {"time_period": "7d"},
                "expected_result": "metrics_retrieved",
            },
        ],
    },
}


def test_the_documented_scenarios_are_listed(client, sandbox_headers):
    response = client.get("/api/v1/sandbox/scenarios", headers=sandbox_headers)

    assert response.status_code == 200, response.text
    # The listing leaves the steps out (one scenario's page has them) and counts them.
    listed = {scenario["id"]: scenario for scenario in response.json()}
    assert set(listed) == set(DOCUMENTED_SCENARIOS)
    for scenario_id, documented in DOCUMENTED_SCENARIOS.items():
        assert listed[scenario_id] == {
            "id": scenario_id,
            "name": documented["name"],
            "description": documented["description"],
            "category": documented["category"],
            "step_count": len(documented["steps"]),
        }


@pytest.mark.parametrize("scenario_id", DOCUMENTED_SCENARIOS)
def test_each_scenario_is_the_documented_one(client, sandbox_headers, scenario_id):
    response = client.get(f"/api/v1/sandbox/scenarios/{scenario_id}", headers=sandbox_headers)

    assert response.status_code == 200, response.text
    assert response.json() == DOCUMENTED_SCENARIOS[scenario_id]


def test_an_unknown_scenario_is_not_found(client, sandbox_headers):
    """The documented executor raises "Scenario <id> not found"; here that is a 404."""
    response = client.post("/api/v1/sandbox/scenarios/no_such_flow/run", headers=sandbox_headers)

    assert response.status_code == 404, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "not_found"
    assert body["error"] == "Scenario no_such_flow not found"
