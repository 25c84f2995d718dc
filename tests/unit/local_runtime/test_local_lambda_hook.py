"""The Invoke hook on moto answers only while a function is registered, moto's answer after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_runtime.lambda_invoke import InvokeTarget, LocalLambda

ARN = "arn:aws:lambda:us-east-1:123456789012:function:standalone"


@pytest.fixture
def lambda_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("lambda", region_name="us-east-1")


def test_a_registered_function_answers_until_stopped_then_moto_does(lambda_client: Any) -> None:
    local = LocalLambda([InvokeTarget(ARN, lambda event: {"got": event})])

    local.start()
    try:
        answered = json.loads(
            lambda_client.invoke(FunctionName="standalone", Payload=b"[1]")["Payload"].read()
        )
    finally:
        local.stop()
    with pytest.raises(ClientError) as after_stop:
        lambda_client.invoke(FunctionName="standalone", Payload=b"[1]")

    assert answered == {"got": [1]}
    assert after_stop.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_function_without_an_alias_answers_only_to_latest(lambda_client: Any) -> None:
    local = LocalLambda([InvokeTarget(ARN, lambda event: event)])

    local.start()
    try:
        latest = lambda_client.invoke(FunctionName=f"{ARN}:$LATEST", Payload=b"1")
        with pytest.raises(ClientError) as aliased:
            lambda_client.invoke(FunctionName=f"{ARN}:live", Payload=b"1")
    finally:
        local.stop()

    assert latest["Payload"].read() == b"1"
    assert aliased.value.response["Error"]["Code"] == "ResourceNotFoundException"
