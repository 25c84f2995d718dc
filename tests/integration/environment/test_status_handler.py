"""GET /api/v1/sandbox/status against moto."""

from __future__ import annotations


def test_status_describes_the_callers_sandbox(invoke, make_key, as_developer, admin):
    created = make_key(sandbox_id="sb-status")
    make_key(sandbox_id="sb-status")
    status, body, headers = invoke(
        "environment", "environment/status.json", caller=as_developer(created)
    )
    assert status == 200
    assert body["sandbox_id"] == "sb-status"
    assert body["lifecycle_state"] == "active"
    assert body["counts"] == {
        "keys_active": 2,
        "keys_revoked": 0,
        "accounts": 0,
        "transactions": 0,
        "compliance_flags": 0,
        "signals": 0,
        "decisions": 0,
        "actions": 0,
        "messages": 0,
    }
    assert body["caller"]["key_id"] == created["key_id"]
    assert body["created_at"] <= created["created_at"]
    assert int(headers["x-ratelimit-limit"]) == 1000
    assert int(headers["x-ratelimit-remaining"]) == 999


def test_status_never_shows_another_sandbox(invoke, make_key, as_developer):
    mine = make_key(sandbox_id="sb-one")
    make_key(sandbox_id="sb-two")
    _, body, _ = invoke("environment", "environment/status.json", caller=as_developer(mine))
    assert body["sandbox_id"] == "sb-one" and body["counts"]["keys_active"] == 1


def test_bootstrap_admin_gets_the_operator_sandbox(invoke, admin):
    status, body, _ = invoke("environment", "environment/status.json", caller=admin)
    assert status == 200 and body["sandbox_id"] == "operator"


def test_request_without_authorizer_context_is_401(
    stack, lambda_function, sample_event, lambda_context
):
    event = sample_event("environment/status.json")
    event["requestContext"]["authorizer"] = None
    response = lambda_function("environment").handler(event, lambda_context)
    assert response["statusCode"] == 401


def test_key_without_read_permission_is_403(invoke, make_key, as_developer):
    created = make_key(permissions=["write"])
    status, body, _ = invoke("environment", "environment/status.json", caller=as_developer(created))
    assert status == 403 and body["code"] == "forbidden"


def test_status_counts_the_initialized_data_and_when_it_was_made(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-status-data", accounts=12, transactions=30)
    _, body, _ = invoke("environment", "environment/status.json", caller=caller)
    assert body["counts"]["accounts"] == 12 and body["counts"]["transactions"] == 30
    assert body["counts"]["compliance_flags"] == 50
    assert body["data"]["seed"] == 42 and body["data"]["environment"] == "sandbox"
    assert body["data"]["initialized_at"] and body["data"]["reset_at"] is None
    invoke("environment", "environment/reset.json", caller=caller, body={})
    _, body, _ = invoke("environment", "environment/status.json", caller=caller)
    assert body["counts"]["accounts"] == 0 and body["data"]["reset_at"]
