"""The messaging sandbox's Quick Start through the local runtime, as its users run it:
a login signal, the decisions it made, orchestration, and the audit trail."""

from __future__ import annotations

import pytest

from tests.http.drivers import new_developer_key

BASE = "/api/sandbox"


@pytest.fixture(scope="module")
def headers(client, admin_key):
    """A developer key of a sandbox of its own."""
    return {"Authorization": f"Bearer {new_developer_key(client, admin_key)}"}


def test_quick_start_signal_decisions_orchestrate_audit(client, headers):
    # Step 1: trigger a user login signal.
    recorded = client.post(
        BASE + "/signals", json={"userId": "user_us", "type": "user_login"}, headers=headers
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "ok"
    assert recorded.json()["decisionsCreated"] == 2

    # Step 2: the pending decisions it created.
    decisions = client.get(BASE + "/decisions/user_us", headers=headers).json()
    assert decisions["userId"] == "user_us"
    assert [d["type"] for d in decisions["decisions"]] == ["send_message", "send_notification"]
    assert {d["status"] for d in decisions["decisions"]} == {"pending"}

    # Step 3: execute them.
    orchestrated = client.post(BASE + "/orchestrate/user_us", headers=headers).json()
    assert orchestrated["executed"] == 2
    assert [a["type"] for a in orchestrated["actions"]] == ["send_message", "send_notification"]
    assert orchestrated["message"] == "Executed 2 decision(s)"
    assert client.get(BASE + "/decisions/user_us", headers=headers).json()["decisions"] == []

    # Step 4: the whole history, in order.
    audit = client.get(BASE + "/audit/user_us", headers=headers)
    assert audit.status_code == 200
    types = [entry["type"] for entry in audit.json()]
    assert types[:3] == ["signal_processed", "decision_created", "decision_created"]
    assert types.count("decision_executed") == 2
    assert types.count("action_executed") + types.count("action_delayed") == 2
    assert all(entry["userId"] == "user_us" for entry in audit.json())

    # The sandbox's status counts the records, moved in the same writes.
    counts = client.get("/api/v1/sandbox/status", headers=headers).json()["counts"]
    assert (counts["signals"], counts["decisions"], counts["actions"]) == (1, 2, 2)


def test_another_key_of_another_sandbox_sees_none_of_it(client, admin_key, headers):
    client.post(
        BASE + "/signals", json={"userId": "user_uk", "type": "user_login"}, headers=headers
    )
    stranger = {"x-api-key": new_developer_key(client, admin_key)}

    assert client.get(BASE + "/audit/user_uk", headers=stranger).json() == []
    assert client.get(BASE + "/decisions/user_uk", headers=stranger).json()["decisions"] == []
