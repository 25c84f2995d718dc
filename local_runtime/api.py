"""The REST API the runtime serves, assembled from the template.

Routes come from the functions' `Api` events; auth from the Api's `Auth` (DefaultAuthorizer,
ApiKeyRequired, per-event overrides); gateway responses and API key source from the Api; the
per-IP rules from the WAF web ACLs associated with its stage.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from local_runtime.authorizer import AuthorizerConfig
from local_runtime.events import ApiInfo
from local_runtime.functions import FunctionSpec
from local_runtime.provision import Stack
from local_runtime.responses import GatewayResponses
from local_runtime.routing import Route, Router
from local_runtime.schedules import SCHEDULE_EVENT_TYPES
from local_runtime.template import TemplateError
from local_runtime.waf import RateRule, rate_rules

__all__ = ["ApiDefinition", "build_api", "function_specs"]

logger = logging.getLogger(__name__)

IMPLICIT_API = "ServerlessRestApi"  # the API SAM creates for events without RestApiId

# Event types the gateway serves; Schedule events are the scheduler's (local_runtime.schedules).
# Others (SQS…) are reported, not run.
SERVED_EVENT_TYPES = {"Api"}


@dataclass
class ApiDefinition:
    """Everything the gateway needs to play one REST API stage."""

    logical_id: str
    info: ApiInfo
    api_key_source: str
    router: Router
    authorizers: dict[str, AuthorizerConfig]
    gateway_responses: GatewayResponses
    ip_rules: list[RateRule] = field(default_factory=list)


_FUNCTION_PROPERTIES = (
    "FunctionName",
    "CodeUri",
    "Handler",
    "PackageType",
    "Environment",
    "MemorySize",
    "Timeout",
    "Events",
)


def function_specs(stack: Stack) -> dict[str, FunctionSpec]:
    """Every active function of the template, resolved (only the properties it runs with)."""
    specs: dict[str, FunctionSpec] = {}
    for resource in stack.active("AWS::Serverless::Function"):
        props = {
            name: stack.resolve(resource.properties[name])
            for name in _FUNCTION_PROPERTIES
            if name in resource.properties
        }
        physical = stack.physical(resource.logical_id)
        specs[resource.logical_id] = FunctionSpec.from_properties(
            resource.logical_id,
            physical.ref,
            str(physical.attributes["Arn"]),
            props,
            stack.template.base_dir,
        )
    return specs


def _api_events(
    specs: Mapping[str, FunctionSpec],
) -> list[tuple[FunctionSpec, str, Mapping[str, Any]]]:
    events = []
    for spec in specs.values():
        for name, event in spec.events.items():
            kind = event.get("Type")
            if kind in SERVED_EVENT_TYPES:
                events.append((spec, name, event.get("Properties") or {}))
            elif kind not in SCHEDULE_EVENT_TYPES:
                logger.info("%s event %s (%s) is not run locally", spec.logical_id, name, kind)
    return events


def _which_api(stack: Stack, rest_api_id: str | None) -> str:
    if rest_api_id is None:
        return IMPLICIT_API
    for resource in stack.active("AWS::Serverless::Api"):
        if stack.physical(resource.logical_id).ref == rest_api_id:
            return resource.logical_id
    raise TemplateError(f"an Api event refers to {rest_api_id}, which is not a Serverless::Api")


def _route(
    spec: FunctionSpec, name: str, props: Mapping[str, Any], api_auth: Mapping[str, Any]
) -> Route:
    auth = props.get("Auth") or {}
    authorizer = auth.get("Authorizer", api_auth.get("DefaultAuthorizer"))
    if authorizer == "NONE":
        authorizer = None
    if authorizer == "AWS_IAM":
        raise TemplateError(f"{spec.logical_id}.{name}: AWS_IAM auth is not supported locally")
    if authorizer is not None and authorizer not in (api_auth.get("Authorizers") or {}):
        raise TemplateError(f"{spec.logical_id}.{name}: unknown authorizer {authorizer}")
    key_required = auth.get("ApiKeyRequired", api_auth.get("ApiKeyRequired", False))
    return Route(
        path=str(props["Path"]),
        method=str(props["Method"]).upper(),
        function_id=spec.logical_id,
        authorizer=authorizer,
        api_key_required=str(key_required).lower() == "true",
        event_name=name,
    )


def _authorizers(
    api_id: str, auth: Mapping[str, Any], specs: Mapping[str, FunctionSpec]
) -> dict[str, AuthorizerConfig]:
    by_arn = {spec.arn: spec.logical_id for spec in specs.values()}
    configs = {}
    for name, spec in (auth.get("Authorizers") or {}).items():
        if "FunctionArn" not in spec:
            raise TemplateError(f"{api_id} authorizer {name}: only Lambda authorizers run locally")
        function_id = by_arn.get(str(spec["FunctionArn"]))
        if function_id is None:
            raise TemplateError(
                f"{api_id} authorizer {name}: FunctionArn is not a function of this template"
            )
        configs[name] = AuthorizerConfig.from_sam(name, spec, function_id)
    return configs


def _ip_rules(stack: Stack, api: ApiInfo) -> list[RateRule]:
    acls = {
        str(stack.physical(r.logical_id).attributes["Arn"]): r
        for r in stack.active("AWS::WAFv2::WebACL")
    }
    stage_arn = f"/restapis/{api.api_id}/stages/{api.stage}"
    rules: list[RateRule] = []
    for association in stack.active("AWS::WAFv2::WebACLAssociation"):
        props = stack.resolve(association.properties)
        if not str(props.get("ResourceArn", "")).endswith(stage_arn):
            continue
        acl = acls.get(str(props.get("WebACLArn")))
        if acl is None:
            logger.warning("%s: web ACL not found in the template", association.logical_id)
            continue
        rules.extend(rate_rules(stack.resolve(acl.properties)))
    return sorted(rules, key=lambda r: r.priority)


def _random_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(10))


def build_api(stack: Stack, specs: Mapping[str, FunctionSpec]) -> ApiDefinition:
    """The one API that has routes (the local server serves a single REST API)."""
    grouped: dict[str, list[tuple[FunctionSpec, str, Mapping[str, Any]]]] = {}
    for spec, name, props in _api_events(specs):
        rest_api_id = props.get("RestApiId")
        grouped.setdefault(_which_api(stack, rest_api_id), []).append((spec, name, props))
    if len(grouped) > 1:
        raise TemplateError(f"routes belong to several APIs ({', '.join(sorted(grouped))})")
    logical_id = next(iter(grouped), IMPLICIT_API)
    if logical_id == IMPLICIT_API:
        api_id, props = _random_id(), {"StageName": "Prod"}
    else:
        api_id = stack.physical(logical_id).ref
        raw = stack.template.resources[logical_id].properties
        props = {
            key: stack.resolve(raw[key])
            for key in ("StageName", "Auth", "GatewayResponses", "ApiKeySourceType")
            if key in raw
        }
    auth = props.get("Auth") or {}
    info = ApiInfo(
        api_id=api_id,
        stage=str(props.get("StageName", "Prod")),
        account_id=stack.account_id,
        region=stack.region,
    )
    router = Router()
    for spec, name, event_props in grouped.get(logical_id, []):
        router.add(_route(spec, name, event_props, auth))
    return ApiDefinition(
        logical_id=logical_id,
        info=info,
        api_key_source=str(props.get("ApiKeySourceType", "HEADER")).upper(),
        router=router,
        authorizers=_authorizers(logical_id, auth, specs),
        gateway_responses=GatewayResponses(props.get("GatewayResponses")),
        ip_rules=_ip_rules(stack, info),
    )
