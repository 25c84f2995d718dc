"""boto3 Lambda Invoke of a template function runs its real handler, on both AWS transports."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError

from local_runtime import LocalRuntime
from local_runtime.lambda_invoke import LocalLambda
from local_runtime.template import load_yaml

ACCOUNT = "123456789012"
WORKER = "sandbox-platform-WorkerFunction"
WORKER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{WORKER}"
STAGE_URL = "https://${ToyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"


def _invoked_project(root: Path, fixtures_dir: Path) -> Path:
    """The fixture project plus a worker (invoked by boto3) and an API function calling it."""
    shutil.copytree(fixtures_dir, root)
    template = root / "template.yaml"
    document = load_yaml(template.read_text())
    document["Resources"]["WorkerFunction"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "functions/worker/",
            "Handler": "app.handler",
            "AutoPublishAlias": "live",
            "Environment": {
                "Variables": {
                    "TOY_API_URL": {"Fn::Sub": f"{STAGE_URL}/v1"},
                    "TOY_API_ITEMS": {"Fn::Sub": f"{STAGE_URL}/v1/items?limit=2"},
                    "TOY_OTHER_STAGE": {"Fn::Sub": f"{STAGE_URL}/v10"},
                    "TOY_ELSEWHERE": "https://example.com/v1",
                }
            },
        },
    }
    document["Resources"]["CallerFunction"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "functions/caller/",
            "Handler": "app.handler",
            "Environment": {"Variables": {"WORKER_FUNCTION": {"Ref": "WorkerFunction"}}},
            "Events": {
                "Call": {
                    "Type": "Api",
                    "Properties": {
                        "RestApiId": {"Ref": "ToyApi"},
                        "Path": "/call-worker",
                        "Method": "POST",
                        "Auth": {"Authorizer": "NONE", "ApiKeyRequired": False},
                    },
                }
            },
        },
    }
    template.write_text(yaml.safe_dump(document, sort_keys=False))
    return template


@pytest.fixture(scope="module", params=["in-process", "http"])
def runtime(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fixtures_dir: Path,
    module_clock: Any,
) -> Iterator[LocalRuntime]:
    template = _invoked_project(tmp_path_factory.mktemp("invoke") / "project", fixtures_dir)
    with LocalRuntime(
        template,
        clock=module_clock,
        create_demo_key=False,
        schedule_speed=0,
        aws_transport=request.param,
    ) as started:
        yield started


@pytest.fixture
def lambda_client(runtime: LocalRuntime) -> Any:
    """A Lambda client made after the runtime pointed boto3 at its AWS."""
    return boto3.client("lambda")


@pytest.fixture
def local_lambda(runtime: LocalRuntime) -> LocalLambda:
    assert runtime.local_lambda is not None
    return runtime.local_lambda


def _payload(answer: dict[str, Any]) -> Any:
    raw = answer["Payload"].read()
    return json.loads(raw) if raw else raw


def _stored_by_worker(pk: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(os.environ["ITEMS_TABLE"])
    item: dict[str, Any] | None = table.get_item(Key={"pk": pk}).get("Item")
    return item


# ---------------------------------------------------------------- RequestResponse


def test_invoke_by_name_answers_the_handlers_result(lambda_client: Any) -> None:
    answer = lambda_client.invoke(FunctionName=WORKER, Payload=json.dumps({"n": [1, "two"]}))

    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert _payload(answer) == {"event": {"n": [1, "two"]}, "function": WORKER}


@pytest.mark.parametrize(
    ("function_name", "qualifier"),
    [
        (WORKER_ARN, None),
        (f"{WORKER_ARN}:live", None),
        (f"{ACCOUNT}:function:{WORKER}:$LATEST", None),
        (WORKER, "live"),
        (f"{WORKER}:1", None),
    ],
)
def test_invoke_by_arn_or_with_a_qualifier_reaches_the_same_handler(
    lambda_client: Any, function_name: str, qualifier: str | None
) -> None:
    extra = {"Qualifier": qualifier} if qualifier else {}

    answer = lambda_client.invoke(FunctionName=function_name, Payload=b'"plain"', **extra)

    assert answer["StatusCode"] == 200
    assert _payload(answer) == {"event": "plain", "function": WORKER}


def test_an_empty_payload_is_an_empty_object_event(lambda_client: Any) -> None:
    answer = lambda_client.invoke(FunctionName=WORKER)

    assert _payload(answer) == {"event": {}, "function": WORKER}


def test_a_handler_exception_is_an_unhandled_function_error(lambda_client: Any) -> None:
    answer = lambda_client.invoke(
        FunctionName=WORKER, Payload=json.dumps({"action": "fail", "message": "no credits"})
    )

    error = _payload(answer)
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorMessage"] == "no credits"
    assert error["errorType"] == "ValueError"
    assert "functions/worker/app.py" in error["stackTrace"][0]
    assert all("local_runtime" not in frame for frame in error["stackTrace"])


def test_decimals_in_the_result_are_json_numbers(lambda_client: Any) -> None:
    answer = lambda_client.invoke(FunctionName=WORKER, Payload=json.dumps({"action": "decimal"}))

    assert _payload(answer) == {"amount": 12.5}


def test_a_result_that_is_not_json_is_a_marshal_error(lambda_client: Any) -> None:
    answer = lambda_client.invoke(
        FunctionName=WORKER, Payload=json.dumps({"action": "unmarshalable"})
    )

    error = _payload(answer)
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.MarshalError"
    assert "set is not JSON serializable" in error["errorMessage"]


def test_a_handler_can_invoke_another_function(runtime: LocalRuntime) -> None:
    status, _, body = runtime.invoke("POST", "/call-worker", body={"from": "api"})

    assert status == 200
    assert json.loads(body) == {
        "status": 200,
        "function_error": None,
        "payload": {"event": {"from": "api"}, "function": WORKER},
    }


# ---------------------------------------------------------------- Event and DryRun


def test_an_event_invocation_answers_202_and_runs_the_handler_in_the_background(
    lambda_client: Any, local_lambda: LocalLambda
) -> None:
    answer = lambda_client.invoke(
        FunctionName=WORKER_ARN,
        InvocationType="Event",
        Payload=json.dumps({"action": "store", "id": "event-1"}),
    )
    finished = local_lambda.wait(timeout=30)

    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    assert finished
    assert _stored_by_worker("event-1") == {"pk": "event-1", "owner": "worker"}


def test_a_failed_event_invocation_is_logged(
    lambda_client: Any, local_lambda: LocalLambda, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="local_runtime.lambda_invoke"):
        answer = lambda_client.invoke(
            FunctionName=WORKER,
            InvocationType="Event",
            Payload=json.dumps({"action": "fail", "message": "event broke"}),
        )
        local_lambda.wait(timeout=30)

    assert answer["StatusCode"] == 202
    (record,) = [r for r in caplog.records if r.name == "local_runtime.lambda_invoke"]
    assert f"{WORKER} failed (Event invocation)" in record.getMessage()
    assert record.exc_info is not None and str(record.exc_info[1]) == "event broke"


def test_a_dry_run_answers_204_and_runs_nothing(
    lambda_client: Any, local_lambda: LocalLambda
) -> None:
    answer = lambda_client.invoke(
        FunctionName=WORKER,
        InvocationType="DryRun",
        Payload=json.dumps({"action": "store", "id": "dry-run"}),
    )
    local_lambda.wait(timeout=30)

    assert answer["StatusCode"] == 204
    assert _stored_by_worker("dry-run") is None


# ---------------------------------------------------------------- refused


def _error_code(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_an_unknown_function_is_moto_s_resource_not_found(lambda_client: Any) -> None:
    code, message = _error_code(lambda_client.invoke, FunctionName="sandbox-platform-Nobody")

    assert code == "ResourceNotFoundException"
    assert "sandbox-platform-Nobody" in message


def test_an_unknown_qualifier_is_resource_not_found(lambda_client: Any) -> None:
    code, message = _error_code(lambda_client.invoke, FunctionName=WORKER, Qualifier="beta")

    assert code == "ResourceNotFoundException"
    assert message == f"Function not found: {WORKER_ARN}:beta"


def test_a_function_in_another_region_is_not_this_one(lambda_client: Any) -> None:
    other = WORKER_ARN.replace("us-east-1", "eu-west-1")

    code, _ = _error_code(lambda_client.invoke, FunctionName=other)

    assert code == "ResourceNotFoundException"


def test_two_different_qualifiers_are_refused(lambda_client: Any) -> None:
    code, _ = _error_code(lambda_client.invoke, FunctionName=f"{WORKER}:live", Qualifier="1")

    assert code == "InvalidParameterValueException"


def test_a_payload_that_is_not_json_is_refused_before_running(
    lambda_client: Any, local_lambda: LocalLambda
) -> None:
    code, message = _error_code(lambda_client.invoke, FunctionName=WORKER, Payload=b"{not json")

    assert code == "InvalidRequestContentException"
    assert message.startswith("Could not parse request body into json")


# ---------------------------------------------------------------- the API's own URL


def test_the_apis_stage_url_in_the_environment_is_the_local_endpoint(
    runtime: LocalRuntime,
) -> None:
    assert os.environ["TOY_API_URL"] == runtime.endpoint
    assert os.environ["TOY_API_ITEMS"] == f"{runtime.endpoint}/items?limit=2"
    # Another stage of the same API and another host are not this stage.
    assert os.environ["TOY_OTHER_STAGE"].endswith(".execute-api.us-east-1.amazonaws.com/v10")
    assert os.environ["TOY_ELSEWHERE"] == "https://example.com/v1"


def test_a_function_calls_the_api_at_the_url_the_template_gives_it(lambda_client: Any) -> None:
    answer = lambda_client.invoke(
        FunctionName=WORKER, Payload=json.dumps({"action": "fetch", "path": "/public"})
    )

    assert _payload(answer) == {"status": 200, "body": {"ok": "public", "helper": "items-helpers"}}
