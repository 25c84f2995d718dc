"""POST /api/v1/sandbox/initialize and /reset against moto."""

from __future__ import annotations

from typing import Any


def _accounts(invoke: Any, caller: dict[str, str], **query: str) -> list[dict[str, Any]]:
    status, body, _ = invoke(
        "ledger", "ledger/list_accounts.json", caller=caller, query={"limit": "100", **query}
    )
    assert status == 200, body
    return body


def test_initialize_answers_with_the_seed_shape(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-init"))
    status, body, _ = invoke(
        "environment",
        "environment/initialize.json",
        caller=caller,
        body={"environment": "sandbox"},
    )
    assert status == 200, body
    assert body["environment"] == "sandbox"
    assert body["status"] == "initialized"
    assert body["mock_data"] == {"accounts": 100, "transactions": 500, "compliance_records": 50}
    assert body["test_scenarios"] == 4
    assert body["analytics_initialized"] is True
    assert body["initialized_at"] and isinstance(body["seed"], int)


def test_same_seed_and_anchor_give_identical_data_in_two_sandboxes(invoke, initialized_sandbox):
    anchor = "2026-01-15T12:00:00Z"
    one = initialized_sandbox("sb-twin-1", seed=7, anchor=anchor, accounts=20)
    two = initialized_sandbox("sb-twin-2", seed=7, anchor=anchor, accounts=20)
    assert _accounts(invoke, one) == _accounts(invoke, two)
    _, txns_one, _ = invoke("ledger", "ledger/list_transactions.json", caller=one, query={})
    _, txns_two, _ = invoke("ledger", "ledger/list_transactions.json", caller=two, query={})
    assert txns_one == txns_two and len(txns_one) == 50


def test_reset_wipes_only_the_callers_sandbox(invoke, initialized_sandbox):
    mine = initialized_sandbox("sb-reset-mine", accounts=10)
    theirs = initialized_sandbox("sb-reset-theirs", accounts=10)
    status, body, _ = invoke("environment", "environment/reset.json", caller=mine, body={})
    assert status == 200 and body["status"] == "reset"
    assert _accounts(invoke, mine) == []
    assert len(_accounts(invoke, theirs)) == 10


def test_reset_with_a_seed_reinitializes(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-reset-seed", accounts=10)
    status, body, _ = invoke(
        "environment", "environment/reset.json", caller=caller, body={"seed": 99}
    )
    assert status == 200, body
    assert body["reinitialized"]["seed"] == 99
    assert len(_accounts(invoke, caller)) == 100
