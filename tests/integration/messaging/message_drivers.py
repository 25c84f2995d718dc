"""Drivers the message handler tests share (beside the behavior drivers they build on): calls
of MessagesFunction's routes, the deliver task, and a deliver-message state machine in moto
whose executions the tests inspect."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from sandbox_common import providers
from tests.integration.conftest import LambdaContext, load_function
from tests.integration.messaging.drivers import (  # noqa: F401 - re-exported for the tests
    Answer,
    caller_context,
    set_wall_clock,
)
from tests.integration.messaging.drivers import call as call_function


def new_sandbox_id() -> str:
    """A sandbox id no other test uses."""
    return f"sb-msg-{uuid.uuid4().hex[:10]}"


def call(
    caller: dict[str, str],
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> Answer:
    """Invoke the messages handler as API Gateway would for ``method path``."""
    return call_function(caller, method, path, body=body, query=query, function="MessagesFunction")


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
