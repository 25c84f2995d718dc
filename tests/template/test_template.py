"""template.yaml is the source of truth: it must transform, lint, and match the apps' routes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from local_runtime.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_yaml(TEMPLATE_PATH.read_text())


def http_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(e["Type"] == "Api" for e in resource["Properties"].get("Events", {}).values())
    }


def template_routes(properties: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for event in properties.get("Events", {}).values()
        if event["Type"] == "Api"
    }


def app_routes(code_uri: str) -> set[tuple[str, str]]:
    path = ROOT / code_uri / "app.py"
    name = f"template_check_{path.parent.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    # An app's routes come from the routers it includes: walk them as FastAPI's OpenAPI does.
    return {
        (method, route.path)
        for route in iter_route_contexts(module.app.routes)
        if isinstance(route.original_route, APIRoute)
        for method in route.methods or ()
    }


def test_every_template_route_is_served_by_its_function_and_every_app_route_is_declared(
    template,
):
    functions = http_functions(template)
    assert {"KeysFunction", "EnvironmentFunction", "ManagerFunction"} <= set(functions)
    for name, properties in functions.items():
        declared = template_routes(properties)
        served = app_routes(properties["CodeUri"])
        assert declared == served, f"{name}: template {declared ^ served} differ from the app"


def test_every_function_runs_python312_and_has_its_code(template):
    functions = {
        name: r["Properties"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert template["Globals"]["Function"]["Runtime"] == "python3.12"
    for name, properties in functions.items():
        code = ROOT / properties["CodeUri"]
        module, _, attribute = properties["Handler"].partition(".")
        assert (code / f"{module}.py").is_file(), name
        assert (code / "requirements.txt").is_file(), name
        assert attribute == "handler"


def test_usage_plans_have_throttle_and_quota(template):
    plans = {
        name: r["Properties"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::ApiGateway::UsagePlan"
    }
    assert len(plans) >= 2
    for plan in plans.values():
        assert plan["Throttle"]["RateLimit"] > 0 and plan["Throttle"]["BurstLimit"] > 0
        assert plan["Quota"]["Limit"] > 0 and plan["Quota"]["Period"] in {"DAY", "WEEK", "MONTH"}


def test_template_passes_the_sam_transform():
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    class NoManagedPolicies(ManagedPolicyLoader):
        # The template names no AWS managed policy by name, so nothing needs looking up.
        def __init__(self) -> None:
            pass

        def load(self) -> dict[str, str]:
            return {}

    document = load_yaml(TEMPLATE_PATH.read_text())
    # What `sam package` does before CloudFormation runs the transform: code goes to S3.
    for name, resource in document["Resources"].items():
        properties = resource["Properties"]
        for uri in ("CodeUri", "ContentUri", "DefinitionUri"):
            if uri in properties:
                properties[uri] = f"s3://artifacts/{name}.zip"
    parameters = {"AdminApiKey": "sk_sandbox_" + "a" * 40}
    output = transform(document, parameters, NoManagedPolicies())
    resources = output["Resources"]
    api = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi")
    assert api["Properties"]["ApiKeySourceType"] == "AUTHORIZER"
    body = api["Properties"]["Body"]
    authorizer = body["securityDefinitions"]["SandboxKeyAuthorizer"][
        "x-amazon-apigateway-authorizer"
    ]
    assert authorizer["type"] == "request"
    assert authorizer["authorizerResultTtlInSeconds"] == 0  # either header may carry the key
    assert set(body["x-amazon-apigateway-gateway-responses"]) >= {
        "UNAUTHORIZED",
        "ACCESS_DENIED",
        "THROTTLED",
        "QUOTA_EXCEEDED",
        "MISSING_AUTHENTICATION_TOKEN",
    }
    stage = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage")
    assert stage["Properties"]["StageName"] == "v1"


def test_template_has_no_cfn_lint_errors():
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE_PATH)
    assert [str(m) for m in matches] == []
