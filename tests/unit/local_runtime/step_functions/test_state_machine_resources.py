"""`AWS::Serverless::StateMachine` in the local stack: made in moto, run on StartExecution."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_runtime.provision import Stack
from local_runtime.step_functions.definition import DefinitionError
from local_runtime.step_functions.provisioning import state_machine_specs
from local_runtime.step_functions.service import LocalStepFunctions, TaskFunction
from local_runtime.template import Template

ACCOUNT = "123456789012"
WORKER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sandbox-platform-WorkerFunction"


class _MockedAws:
    def client(self, service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[_MockedAws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield _MockedAws()


def definition_file(tmp_path: Path) -> None:
    machine = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "SecondsPath": "$.after", "Next": "Work"},
            "Work": {"Type": "Task", "Resource": "${WorkerArn}", "ResultPath": "$.r", "End": True},
        },
    }
    (tmp_path / "machine.asl.json").write_text(json.dumps(machine))


def stack_in(tmp_path: Path, aws: _MockedAws, **machine_props: Any) -> Stack:
    document = {
        "Resources": {
            "WorkerFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "worker/", "Handler": "app.handler"},
            },
            "Machine": {
                "Type": "AWS::Serverless::StateMachine",
                "Properties": {
                    "DefinitionUri": "machine.asl.json",
                    "DefinitionSubstitutions": {
                        "WorkerArn": {"Fn::GetAtt": ["WorkerFunction", "Arn"]}
                    },
                    "Policies": [
                        {"LambdaInvokePolicy": {"FunctionName": {"Ref": "WorkerFunction"}}}
                    ],
                    **machine_props,
                },
            },
            "Consumer": {
                "Type": "Test::Consumer",
                "Properties": {
                    "MachineArn": {"Ref": "Machine"},
                    "MachineName": {"Fn::GetAtt": ["Machine", "Name"]},
                },
            },
        }
    }
    template = Template(document, tmp_path / "template.yaml")
    return Stack(
        template, aws, stack_name="sandbox-platform", region="us-east-1", account_id=ACCOUNT
    )


def worker(payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("fail"):
        raise ValueError("asked to fail")
    return {"seen": payload["id"]}


@pytest.fixture
def running(
    tmp_path: Path, aws: _MockedAws, clock: Any
) -> Iterator[tuple[LocalStepFunctions, Any, str]]:
    definition_file(tmp_path)
    stack = stack_in(tmp_path, aws)
    stack.deploy()
    service = LocalStepFunctions(
        state_machine_specs(stack),
        {"WorkerFunction": TaskFunction(WORKER_ARN, worker)},
        clock=clock,
    )
    service.start(background=False)
    try:
        yield service, aws.client("stepfunctions"), stack.resolve({"Ref": "Machine"})
    finally:
        service.stop()


def test_the_machine_is_created_in_moto_with_its_substituted_definition(
    tmp_path: Path, aws: _MockedAws
) -> None:
    definition_file(tmp_path)
    stack = stack_in(tmp_path, aws)

    arn = stack.resolve({"Ref": "Machine"})
    name = stack.resolve({"Fn::GetAtt": ["Machine", "Name"]})

    assert arn == f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:sandbox-platform-Machine"
    assert name == "sandbox-platform-Machine"
    described = aws.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
    work = json.loads(described["definition"])["States"]["Work"]
    assert work["Resource"] == WORKER_ARN


def test_an_execution_started_through_boto3_runs_and_moto_reports_how_it_ended(
    running: tuple[LocalStepFunctions, Any, str], clock: Any
) -> None:
    service, client, machine_arn = running

    started = client.start_execution(
        stateMachineArn=machine_arn, name="msg_1", input=json.dumps({"id": "m1", "after": 30})
    )
    service.run_due()
    waiting = client.describe_execution(executionArn=started["executionArn"])
    clock.advance(30)
    service.run_due()
    ended = client.describe_execution(executionArn=started["executionArn"])

    assert waiting["status"] == "RUNNING"
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"id": "m1", "after": 30, "r": {"seen": "m1"}}


def test_a_failed_execution_shows_its_error_in_moto(
    running: tuple[LocalStepFunctions, Any, str],
) -> None:
    service, client, machine_arn = running

    started = client.start_execution(
        stateMachineArn=machine_arn, name="bad", input=json.dumps({"fail": True, "after": 0})
    )
    service.run_due()
    ended = client.describe_execution(executionArn=started["executionArn"])

    assert (ended["status"], ended["error"]) == ("FAILED", "ValueError")
    assert "asked to fail" in ended["cause"]


def test_a_second_start_with_the_same_name_is_refused_and_runs_nothing(
    running: tuple[LocalStepFunctions, Any, str], clock: Any
) -> None:
    service, client, machine_arn = running
    execution_input = json.dumps({"id": "m2", "after": 10})
    client.start_execution(stateMachineArn=machine_arn, name="msg_2", input=execution_input)
    # While it runs, the same name and input answer the same execution (no second run)...
    client.start_execution(stateMachineArn=machine_arn, name="msg_2", input=execution_input)
    service.run_due()
    # ...and another input under that name is refused.
    with pytest.raises(ClientError) as refused:
        client.start_execution(
            stateMachineArn=machine_arn, name="msg_2", input=json.dumps({"id": "x", "after": 0})
        )
    assert service.engine.pending() == 1
    clock.advance(10)
    service.run_due()

    assert refused.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    listed = client.list_executions(stateMachineArn=machine_arn)["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [("msg_2", "SUCCEEDED")]
    with pytest.raises(ClientError):  # finished: the name stays taken
        client.start_execution(stateMachineArn=machine_arn, name="msg_2", input=execution_input)


def test_a_task_resource_that_is_not_a_template_function_is_refused_at_start(
    tmp_path: Path, aws: _MockedAws
) -> None:
    definition_file(tmp_path)
    stack = stack_in(tmp_path, aws)
    stack.deploy()

    with pytest.raises(DefinitionError, match="Resource .* is not the ARN of a function"):
        LocalStepFunctions(state_machine_specs(stack), {})


def test_an_unknown_substitution_and_an_express_machine_are_refused(
    tmp_path: Path, aws: _MockedAws
) -> None:
    definition_file(tmp_path)
    unknown = stack_in(tmp_path, aws, DefinitionSubstitutions={"Other": "x"})
    express = stack_in(tmp_path, aws, Type="EXPRESS")

    with pytest.raises(DefinitionError, match=r"\$\{WorkerArn\} is not one of its"):
        unknown.physical("Machine")
    with pytest.raises(DefinitionError, match="only STANDARD"):
        express.physical("Machine")


def test_a_stopped_execution_runs_no_further(
    running: tuple[LocalStepFunctions, Any, str], clock: Any
) -> None:
    service, client, machine_arn = running
    started = client.start_execution(
        stateMachineArn=machine_arn, name="stopped", input=json.dumps({"fail": True, "after": 5})
    )
    service.run_due()

    client.stop_execution(executionArn=started["executionArn"])
    clock.advance(5)
    service.run_due()

    # The task would have failed the execution: it never ran.
    assert client.describe_execution(executionArn=started["executionArn"])["status"] == "ABORTED"
    assert service.engine.pending() == 0
