"""The local stack: each template resource type mapped to a provisioner.

A provisioner creates the resource (in moto, or only as a name for things the runtime itself
plays, like functions) and returns its :class:`Physical` identity, which answers `!Ref` and
`!GetAtt`. Resources are provisioned on demand, so a `!Ref` to a resource creates it first and
template order does not matter. A provisioner resolves only the properties it needs, which
keeps references between functions and APIs acyclic; the runtime resolves the rest later.

New resource types slot in by adding an entry to :data:`PROVISIONERS`.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from local_runtime.aws import fixed_apigateway_id
from local_runtime.intrinsics import Resolver, pseudo_parameters
from local_runtime.template import Resource, Template, TemplateError

__all__ = ["PROVISIONERS", "AwsClients", "Physical", "Provisioner", "Stack"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Physical:
    """What a provisioned resource is: its `!Ref` value and its `!GetAtt` attributes."""

    ref: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


class AwsClients(Protocol):
    """Where provisioners get boto3 clients (the embedded moto server)."""

    def client(self, service: str) -> Any:
        """A boto3 client for ``service``."""
        ...


Provisioner = Callable[["Stack", Resource], Physical]


class Stack:
    """The template's resources, created locally on demand, and the intrinsic resolver."""

    def __init__(
        self,
        template: Template,
        aws: AwsClients | None,
        *,
        stack_name: str,
        region: str,
        account_id: str,
        provisioners: Mapping[str, Provisioner] | None = None,
    ) -> None:
        self.template = template
        self.aws = aws
        self.stack_name = stack_name
        self.region = region
        self.account_id = account_id
        self.provisioners = dict(PROVISIONERS if provisioners is None else provisioners)
        self._physical: dict[str, Physical] = {}
        self._in_progress: list[str] = []
        self.resolver = Resolver(
            parameters=template.parameters,
            pseudo=pseudo_parameters(stack_name, region, account_id),
            conditions=template.conditions,
            mappings=template.mappings,
            ref=lambda logical_id: self.physical(logical_id).ref,
            get_att=self.get_att,
        )

    # ---------------------------------------------------------------- public

    def deploy(self) -> None:
        """Provision every active resource of the template."""
        for logical_id in self.template.resources:
            if self.is_active(logical_id):
                self.physical(logical_id)

    def is_active(self, logical_id: str) -> bool:
        """Whether the resource exists: its `Condition` (if any) is true."""
        condition = self.template.resources[logical_id].condition
        return condition is None or self.resolver.condition(condition)

    def active(self, rtype: str) -> list[Resource]:
        """Active resources of one type, in template order."""
        return [r for r in self.template.of_type(rtype) if self.is_active(r.logical_id)]

    def resolve(self, value: Any) -> Any:
        """Resolve intrinsics in a template fragment."""
        return self.resolver.resolve(value)

    def physical(self, logical_id: str) -> Physical:
        """The resource's identity, provisioning it first if needed."""
        if logical_id in self._physical:
            return self._physical[logical_id]
        resource = self.template.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"reference to unknown resource {logical_id}")
        if not self.is_active(logical_id):
            raise TemplateError(f"reference to {logical_id}, whose condition is false")
        if logical_id in self._in_progress:
            cycle = " -> ".join([*self._in_progress, logical_id])
            raise TemplateError(f"circular reference between resources: {cycle}")
        self._in_progress.append(logical_id)
        try:
            provisioner = self.provisioners.get(resource.type, provision_placeholder)
            physical = provisioner(self, resource)
        finally:
            self._in_progress.pop()
        self._physical[logical_id] = physical
        return physical

    def get_att(self, logical_id: str, attribute: str) -> Any:
        """`!GetAtt logical_id.attribute`."""
        physical = self.physical(logical_id)
        if attribute in physical.attributes:
            return physical.attributes[attribute]
        if attribute == "Arn":
            return self.arn_for(self.template.resources[logical_id].type, physical.ref)
        raise TemplateError(f"{logical_id}.{attribute} is not available in the local runtime")

    def physical_name(self, logical_id: str) -> str:
        """The name CloudFormation would generate, without the random suffix."""
        return f"{self.stack_name}-{logical_id}"

    def arn_for(self, rtype: str, name: str) -> str:
        """A plausible ARN for a resource of ``rtype`` named ``name``."""
        parts = rtype.split("::")
        service = parts[1].lower() if len(parts) > 1 else "unknown"
        kind = parts[2].lower() if len(parts) > 2 else "resource"
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{kind}/{name}"

    def client(self, service: str) -> Any:
        """A boto3 client of the embedded AWS."""
        if self.aws is None:
            raise TemplateError(f"this stack has no AWS to create {service} resources in")
        return self.aws.client(service)


