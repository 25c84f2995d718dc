"""Loading definitions: what the runtime cannot run is refused, naming the state and the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from local_runtime.step_functions.definition import (
    DefinitionError,
    TaskState,
    WaitState,
    parse_definition,
)

DELIVER_MESSAGE = Path(__file__).parents[4] / "statemachines" / "deliver_message.asl.json"


def valid() -> dict[str, Any]:
    return {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                "Retry": [{"ErrorEquals": ["States.TaskFailed"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
                "Default": "Wait",
            },
            "Failed": {"Type": "Fail", "Error": "Failed"},
            "Done": {"Type": "Succeed"},
        },
    }


def changed(path: list[Any], value: Any) -> dict[str, Any]:
    document = valid()
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


def test_the_deliver_message_machine_loads_as_written() -> None:
    document = json.loads(DELIVER_MESSAGE.read_text())

    definition = parse_definition(document, "DeliverMessageStateMachine")

    assert definition.start_at == "WaitUntilDue"
    assert isinstance(definition.states["WaitUntilDue"], WaitState)
    deliver = definition.states["Deliver"]
    assert isinstance(deliver, TaskState)
    assert deliver.retry[0].error_equals == ["States.TaskFailed"]
    assert set(definition.task_resources()) == {"Deliver", "RecordFailure"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            changed(["States", "Work", "TimeoutSeconds"], 5),
            "state 'Work': field 'TimeoutSeconds' is not supported",
        ),
        (
            changed(["States", "Work", "Type"], "Map"),
            "state 'Work': Type 'Map' is not supported",
        ),
        (
            changed(["States", "Wait", "Type"], "Parallel"),
            "state 'Wait': Type 'Parallel' is not supported",
        ),
        (
            changed(["States", "Check", "Choices", 0, "StringContains"], "x"),
            "state 'Check': field 'Choices': Choices[0]: field 'StringContains' is not supported",
        ),
        (
            changed(["States", "Work", "Parameters"], {"x.$": "States.Format('{}', $.a)"}),
            "state 'Work': field 'Parameters': x.$: intrinsic functions (States.Format)",
        ),
        (
            changed(["States", "Work", "ResultPath"], "$.items[*].id"),
            "state 'Work': field 'ResultPath'",
        ),
        (
            changed(["States", "Work", "Retry", 0, "JitterStrategy"], "FULL"),
            "state 'Work': field 'Retry[0].JitterStrategy'",
        ),
        (
            changed(
                ["States", "Work", "Catch"], [{"ErrorEquals": ["States.ALL", "X"], "Next": "Done"}]
            ),
            "States.ALL must be alone in the last entry",
        ),
        (
            changed(["States", "Wait", "SecondsPath"], "$.s"),
            "a Wait has exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
        ),
        (
            changed(["States", "Wait", "Seconds"], "5"),
            "state 'Wait': field 'Seconds'",
        ),
        (
            changed(["States", "Done", "Next"], "Wait"),
            "state 'Done': field 'Next' is not supported",
        ),
        (changed(["States", "Check", "Default"], "Nowhere"), "Default 'Nowhere' is not a state"),
        (changed(["StartAt"], "Nowhere"), "StartAt 'Nowhere' is not a state"),
        (changed(["TimeoutSeconds"], 60), "top-level field 'TimeoutSeconds' is not supported"),
        (changed(["States", "Wait", "End"], True), "either Next or End"),
    ],
)
def test_what_the_runtime_cannot_run_is_refused_with_state_and_field(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        parse_definition(document, "Machine")

    assert str(refused.value).startswith("Machine: ")
    assert message in str(refused.value)


def test_loading_does_not_change_the_document() -> None:
    document = valid()
    before = copy.deepcopy(document)

    parse_definition(document)

    assert document == before
