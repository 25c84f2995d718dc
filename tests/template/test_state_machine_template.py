"""The deliver-message state machine in template.yaml: its file, its task, its least privilege."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local_runtime.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]
MACHINE = "DeliverMessageStateMachine"


@pytest.fixture(scope="module")
def transformed(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    class NoManagedPolicies(ManagedPolicyLoader):
        def __init__(self) -> None:
            pass

        def load(self) -> dict[str, str]:
            return {}

    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    document = load_yaml((ROOT / "template.yaml").read_text())
    # What `sam package` does first: code and definitions go to S3.
    for name, resource in document["Resources"].items():
        for uri in ("CodeUri", "ContentUri", "DefinitionUri"):
            if uri in resource["Properties"]:
                resource["Properties"][uri] = f"s3://artifacts/{name}"
    output: dict[str, Any] = transform(
        document, {"AdminApiKey": "sk_sandbox_" + "a" * 40}, NoManagedPolicies()
    )
    return output["Resources"]


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_task_of_the_definition_calls_the_deliver_function() -> None:
    template = load_yaml((ROOT / "template.yaml").read_text())
    properties = template["Resources"][MACHINE]["Properties"]
    definition = json.loads((ROOT / properties["DefinitionUri"]).read_text())

    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]

    assert tasks and {t["Resource"] for t in tasks} == {"${DeliverFunctionArn}"}
    assert properties["DefinitionSubstitutions"] == {
        "DeliverFunctionArn": {"Fn::GetAtt": ["DeliverFunction", "Arn"]}
    }


def test_the_machine_may_invoke_the_deliver_function_and_nothing_else(
    transformed: dict[str, Any],
) -> None:
    role = transformed[f"{MACHINE}Role"]["Properties"]
    statements = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]

    assert role["ManagedPolicyArns"] == []
    assert len(statements) == 1
    assert statements[0]["Action"] == ["lambda:InvokeFunction"]
    assert statements[0]["Resource"]["Fn::Sub"][1] == {"functionName": {"Ref": "DeliverFunction"}}
    assert transformed[MACHINE]["Properties"]["StateMachineType"] == "STANDARD"
