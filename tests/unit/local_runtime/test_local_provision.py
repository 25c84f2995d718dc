"""The local stack: provisioning on demand, and the moto-backed provisioners."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.backends import get_backend

from local_runtime.provision import Physical, Stack
from local_runtime.template import Resource, Template, TemplateError

ADMIN = "sk_sandbox_" + "b" * 32


def stack_of(
    resources: dict[str, Any], provisioners: dict[str, Any] | None = None, **sections: Any
) -> Stack:
    template = Template({"Resources": resources, **sections}, None)
    return Stack(
        template,
        None,
        stack_name="sandbox-platform",
        region="us-east-1",
        account_id="123456789012",
        provisioners=provisioners,
    )


def test_a_ref_provisions_the_referenced_resource_first() -> None:
    created: list[str] = []

    def record(stack: Stack, resource: Resource) -> Physical:
        stack.resolve(resource.properties)
        created.append(resource.logical_id)
        return Physical(ref=f"id-{resource.logical_id}")

    stack = stack_of(
        {
            "Uses": {"Type": "Test::Thing", "Properties": {"Other": {"Ref": "Used"}}},
            "Used": {"Type": "Test::Thing"},
        },
        {"Test::Thing": record},
    )

    stack.deploy()

    assert created == ["Used", "Uses"]
    assert stack.resolve({"Ref": "Uses"}) == "id-Uses"


def test_circular_references_are_reported_with_the_cycle() -> None:
    def resolve_all(stack: Stack, resource: Resource) -> Physical:
        stack.resolve(resource.properties)
        return Physical(ref=resource.logical_id)

    stack = stack_of(
        {
            "A": {"Type": "Test::Thing", "Properties": {"X": {"Ref": "B"}}},
            "B": {"Type": "Test::Thing", "Properties": {"X": {"Ref": "A"}}},
        },
        {"Test::Thing": resolve_all},
    )

    with pytest.raises(TemplateError, match="A -> B -> A"):
        stack.deploy()


def test_resources_whose_condition_is_false_are_not_created() -> None:
    created: list[str] = []

    def record(stack: Stack, resource: Resource) -> Physical:
        created.append(resource.logical_id)
        return Physical(ref=resource.logical_id)

    stack = stack_of(
        {"Off": {"Type": "Test::Thing", "Condition": "Never"}, "On": {"Type": "Test::Thing"}},
        {"Test::Thing": record},
        Conditions={"Never": {"Fn::Equals": ["a", "b"]}},
    )

    stack.deploy()

    assert created == ["On"]
    with pytest.raises(TemplateError, match="condition is false"):
        stack.resolve({"Ref": "Off"})


def test_types_without_a_provisioner_get_a_name_and_a_plausible_arn() -> None:
    stack = stack_of({"Role": {"Type": "AWS::IAM::Role"}}, {})

    assert stack.resolve({"Ref": "Role"}) == "sandbox-platform-Role"
    assert stack.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == (
        "arn:aws:iam:us-east-1:123456789012:role/sandbox-platform-Role"
    )
    with pytest.raises(TemplateError, match="Role.Whatever is not available"):
        stack.resolve({"Fn::GetAtt": ["Role", "Whatever"]})


def test_reference_to_unknown_resource_is_an_error() -> None:
    with pytest.raises(TemplateError, match="unknown resource Ghost"):
        stack_of({}).resolve({"Ref": "Ghost"})


# ---------------------------------------------------------------- moto-backed


class _MockedAws:
    def client(self, service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[_MockedAws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield _MockedAws()


def test_fixture_template_creates_tables_plans_keys_and_parameters(
    aws: _MockedAws, fixture_template: Path
) -> None:
    template = Template.from_file(fixture_template, {"AdminApiKey": ADMIN})
    stack = Stack(template, aws, stack_name="toy", region="us-east-1", account_id="123456789012")

    stack.deploy()

    dynamodb = aws.client("dynamodb")
    table = dynamodb.describe_table(TableName="toy-ItemsTable")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by_owner"
    ttl = dynamodb.describe_time_to_live(TableName="toy-ItemsTable")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    apigateway = aws.client("apigateway")
    plan = apigateway.get_usage_plan(usagePlanId=stack.resolve({"Ref": "ToyPlan"}))
    assert plan["name"] == "toy-toy"
    assert plan["throttle"] == {"rateLimit": 1.0, "burstLimit": 2}
    assert plan["quota"]["limit"] == 5 and plan["quota"]["period"] == "DAY"
    assert plan["apiStages"] == [{"apiId": stack.resolve({"Ref": "ToyApi"}), "stage": "v1"}]

    key_id = stack.resolve({"Ref": "AdminKey"})
    key = apigateway.get_api_key(apiKey=key_id, includeValue=True)
    assert key["value"] == ADMIN and key["enabled"] is True
    roomy = stack.resolve({"Ref": "RoomyPlan"})
    assert [k["id"] for k in apigateway.get_usage_plan_keys(usagePlanId=roomy)["items"]] == [key_id]

    parameter = aws.client("ssm").get_parameter(Name="/toy/toy")["Parameter"]
    assert parameter["Value"] == "toy-b"


def test_api_gateway_ids_are_stable_across_deployments(
    aws: _MockedAws, fixture_template: Path
) -> None:
    def deploy() -> tuple[str, str]:
        template = Template.from_file(fixture_template, {"AdminApiKey": ADMIN})
        stack = Stack(
            template, aws, stack_name="toy", region="us-east-1", account_id="123456789012"
        )
        stack.deploy()
        return stack.resolve({"Ref": "ToyPlan"}), stack.resolve({"Ref": "ToyApi"})

    first = deploy()
    for service in ("apigateway", "dynamodb", "ssm"):
        get_backend(service).reset()

    assert deploy() == first
