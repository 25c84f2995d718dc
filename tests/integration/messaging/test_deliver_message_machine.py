"""statemachines/deliver_message.asl.json, run by the local runtime's executor on moto.

The definition is the template's (loaded and substituted by the runtime's provisioner), its
task the real deliver handler, its executions started by the real messages function through
boto3. One clock drives the executor's waits and the handlers' wall time, so the tests move
time by hand and never sleep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_runtime.provision import Stack
from local_runtime.step_functions.provisioning import state_machine_specs
from local_runtime.step_functions.service import LocalStepFunctions, TaskFunction
from sandbox_common import providers
from sandbox_common.clock import FixedClock, isoformat
from tests.integration.messaging.drivers import call as call_function
from tests.integration.messaging.message_drivers import (
    audit_entries,
    call,
    caller_context,
    message_body,
    new_sandbox_id,
    run_deliver_task,
)

# 10:30 in London (BST): the default receiver's 09:00-17:00 window is open for hours.
START = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
MACHINE = "DeliverMessageStateMachine"


class SharedClock(FixedClock):
    """One instant for both: the handlers' wall clock and the executor's epoch clock."""

    def __call__(self) -> float:
        return self.now().timestamp()


class TaskUnavailable(Exception):
    """The deliver function could not be reached (a failure the state machine retries)."""


@dataclass
class Delivery:
    """The running state machine, its clock, and a caller whose sandbox sends messages."""

    service: LocalStepFunctions
    clock: SharedClock
    arn: str
    caller: dict[str, str]
    # How many more deliver calls fail before the handler is reached (-1: all of them).
    failures: list[int] = field(default_factory=lambda: [0])

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.service.run_due()

    def schedule(self, in_seconds: float) -> str:
        due = self.clock.now() + timedelta(seconds=in_seconds)
        answer = call(
            self.caller,
            "POST",
            "/api/sandbox/schedule",
            body=message_body(scheduledFor=isoformat(due)),
        )
        assert answer.status == 201, answer.body
        self.service.run_due()
        return str(answer.body["messageId"])

    def status_of(self, message_id: str) -> str:
        answer = call(self.caller, "GET", f"/api/sandbox/message-state/{message_id}")
        assert answer.status == 200, answer.body
        return str(answer.body["status"])

    def execution(self, name: str) -> dict[str, Any]:
        arn = self.arn.replace(":stateMachine:", ":execution:") + f":{name}"
        described: dict[str, Any] = boto3.client("stepfunctions").describe_execution(
            executionArn=arn
        )
        return described

    def delivered_entries(self, message_id: str) -> list[dict[str, Any]]:
        entries = audit_entries(self.caller["sandbox_id"], message_id)
        return [e for e in entries if e["type"] == "message_delivered"]


@pytest.fixture
def delivery(stack: Stack) -> Iterator[Delivery]:
    clock = SharedClock(START)
    providers.override_clock(clock)
    failures = [0]

    def deliver(event: dict[str, Any]) -> Any:
        if event.get("action", "deliver") == "deliver" and failures[0] != 0:
            failures[0] -= 1
            raise TaskUnavailable("the deliver function is not reachable")
        return run_deliver_task(event)

    specs = state_machine_specs(stack)
    function = TaskFunction(str(stack.get_att("DeliverFunction", "Arn")), deliver)
    service = LocalStepFunctions(specs, {"DeliverFunction": function}, clock=clock)
    service.start(background=False)
    try:
        yield Delivery(
            service, clock, specs[MACHINE].arn, caller_context(new_sandbox_id()), failures
        )
    finally:
        service.stop()
        providers.override_clock(None)


def test_a_message_due_now_is_delivered_by_its_execution(delivery: Delivery) -> None:
    message_id = delivery.schedule(in_seconds=0)

    assert delivery.status_of(message_id) == "delivered"
    execution = delivery.execution(message_id)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["result"] == {
        "done": True,
        "status": "delivered",
        "waitUntil": None,
    }
    assert len(delivery.delivered_entries(message_id)) == 1


def test_a_message_due_later_waits_until_its_time_then_is_delivered(delivery: Delivery) -> None:
    message_id = delivery.schedule(in_seconds=600)

    delivery.advance(599)
    assert delivery.status_of(message_id) == "scheduled"
    assert delivery.execution(message_id)["status"] == "RUNNING"
    delivery.advance(1)

    assert delivery.status_of(message_id) == "delivered"
    assert delivery.execution(message_id)["status"] == "SUCCEEDED"


def test_when_the_sandbox_clock_is_frozen_the_execution_waits_again_until_an_advance(
    delivery: Delivery,
) -> None:
    message_id = delivery.schedule(in_seconds=600)
    frozen = call_function(
        delivery.caller,
        "POST",
        "/api/v1/sandbox/clock/freeze",
        body={},
        function="EnvironmentFunction",
    )
    assert frozen.status == 200, frozen.body

    # The wall clock reaches the due time, the sandbox clock does not: not yet due.
    delivery.advance(600)
    assert delivery.status_of(message_id) == "scheduled"
    assert delivery.execution(message_id)["status"] == "RUNNING"
    assert delivery.service.engine.next_wake() is not None
    assert delivery.service.engine.next_wake() > delivery.clock() + 600

    advanced = call_function(
        delivery.caller,
        "POST",
        "/api/v1/sandbox/clock/advance",
        body={"seconds": 600},
        function="EnvironmentFunction",
    )
    assert (advanced.status, advanced.body["delivered"]) == (200, 1)
    delivery.advance(3600)  # the execution's next look finds it delivered

    assert delivery.status_of(message_id) == "delivered"
    assert delivery.execution(message_id)["status"] == "SUCCEEDED"
    assert len(delivery.delivered_entries(message_id)) == 1


def test_a_failing_deliver_task_is_retried_and_then_delivers(delivery: Delivery) -> None:
    delivery.failures[0] = 2
    message_id = delivery.schedule(in_seconds=0)

    assert delivery.status_of(message_id) == "scheduled"
    delivery.advance(2)  # the first retry fails too
    assert delivery.status_of(message_id) == "scheduled"
    delivery.advance(4)  # the second succeeds

    assert delivery.status_of(message_id) == "delivered"
    assert delivery.execution(message_id)["status"] == "SUCCEEDED"


def test_a_deliver_task_that_keeps_failing_records_the_message_as_failed(
    delivery: Delivery,
) -> None:
    delivery.failures[0] = -1
    message_id = delivery.schedule(in_seconds=0)

    for seconds in (2, 4, 8):
        assert delivery.execution(message_id)["status"] == "RUNNING"
        delivery.advance(seconds)

    assert delivery.status_of(message_id) == "failed"
    execution = delivery.execution(message_id)
    assert (execution["status"], execution["error"]) == ("FAILED", "DeliveryFailed")


def test_a_duplicate_execution_delivers_the_message_once(delivery: Delivery) -> None:
    message_id = delivery.schedule(in_seconds=60)
    client = boto3.client("stepfunctions")
    execution_input = delivery.execution(message_id)["input"]
    client.start_execution(stateMachineArn=delivery.arn, name="duplicate", input=execution_input)
    # The messages function's own retry of the start (a later due time) is refused.
    moved = {**json.loads(execution_input), "dueAt": isoformat(START + timedelta(hours=1))}
    with pytest.raises(ClientError) as refused:
        client.start_execution(
            stateMachineArn=delivery.arn, name=message_id, input=json.dumps(moved)
        )

    delivery.advance(60)

    assert refused.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    assert delivery.execution(message_id)["status"] == "SUCCEEDED"
    assert delivery.execution("duplicate")["status"] == "SUCCEEDED"
    assert delivery.status_of(message_id) == "delivered"
    assert len(delivery.delivered_entries(message_id)) == 1
