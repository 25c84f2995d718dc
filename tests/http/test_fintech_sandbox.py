"""The fintech sandbox through the local runtime: two integrators, each in its own sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.http.drivers import new_developer_key

BASE = "/api/v1/sandbox"


@pytest.fixture(scope="module")
def integrators(client, admin_key):
    """Two developer keys, each bound to a sandbox of its own."""
    return [{"x-api-key": new_developer_key(client, admin_key)} for _ in range(2)]


def test_same_seed_and_anchor_reproduce_the_same_sandbox(client, integrators):
    body = {"environment": "sandbox", "seed": 2026, "anchor": "2026-11-01T00:00:00Z"}
    for headers in integrators:
        assert client.post(BASE + "/initialize", json=body, headers=headers).status_code == 200
    alice, bob = (
        client.get(BASE + "/accounts?limit=100", headers=headers).json() for headers in integrators
    )
    assert alice == bob and len(alice) == 100
    assert {a["country_code"] for a in alice} == {"NG", "KE", "ZA", "GH", "UG"}


def test_a_transfer_retried_with_its_key_moves_money_once(client, integrators):
    alice = integrators[0]
    first, second = client.get(BASE + "/accounts?limit=2", headers=alice).json()
    body = {
        "from_account_id": first["id"],
        "to_account_id": second["account_id"],
        "amount": "250.75",
        "currency": "USDC",
    }
    retry = {**alice, "Idempotency-Key": "invoice-42"}
    created = client.post(BASE + "/transfers", json=body, headers=retry)
    replayed = client.post(BASE + "/transfers", json=body, headers=retry)
    assert (created.status_code, replayed.status_code) == (201, 200)
    assert created.json()["id"] == replayed.json()["id"]
    transfer_id = created.json()["id"]
    processed = client.post(f"{BASE}/transfers/{transfer_id}/process", headers=alice).json()
    assert processed["status"] == "completed"
    after = client.get(f"{BASE}/accounts/{first['id']}", headers=alice).json()
    assert Decimal(after["balances"]["USDC"]) == Decimal(first["balances"]["USDC"]) - Decimal(
        "250.75"
    )
    # Bob cannot see, process or even learn of Alice's transfer.
    bob = integrators[1]
    assert client.get(f"{BASE}/transfers/{transfer_id}", headers=bob).status_code == 404
    assert client.post(f"{BASE}/transfers/{transfer_id}/process", headers=bob).status_code == 404


def test_reset_empties_one_sandbox_and_leaves_the_other(client, integrators):
    alice, bob = integrators
    response = client.post(BASE + "/reset", headers=alice)
    assert response.status_code == 200 and response.json()["status"] == "reset"
    assert client.get(BASE + "/accounts", headers=alice).json() == []
    assert len(client.get(BASE + "/accounts?limit=5", headers=bob).json()) == 5


def test_bad_input_is_an_enveloped_4xx(client, integrators):
    alice = integrators[0]
    for method, path, body in (
        ("POST", "/initialize", {"environment": "production"}),
        ("POST", "/initialize", {"accounts": -1}),
        ("POST", "/initialize", {"accounts": 10**9}),
        ("POST", "/transfers", {"amount": "abc"}),
        ("PUT", "/config", {"aml_threshold": "-5"}),
        ("PUT", "/config", {"faker_locale": "xx_XX"}),
    ):
        response = client.request(method, BASE + path, json=body, headers=alice)
        assert response.status_code == 400, (path, body, response.text)
        assert response.json()["success"] is False and response.json()["requestId"]


def test_config_round_trips_and_drives_initialize(client, integrators):
    bob = integrators[1]
    config = {"default_accounts": 7, "default_transactions": 3, "aml_threshold": "500"}
    stored = client.put(BASE + "/config", json=config, headers=bob)
    assert stored.status_code == 200 and stored.json()["aml_threshold"] == "500"
    assert client.get(BASE + "/config", headers=bob).json() == stored.json()
    initialized = client.post(BASE + "/initialize", json={}, headers=bob).json()
    assert initialized["mock_data"]["accounts"] == 7
    first, second = client.get(BASE + "/accounts?limit=2", headers=bob).json()
    transfer = client.post(
        BASE + "/transfers",
        json={
            "from_account_id": first["id"],
            "to_account_id": second["id"],
            "amount": "500",
            "currency": "KES",
        },
        headers=bob,
    ).json()
    assert transfer["compliance_flag_id"]
