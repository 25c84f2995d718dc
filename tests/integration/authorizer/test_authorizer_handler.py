"""The authorizer against moto: who gets in, with which context and usage plan key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock


@pytest.fixture
def authorize(stack, lambda_function, sample_event, lambda_context):
    def call(headers: dict[str, str]) -> dict:
        event = sample_event("authorizer/request.json")
        event["headers"] = headers
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        return lambda_function("authorizer").handler(event, lambda_context)

    return call


def effect(result: dict) -> str:
    return result["policyDocument"]["Statement"][0]["Effect"]


def test_active_key_is_allowed_with_its_sandbox_context_and_usage_key(authorize, make_key):
    created = make_key(permissions=["read", "analytics"], tier="pro")
    result = authorize({"Authorization": f"Bearer {created['api_key']}"})
    assert effect(result) == "Allow"
    assert result["usageIdentifierKey"] == created["api_key"]
    assert result["principalId"] == created["key_id"]
    assert result["context"] == {
        "key_id": created["key_id"],
        "sandbox_id": created["sandbox_id"],
        "role": "developer",
        "permissions": "analytics,read",
        "tier": "pro",
    }
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*"


def test_x_api_key_header_works_like_bearer(authorize, make_key):
    created = make_key()
    assert effect(authorize({"x-api-key": created["api_key"]})) == "Allow"


def test_missing_key_is_unauthorized(authorize):
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize({"Accept": "application/json"})


@pytest.mark.parametrize(
    "key",
    ["sk_live_" + "a" * 43, "sk_sandbox_" + "x" * 43, "sk_sandbox_tooshort", "Bearer"],
)
def test_unknown_or_malformed_keys_are_denied(authorize, key):
    assert effect(authorize({"x-api-key": key})) == "Deny"


def test_revoked_key_is_denied_on_the_very_next_request(authorize, make_key, invoke, admin):
    created = make_key()
    assert effect(authorize({"x-api-key": created["api_key"]})) == "Allow"
    invoke(
        "keys",
        "keys/revoke_key.json",
        caller=admin,
        path_parameters={"key_id": created["key_id"]},
    )
    assert effect(authorize({"x-api-key": created["api_key"]})) == "Deny"


def test_expired_key_is_denied(authorize, make_key):
    created = make_key()
    providers.override_clock(FixedClock(datetime.now(UTC) + timedelta(days=90, seconds=1)))
    assert effect(authorize({"x-api-key": created["api_key"]})) == "Deny"


def test_bootstrap_admin_key_from_ssm_is_an_admin(authorize, admin_key):
    result = authorize({"Authorization": f"Bearer {admin_key}"})
    assert effect(result) == "Allow"
    assert result["context"]["role"] == "admin"
    assert result["context"]["sandbox_id"] == "operator"


def test_unreadable_admin_parameter_falls_back_to_stored_keys_only(stack, authorize, admin_key):
    boto3.client("ssm").delete_parameter(Name=stack.physical("AdminKeyParameter").ref)
    providers.reset()
    assert effect(authorize({"x-api-key": admin_key})) == "Deny"
