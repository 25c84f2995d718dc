"""The bundled payment server through the local runtime, as the manager's client calls it."""

from __future__ import annotations

import secrets

from tests.http.drivers import new_developer_key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_credits_are_granted_consumed_once_per_key_and_refused_when_short(client, admin_key):
    customer = "cust_" + secrets.token_hex(6)
    admin = bearer(admin_key)

    unseen = client.get("/get-credits", params={"customerId": customer}, headers=admin)
    assert unseen.status_code == 200, unseen.text
    assert unseen.json() == {"success": True, "data": {"customerId": customer, "credits": "0"}}

    granted = client.post(
        "/admin/credits", json={"customerId": customer, "amount": "5"}, headers=admin
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["data"]["credits"] == "5"

    charge = {"customerId": customer, "amount": 1.5}
    keyed = {**admin, "Idempotency-Key": f"{customer}:2026-11-22T09"}
    first = client.post("/consume-credits", json=charge, headers=keyed)
    again = client.post("/consume-credits", json=charge, headers=keyed)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["data"]["credits"] == "3.5"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["entryId"] == first.json()["data"]["entryId"]

    short = client.post(
        "/consume-credits", json={"customerId": customer, "amount": 4}, headers=admin
    )
    assert short.status_code == 402, short.text
    assert short.json()["code"] == "insufficient_credits"

    balance = client.get("/get-credits", params={"customerId": customer}, headers=admin)
    assert balance.json()["data"]["credits"] == "3.5"
    ledger = client.get(f"/admin/credits/{customer}/ledger", headers=admin)
    assert ledger.status_code == 200, ledger.text
    assert [(e["kind"], e["amount"]) for e in ledger.json()] == [
        ("consume", "1.5"),
        ("grant", "5"),
    ]


def test_the_payment_server_refuses_developer_keys_and_anonymous_calls(client, admin_key):
    developer = bearer(new_developer_key(client, admin_key))
    refused = client.get("/get-credits", params={"customerId": "c1"}, headers=developer)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "forbidden"
    charge = client.post(
        "/consume-credits", json={"customerId": "c1", "amount": 1}, headers=developer
    )
    assert charge.status_code == 403
    anonymous = client.get("/get-credits", params={"customerId": "c1"})
    assert anonymous.status_code == 401
