"""Handlers invoked with events/*.json under moto, resources built from template.yaml.

The stack is provisioned by the same code `make run` uses (local_runtime.provision), so the
tables, usage plans, bootstrap key and SSM parameter cannot drift from the template.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_runtime.provision import Stack
from local_runtime.template import Template
from sandbox_common import providers

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "sk_sandbox_" + "Adm1n" * 8
ADMIN_CONTEXT = {
    "key_id": "bootstrap-admin",
    "sandbox_id": "operator",
    "role": "admin",
    "permissions": "analytics,read,write",
    "tier": "admin",
}


class _Boto3:
    def client(self, service: str) -> Any:
        return boto3.client(service)


class LambdaContext:
    function_name = "test-function"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh moto account with the template's resources and the functions' environment."""
    with mock_aws():
        template = Template.from_file(ROOT / "template.yaml", {"AdminApiKey": ADMIN_KEY})
        deployed = Stack(
            template,
            _Boto3(),
            stack_name="sandbox-it",
            region="us-east-1",
            account_id="123456789012",
        )
        deployed.deploy()
        for function in template.of_type("AWS::Serverless::Function"):
            variables = (function.properties.get("Environment") or {}).get("Variables") or {}
            for name, value in deployed.resolve(variables).items():
                monkeypatch.setenv(name, str(value))
        providers.reset()
        yield deployed
    providers.reset()


_modules: dict[str, ModuleType] = {}


def load_function(name: str) -> ModuleType:
    """A function's app module, imported by path once (as Lambda would, per container)."""
    if name not in _modules:
        path = ROOT / "functions" / name / "app.py"
        spec = importlib.util.spec_from_file_location(f"it_{name}_app", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _modules[name] = module
    return _modules[name]


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (a fresh copy)."""
    return copy.deepcopy(json.loads((ROOT / "events" / name).read_text()))


Invoke = Callable[..., tuple[int, Any, dict[str, str]]]


@pytest.fixture
def invoke(stack: Stack) -> Invoke:
    """Invoke a function's handler with a sample event, optionally as another caller."""

    def call(
        function: str,
        event_name: str,
        *,
        caller: dict[str, str] | None = None,
        body: Any = None,
        path_parameters: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str | None] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        event = load_event(event_name)
        for name, value in (headers or {}).items():
            if value is None:  # remove a header the sample event carries
                event["headers"].pop(name, None)
                event["multiValueHeaders"].pop(name, None)
            else:
                event["headers"][name] = value
                event["multiValueHeaders"][name] = [value]
        if caller is not None:
            event["requestContext"]["authorizer"] = {**caller, "principalId": caller["key_id"]}
        if body is not None:
            event["body"] = body if isinstance(body, str) else json.dumps(body)
        if path_parameters is not None:
            event["pathParameters"] = path_parameters
            for name, value in path_parameters.items():
                event["path"] = event["resource"].replace("{" + name + "}", value)
        if query is not None:
            event["queryStringParameters"] = query
            event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        response = load_function(function).handler(event, LambdaContext())
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        return response["statusCode"], json.loads(response["body"] or "null"), headers

    return call


def developer_context(created: dict[str, Any]) -> dict[str, str]:
    """The authorizer context a freshly created developer key gets."""
    return {
        "key_id": created["key_id"],
        "sandbox_id": created["sandbox_id"],
        "role": created["role"],
        "permissions": ",".join(sorted(created["permissions"])),
        "tier": created["tier"],
    }


@pytest.fixture
def make_key(invoke: Invoke) -> Callable[..., dict[str, Any]]:
    """Create a developer key through the keys handler (as admin) and return the response."""

    def create(**fields: Any) -> dict[str, Any]:
        body = {"developer_name": "Ada Lovelace", "developer_email": "ada@example.com", **fields}
        status, created, _ = invoke("keys", "keys/create_key.json", caller=ADMIN_CONTEXT, body=body)
        assert status == 201, created
        return created

    return create


@pytest.fixture
def admin() -> dict[str, str]:
    """The bootstrap admin's authorizer context."""
    return dict(ADMIN_CONTEXT)


@pytest.fixture
def as_developer() -> Callable[[dict[str, Any]], dict[str, str]]:
    """Turns a create-key response into the authorizer context of that key."""
    return developer_context


@pytest.fixture
def admin_key() -> str:
    """The bootstrap admin key the stack was deployed with."""
    return ADMIN_KEY


@pytest.fixture
def lambda_function() -> Callable[[str], ModuleType]:
    """Load a function's app module by name."""
    return load_function


@pytest.fixture
def sample_event() -> Callable[[str], dict[str, Any]]:
    """Load a sample event from events/."""
    return load_event


@pytest.fixture
def lambda_context() -> LambdaContext:
    """A Lambda context object."""
    return LambdaContext()


@pytest.fixture
def initialized_sandbox(
    invoke: Invoke, make_key: Callable[..., dict[str, Any]]
) -> Callable[..., dict[str, str]]:
    """A developer key's context whose sandbox was initialized through the handler."""

    def create(sandbox_id: str, **body: Any) -> dict[str, str]:
        caller = developer_context(make_key(sandbox_id=sandbox_id))
        request = {"environment": "sandbox", "seed": 42, **body}
        status, answer, _ = invoke(
            "environment", "environment/initialize.json", caller=caller, body=request
        )
        assert status == 200, answer
        return caller

    return create
