"""The API key directory reads moto's apigateway backend live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_runtime.apikeys import KeyStatus, MotoApiKeyDirectory
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod


@pytest.fixture
def apigateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("apigateway", region_name="us-east-1")


@pytest.fixture
def setup(apigateway: Any) -> dict[str, str]:
    api_id = apigateway.create_rest_api(name="api")["id"]
    other_api = apigateway.create_rest_api(name="other")["id"]

    def plan(name: str, api: str, rate: float, quota: int) -> str:
        return apigateway.create_usage_plan(
            name=name,
            apiStages=[{"apiId": api, "stage": "v1"}],
            throttle={"rateLimit": rate, "burstLimit": int(rate * 2)},
            quota={"limit": quota, "period": "DAY"},
        )["id"]

    return {
        "api": api_id,
        "free": plan("free", api_id, 10, 1000),
        "pro": plan("pro", api_id, 100, 100000),
        "elsewhere": plan("elsewhere", other_api, 1, 1),
    }


def make_key(apigateway: Any, value: str, *, enabled: bool = True, plan: str | None = None) -> str:
    key_id = apigateway.create_api_key(name=value, value=value, enabled=enabled)["id"]
    if plan:
        apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")
    return key_id


def test_enabled_key_in_a_plan_of_the_stage_is_ok_with_the_plan_limits(
    apigateway: Any, setup: dict[str, str]
) -> None:
    key_id = make_key(apigateway, "sk_sandbox_free_key_0000001", plan=setup["free"])

    lookup = MotoApiKeyDirectory(setup["api"], "v1").lookup("sk_sandbox_free_key_0000001")

    assert lookup.status is KeyStatus.OK
    assert (lookup.key_id, lookup.plan_id) == (key_id, setup["free"])
    assert lookup.limits == PlanLimits(10.0, 20, 1000, QuotaPeriod.DAY)


def test_unknown_value_is_unknown(setup: dict[str, str]) -> None:
    assert MotoApiKeyDirectory(setup["api"], "v1").lookup("nope").status is KeyStatus.UNKNOWN


def test_disabled_key_is_disabled(apigateway: Any, setup: dict[str, str]) -> None:
    make_key(apigateway, "sk_sandbox_disabled_0000001", enabled=False, plan=setup["free"])

    lookup = MotoApiKeyDirectory(setup["api"], "v1").lookup("sk_sandbox_disabled_0000001")

    assert lookup.status is KeyStatus.DISABLED


def test_key_in_no_plan_or_in_a_plan_of_another_api_is_not_in_plan(
    apigateway: Any, setup: dict[str, str]
) -> None:
    make_key(apigateway, "sk_sandbox_orphan_000000001")
    make_key(apigateway, "sk_sandbox_elsewhere_000001", plan=setup["elsewhere"])
    directory = MotoApiKeyDirectory(setup["api"], "v1")

    assert directory.lookup("sk_sandbox_orphan_000000001").status is KeyStatus.NOT_IN_PLAN
    assert directory.lookup("sk_sandbox_elsewhere_000001").status is KeyStatus.NOT_IN_PLAN


def test_disabling_a_key_takes_effect_on_the_next_lookup(
    apigateway: Any, setup: dict[str, str]
) -> None:
    key_id = make_key(apigateway, "sk_sandbox_revoke_me_000001", plan=setup["free"])
    directory = MotoApiKeyDirectory(setup["api"], "v1")
    assert directory.lookup("sk_sandbox_revoke_me_000001").status is KeyStatus.OK

    apigateway.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )

    assert directory.lookup("sk_sandbox_revoke_me_000001").status is KeyStatus.DISABLED


def test_moving_a_key_to_another_plan_takes_effect_on_the_next_lookup(
    apigateway: Any, setup: dict[str, str]
) -> None:
    key_id = make_key(apigateway, "sk_sandbox_upgrade_0000001", plan=setup["free"])
    directory = MotoApiKeyDirectory(setup["api"], "v1")
    directory.lookup("sk_sandbox_upgrade_0000001")

    apigateway.delete_usage_plan_key(usagePlanId=setup["free"], keyId=key_id)
    apigateway.create_usage_plan_key(usagePlanId=setup["pro"], keyId=key_id, keyType="API_KEY")

    lookup = directory.lookup("sk_sandbox_upgrade_0000001")
    assert lookup.plan_id == setup["pro"]
    assert lookup.limits is not None and lookup.limits.rate_limit == 100


def test_deleted_key_is_unknown_even_after_a_cached_lookup(
    apigateway: Any, setup: dict[str, str]
) -> None:
    key_id = make_key(apigateway, "sk_sandbox_deleted_0000001", plan=setup["free"])
    directory = MotoApiKeyDirectory(setup["api"], "v1")
    directory.lookup("sk_sandbox_deleted_0000001")

    apigateway.delete_api_key(apiKey=key_id)

    assert directory.lookup("sk_sandbox_deleted_0000001").status is KeyStatus.UNKNOWN