# ---------------------------------------------------------------- provisioners


def provision_placeholder(stack: Stack, resource: Resource) -> Physical:
    """Types the local runtime has no use for (IAM, alarms…): a name and an ARN, nothing made."""
    logger.debug("skipping %s (%s): not needed locally", resource.logical_id, resource.type)
    name = stack.physical_name(resource.logical_id)
    return Physical(ref=name, attributes={"Arn": stack.arn_for(resource.type, name)})


def _capacity(props: Mapping[str, Any]) -> dict[str, int]:
    throughput = props.get("ProvisionedThroughput") or {}
    return {
        "ReadCapacityUnits": int(throughput.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(throughput.get("WriteCapacityUnits", 5)),
    }


def provision_table(stack: Stack, resource: Resource) -> Physical:
    """AWS::DynamoDB::Table: keys, indexes, billing mode, streams and TTL."""
    props = stack.resolve(resource.properties)
    name = props.get("TableName") or stack.physical_name(resource.logical_id)
    billing = props.get("BillingMode", "PROVISIONED")
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        request["ProvisionedThroughput"] = _capacity(props)
    for prop in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = []
        for index in props.get(prop) or []:
            spec = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            if billing == "PROVISIONED" and prop == "GlobalSecondaryIndexes":
                spec["ProvisionedThroughput"] = _capacity(index)
            indexes.append(spec)
        if indexes:
            request[prop] = indexes
    stream = props.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    client = stack.client("dynamodb")
    description = client.create_table(**request)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and str(ttl.get("Enabled", False)).lower() == "true":
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Physical(ref=name, attributes=attributes)


def provision_simple_table(stack: Stack, resource: Resource) -> Physical:
    """AWS::Serverless::SimpleTable: a pay-per-request table with one hash key."""
    props = stack.resolve(resource.properties)
    key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    key_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
    expanded = {
        "TableName": props.get("TableName") or stack.physical_name(resource.logical_id),
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": key_type}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    return provision_table(stack, Resource(resource.logical_id, resource.type, expanded))


def provision_usage_plan(stack: Stack, resource: Resource) -> Physical:
    """AWS::ApiGateway::UsagePlan: name, API stages, throttle and quota."""
    props = stack.resolve(resource.properties)
    request: dict[str, Any] = {
        "name": props.get("UsagePlanName") or stack.physical_name(resource.logical_id),
        "apiStages": [
            {"apiId": stage["ApiId"], "stage": stage["Stage"]}
            for stage in props.get("ApiStages") or []
        ],
    }
    if props.get("Description"):
        request["description"] = props["Description"]
    throttle = props.get("Throttle")
    if throttle:
        request["throttle"] = {
            "rateLimit": float(throttle["RateLimit"]),
            "burstLimit": int(throttle["BurstLimit"]),
        }
    quota = props.get("Quota")
    if quota:
        request["quota"] = {
            "limit": int(quota["Limit"]),
            "period": str(quota["Period"]),
            "offset": int(quota.get("Offset", 0)),
        }
    with fixed_apigateway_id("usage_plan", request["name"]):
        plan = stack.client("apigateway").create_usage_plan(**request)
    return Physical(ref=plan["id"], attributes={"Id": plan["id"]})


def provision_api_key(stack: Stack, resource: Resource) -> Physical:
    """AWS::ApiGateway::ApiKey: name, value and enabled flag (CloudFormation's default: off)."""
    props = stack.resolve(resource.properties)
    request: dict[str, Any] = {
        "name": props.get("Name") or stack.physical_name(resource.logical_id),
        "enabled": str(props.get("Enabled", False)).lower() == "true",
    }
    for prop, arg in (("Value", "value"), ("Description", "description")):
        if props.get(prop):
            request[arg] = props[prop]
    if "value" in request:
        with fixed_apigateway_id("api_key", request["value"]):
            key = stack.client("apigateway").create_api_key(**request)
    else:
        key = stack.client("apigateway").create_api_key(**request)
    return Physical(ref=key["id"], attributes={"APIKeyId": key["id"]})


def provision_usage_plan_key(stack: Stack, resource: Resource) -> Physical:
    """AWS::ApiGateway::UsagePlanKey: an API key added to a usage plan."""
    props = stack.resolve(resource.properties)
    stack.client("apigateway").create_usage_plan_key(
        usagePlanId=props["UsagePlanId"], keyId=props["KeyId"], keyType=props["KeyType"]
    )
    return Physical(ref=f"{props['KeyId']}:{props['UsagePlanId']}")


def provision_ssm_parameter(stack: Stack, resource: Resource) -> Physical:
    """AWS::SSM::Parameter: a String or StringList parameter."""
    props = stack.resolve(resource.properties)
    name = props.get("Name") or f"CFN-{resource.logical_id}-{_random_suffix()}"
    request: dict[str, Any] = {
        "Name": name,
        "Value": props["Value"],
        "Type": props.get("Type", "String"),
        "Overwrite": True,
    }
    if props.get("Description"):
        request["Description"] = props["Description"]
    stack.client("ssm").put_parameter(**request)
    return Physical(ref=name, attributes={"Type": request["Type"], "Value": props["Value"]})


def provision_rest_api(stack: Stack, resource: Resource) -> Physical:
    """AWS::Serverless::Api: a REST API id in moto (the runtime itself plays the gateway)."""
    name = stack.resolve(resource.properties.get("Name")) or stack.physical_name(
        resource.logical_id
    )
    source = stack.resolve(resource.properties.get("ApiKeySourceType")) or "HEADER"
    with fixed_apigateway_id("rest_api", name):
        api = stack.client("apigateway").create_rest_api(name=name, apiKeySource=source)
    return Physical(ref=api["id"], attributes={"RootResourceId": api["rootResourceId"]})


def provision_function(stack: Stack, resource: Resource) -> Physical:
    """AWS::Serverless::Function: only a name and ARN; the runtime loads the handler itself."""
    name = stack.resolve(resource.properties.get("FunctionName")) or stack.physical_name(
        resource.logical_id
    )
    arn = f"arn:aws:lambda:{stack.region}:{stack.account_id}:function:{name}"
    return Physical(ref=name, attributes={"Arn": arn})


def provision_layer(stack: Stack, resource: Resource) -> Physical:
    """AWS::Serverless::LayerVersion: nothing to do, layers are installed in the virtualenv."""
    name = stack.resolve(resource.properties.get("LayerName")) or stack.physical_name(
        resource.logical_id
    )
    arn = f"arn:aws:lambda:{stack.region}:{stack.account_id}:layer:{name}:1"
    return Physical(ref=arn, attributes={"Arn": arn})


def provision_web_acl(stack: Stack, resource: Resource) -> Physical:
    """AWS::WAFv2::WebACL: an identity only; the runtime enforces its rate-based rules."""
    name = stack.resolve(resource.properties.get("Name")) or stack.physical_name(
        resource.logical_id
    )
    acl_id = f"{resource.logical_id.lower()}-local"
    arn = f"arn:aws:wafv2:{stack.region}:{stack.account_id}:regional/webacl/{name}/{acl_id}"
    return Physical(ref=f"{name}|{acl_id}|REGIONAL", attributes={"Arn": arn, "Id": acl_id})


def provision_events_rule(stack: Stack, resource: Resource) -> Physical:
    """AWS::Events::Rule: an identity only; the runtime's scheduler plays its schedule."""
    name = stack.resolve(resource.properties.get("Name")) or stack.physical_name(
        resource.logical_id
    )
    arn = f"arn:aws:events:{stack.region}:{stack.account_id}:rule/{name}"
    return Physical(ref=name, attributes={"Arn": arn})


def provision_state_machine(stack: Stack, resource: Resource) -> Physical:
    """AWS::Serverless::StateMachine: its definition loaded (or refused) and the machine in moto."""
    from local_runtime.step_functions.provisioning import create_state_machine

    return create_state_machine(stack, resource)


def _random_suffix() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


PROVISIONERS: dict[str, Provisioner] = {
    "AWS::DynamoDB::Table": provision_table,
    "AWS::Serverless::SimpleTable": provision_simple_table,
    "AWS::ApiGateway::UsagePlan": provision_usage_plan,
    "AWS::ApiGateway::ApiKey": provision_api_key,
    "AWS::ApiGateway::UsagePlanKey": provision_usage_plan_key,
    "AWS::SSM::Parameter": provision_ssm_parameter,
    "AWS::Serverless::Api": provision_rest_api,
    "AWS::Serverless::Function": provision_function,
    "AWS::Serverless::LayerVersion": provision_layer,
    "AWS::WAFv2::WebACL": provision_web_acl,
    "AWS::Events::Rule": provision_events_rule,
    "AWS::Serverless::StateMachine": provision_state_machine,
}
