"""Drivers the message handler tests share: API Gateway events built by the local runtime's
event builder from template.yaml's MessagesFunction routes, the deliver task, the clock,
and a deliver-message state machine in moto whose executions the tests inspect."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from local_runtime.events import ApiInfo, RequestIdentity, build_proxy_event
from local_runtime.messages import HttpRequest
from local_runtime.routing import Route, RouteMatch, Router
from local_runtime.template import load_yaml
from sandbox_common import providers
from sandbox_common.clock import FixedClock
from tests.integration.conftest import ROOT, LambdaContext, load_function

API = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")


def _router(function: str) -> Router:
    template = load_yaml((ROOT / "template.yaml").read_text())
    router = Router()
    for name, event in template["Resources"][function]["Properties"]["Events"].items():
        if event["Type"] == "Api":
            props = event["Properties"]
            router.add(Route(props["Path"], props["Method"].upper(), function, event_name=name))
    return router


_ROUTER: Router | None = None


def messages_router() -> Router:
    """The MessagesFunction's routes as the template declares them."""
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = _router("MessagesFunction")
    return _ROUTER


def caller_context(sandbox_id: str, permissions: str = "read,write") -> dict[str, str]:
    """An authorizer context of a developer key of ``sandbox_id``."""
    return {
        "key_id": f"sbx_{sandbox_id}",
        "sandbox_id": sandbox_id,
        "role": "developer",
        "permissions": permissions,
        "tier": "free",
    }


def new_sandbox_id() -> str:
    """A sandbox id no other test uses."""
    return f"sb-msg-{uuid.uuid4().hex[:10]}"


@dataclass
class Answer:
    """A handler's answer: status, parsed JSON body and headers (lower-case names)."""

    status: int
    body: Any
    headers: dict[str, str]


def call(
    caller: dict[str, str],
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> Answer:
    """Invoke the messages handler as API Gateway would for ``method path``."""
    match = messages_router().match(method, path)
    assert isinstance(match, RouteMatch), f"{method} {path} is not a MessagesFunction route"
    raw = (
        b""
        if body is None
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    request = HttpRequest(
        method=method,
        path=path,
        query=urlencode(query or {}),
        headers=[("Content-Type", "application/json"), ("Authorization", "Bearer sk_sandbox_x")],
        body=raw,
    )
    identity = RequestIdentity(
        request_id=str(uuid.uuid4()), request_time=time.time(), authorizer=caller
    )
    event = build_proxy_event(request, match, API, identity)
    response = load_function("messages").handler(event, LambdaContext())
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return Answer(response["statusCode"], json.loads(response["body"] or "null"), headers)


def run_deliver_task(state: dict[str, Any]) -> dict[str, Any]:
    """Invoke the deliver task with an execution's state; its answer to the state machine."""
    answer: dict[str, Any] = load_function("deliver").handler(dict(state), LambdaContext())
    return answer


def message_body(**fields: Any) -> dict[str, Any]:
    """A send/schedule body between two unknown users (London receiver), overridable."""
    return {
        "senderId": "user_sender",
        "receiverId": "user_receiver",
        "senderTimezone": "America/New_York",
        "receiverTimezone": "Europe/London",
        "content": "Hello! This is a test message.",
        **fields,
    }


def set_wall_clock(at: datetime) -> None:
    """Make the wall clock (and so every running sandbox clock) show ``at``."""
    providers.override_clock(FixedClock(at))


def stored_sandbox(sandbox_id: str) -> Any:
    """The sandbox record as stored."""
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return sandbox


@dataclass(frozen=True)
class DeliveryMachine:
    """The deliver-message state machine in moto: executions are recorded, never run."""

    arn: str

    def executions(self) -> list[dict[str, Any]]:
        """Every execution started, with its input."""
        client = boto3.client("stepfunctions")
        listed = client.list_executions(stateMachineArn=self.arn)["executions"]
        return [
            {
                **item,
                "input": json.loads(
                    client.describe_execution(executionArn=item["executionArn"])["input"]
                ),
            }
            for item in listed
        ]

    def input_of(self, message_id: str) -> dict[str, Any]:
        """The input of the one execution named ``message_id``."""
        named = [e for e in self.executions() if e["name"] == message_id]
        assert len(named) == 1, named
        return named[0]["input"]


_MINIMAL_DEFINITION = {
    "StartAt": "Wait",
    "States": {"Wait": {"Type": "Wait", "TimestampPath": "$.dueAt", "End": True}},
}


@pytest.fixture
def delivery_machine(stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeliveryMachine]:
    """A state machine of our own in moto, which the messages function starts executions of."""
    client = boto3.client("stepfunctions")
    arn = client.create_state_machine(
        name=f"deliver-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(_MINIMAL_DEFINITION),
        roleArn="arn:aws:iam::123456789012:role/deliver",
    )["stateMachineArn"]
    monkeypatch.setenv("DELIVERY_STATE_MACHINE_ARN", arn)
    providers.reset()
    yield DeliveryMachine(arn)
    providers.reset()


def audit_entries(sandbox_id: str, message_id: str | None = None) -> list[dict[str, Any]]:
    """The sandbox's audit entries as stored (oldest first), optionally of one message."""
    from boto3.dynamodb.conditions import Key

    from sandbox_common.storage.sandbox_items import DataScope, Kind

    sandbox = stored_sandbox(sandbox_id)
    scope = DataScope(sandbox.sandbox_id, sandbox.data_generation)
    table = boto3.resource("dynamodb").Table(providers.settings().data_table)
    items = table.query(
        IndexName="by_time",
        KeyConditionExpression=Key("pk").eq(scope.pk(Kind.AUDIT)),
    )["Items"]
    entries = [{**json.loads(item["doc"]), "id": item["sk"]} for item in items]
    return [e for e in entries if message_id is None or e.get("messageId") == message_id]
