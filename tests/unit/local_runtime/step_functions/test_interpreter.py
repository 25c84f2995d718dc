"""Executions of small inline definitions: every state type, paths, Retry and Catch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_runtime.step_functions.interpreter import MAX_TRANSITIONS


def one(state: dict[str, Any], **more: dict[str, Any]) -> dict[str, Any]:
    """A definition starting at ``state`` (named S), with other states by name."""
    return {"StartAt": "S", "States": {"S": state, **more}}


# ---------------------------------------------------------------- Pass and the paths


def test_pass_puts_its_result_at_the_result_path(runner: Any) -> None:
    execution = runner.start(
        one({"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.added", "End": True}),
        {"kept": True},
    )

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"kept": True, "added": {"x": 1}}


def test_pass_parameters_read_the_input_and_the_context_object(runner: Any) -> None:
    execution = runner.start(
        one(
            {
                "Type": "Pass",
                "Parameters": {
                    "id.$": "$.order.items[1].id",
                    "quoted.$": "$['odd key']",
                    "fixed": "yes",
                    "nested": {"name.$": "$$.Execution.Name"},
                },
                "End": True,
            }
        ),
        {"order": {"items": [{"id": "a"}, {"id": "b"}]}, "odd key": 7},
    )

    assert execution.output == {"id": "b", "quoted": 7, "fixed": "yes", "nested": {"name": "run-1"}}


def test_input_path_and_output_path_select_what_goes_in_and_out(runner: Any) -> None:
    execution = runner.start(
        one(
            {
                "Type": "Pass",
                "InputPath": "$.inner",
                "Result": "r",
                "ResultPath": "$.result",
                "OutputPath": "$.result",
                "End": True,
            }
        ),
        {"inner": {"a": 1}, "outer": 2},
    )

    assert execution.output == "r"


def test_null_result_path_keeps_the_input_and_null_output_path_gives_an_empty_object(
    runner: Any,
) -> None:
    kept = runner.start(
        one({"Type": "Pass", "Result": "lost", "ResultPath": None, "End": True}), {"a": 1}
    )
    emptied = runner.start(one({"Type": "Pass", "OutputPath": None, "End": True}), {"a": 1})

    assert kept.output == {"a": 1}
    assert emptied.output == {}


def test_a_path_that_names_nothing_fails_the_execution_with_a_runtime_error(runner: Any) -> None:
    execution = runner.start(
        one(
            {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "Next": "Caught"},
            Caught={"Type": "Succeed"},
        ),
        {},
    )

    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "$.missing" in (execution.cause or "")


# ---------------------------------------------------------------- Succeed and Fail


def test_succeed_ends_with_its_filtered_input(runner: Any) -> None:
    execution = runner.start(one({"Type": "Succeed", "InputPath": "$.keep"}), {"keep": [1]})

    assert (execution.status, execution.output) == ("SUCCEEDED", [1])


def test_fail_ends_with_its_error_and_cause(runner: Any) -> None:
    fixed = runner.start(one({"Type": "Fail", "Error": "Nope", "Cause": "because"}))
    from_input = runner.start(
        one({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}), {"e": "E", "c": "C"}
    )

    assert (fixed.status, fixed.error, fixed.cause) == ("FAILED", "Nope", "because")
    assert (from_input.error, from_input.cause) == ("E", "C")


# ---------------------------------------------------------------- Choice


def choose(runner: Any, rule: dict[str, Any], data: Any) -> str:
    """Which way a Choice with this one rule (and a Default) goes for ``data``."""
    execution = runner.start(
        one(
            {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            Yes={"Type": "Pass", "Result": "yes", "End": True},
            No={"Type": "Pass", "Result": "no", "End": True},
        ),
        data,
    )
    assert execution.status == "SUCCEEDED", execution.cause
    return str(execution.output)


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"Variable": "$.s", "StringEquals": "a"}, {"s": "a"}, "yes"),
        ({"Variable": "$.s", "StringEquals": "a"}, {"s": 1}, "no"),
        ({"Variable": "$.s", "StringLessThan": "b"}, {"s": "a"}, "yes"),
        ({"Variable": "$.s", "StringGreaterThanEquals": "b"}, {"s": "a"}, "no"),
        ({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log-1.txt"}, "yes"),
        ({"Variable": "$.s", "StringMatches": "a\\*"}, {"s": "ab"}, "no"),
        ({"Variable": "$.n", "NumericEquals": 2}, {"n": 2.0}, "yes"),
        ({"Variable": "$.n", "NumericLessThan": 2}, {"n": 3}, "no"),
        ({"Variable": "$.n", "NumericGreaterThanEquals": 2}, {"n": 2}, "yes"),
        ({"Variable": "$.n", "NumericEquals": 1}, {"n": True}, "no"),
        ({"Variable": "$.b", "BooleanEquals": True}, {"b": True}, "yes"),
        ({"Variable": "$.b", "BooleanEquals": True}, {"b": "true"}, "no"),
        (
            {"Variable": "$.t", "TimestampLessThan": "2026-01-30T17:00:00Z"},
            {"t": "2026-01-30T16:59:59.5Z"},
            "yes",
        ),
        (
            {"Variable": "$.t", "TimestampEquals": "2026-01-30T17:00:00Z"},
            {"t": "2026-01-30T18:00:00+01:00"},
            "yes",
        ),
        ({"Variable": "$.t", "TimestampGreaterThan": "2026-01-30T17:00:00Z"}, {"t": "x"}, "no"),
        ({"Variable": "$.a", "NumericLessThanPath": "$.b"}, {"a": 1, "b": 2}, "yes"),
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "x", "b": "y"}, "no"),
        ({"Variable": "$.gone", "IsPresent": False}, {}, "yes"),
        ({"Variable": "$.v", "IsNull": True}, {"v": None}, "yes"),
        ({"Variable": "$.v", "IsNumeric": True}, {"v": "1"}, "no"),
        ({"Variable": "$.v", "IsString": True}, {"v": "1"}, "yes"),
        ({"Variable": "$.v", "IsBoolean": False}, {"v": 0}, "yes"),
        ({"Variable": "$.v", "IsTimestamp": True}, {"v": "2026-01-30T17:00:00Z"}, "yes"),
        (
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThan": 1},
                    {"Not": {"Variable": "$.s", "StringEquals": "x"}},
                ]
            },
            {"n": 2, "s": "y"},
            "yes",
        ),
        (
            {
                "Or": [
                    {"Variable": "$.n", "NumericGreaterThan": 5},
                    {"Variable": "$.s", "StringEquals": "x"},
                ]
            },
            {"n": 2, "s": "y"},
            "no",
        ),
    ],
)
def test_choice_rules_compare_as_step_functions_does(
    runner: Any, rule: dict[str, Any], data: Any, expected: str
) -> None:
    assert choose(runner, rule, data) == expected


def test_the_first_matching_choice_wins_and_output_path_applies(runner: Any) -> None:
    execution = runner.start(
        one(
            {
                "Type": "Choice",
                "OutputPath": "$.n",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "First"},
                    {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Second"},
                ],
            },
            First={
                "Type": "Pass",
                "ResultPath": "$",
                "Parameters": {"via": "first", "n.$": "$"},
                "End": True,
            },
            Second={"Type": "Succeed"},
        ),
        {"n": 2},
    )

    assert execution.output == {"via": "first", "n": 2}


def test_a_choice_with_no_match_and_no_default_fails_the_execution(runner: Any) -> None:
    execution = runner.start(
        one(
            {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "T"}]},
            T={"Type": "Succeed"},
        ),
        {"n": 2},
    )

    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")


# ---------------------------------------------------------------- Wait


def test_a_wait_in_seconds_holds_the_execution_until_the_clock_gets_there(runner: Any) -> None:
    execution = runner.start(
        one({"Type": "Wait", "Seconds": 30, "Next": "Done"}, Done={"Type": "Succeed"}), {"a": 1}
    )

    runner.advance(29.9)
    assert execution.status == "RUNNING"
    runner.advance(0.1)
    assert (execution.status, execution.output) == ("SUCCEEDED", {"a": 1})


def test_a_wait_until_a_timestamp_from_the_input_wakes_exactly_then(
    runner: Any, clock: Any
) -> None:
    due = clock.now + 90.25
    stamp = _stamp(due)
    execution = runner.start(
        one({"Type": "Wait", "TimestampPath": "$.due", "End": True}), {"due": stamp}
    )

    assert runner.engine.next_wake() == pytest.approx(due, abs=0.001)
    runner.advance(90)
    assert execution.status == "RUNNING"
    runner.advance(0.25)
    assert execution.status == "SUCCEEDED"


def test_a_wait_until_a_past_timestamp_goes_straight_on(runner: Any, clock: Any) -> None:
    execution = runner.start(
        one({"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z", "End": True}), {}
    )

    assert execution.status == "SUCCEEDED"


def test_a_wait_in_seconds_from_the_input_and_a_bad_value_fails(runner: Any) -> None:
    waiting = runner.start(one({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": 5})
    broken = runner.start(one({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": "5"})
    bad_stamp = runner.start(
        one({"Type": "Wait", "TimestampPath": "$.t", "End": True}), {"t": "tomorrow"}
    )

    assert waiting.status == "RUNNING"
    runner.advance(5)
    assert waiting.status == "SUCCEEDED"
    assert (broken.status, broken.error) == ("FAILED", "States.Runtime")
    assert (bad_stamp.status, bad_stamp.error) == ("FAILED", "States.Runtime")


def test_consecutive_waits_each_count_from_when_they_are_entered(runner: Any) -> None:
    execution = runner.start(
        one(
            {"Type": "Wait", "Seconds": 10, "Next": "Again"},
            Again={"Type": "Wait", "Seconds": 10, "End": True},
        )
    )

    runner.advance(10)
    assert execution.status == "RUNNING"
    runner.advance(10)
    assert execution.status == "SUCCEEDED"


# ---------------------------------------------------------------- Task, Retry, Catch


def test_a_task_gets_its_parameters_and_its_result_is_selected_and_placed(
    runner: Any, tasks: Any
) -> None:
    arn = tasks.add("echo", lambda payload: {"got": payload, "noise": 1})
    execution = runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Parameters": {"id.$": "$.id"},
                "ResultSelector": {"got.$": "$.got.id"},
                "ResultPath": "$.task",
                "End": True,
            }
        ),
        {"id": "m1", "other": True},
    )

    assert tasks.payloads[arn] == [{"id": "m1"}]
    assert execution.output == {"id": "m1", "other": True, "task": {"got": "m1"}}


def test_a_failed_task_is_retried_with_backoff_until_it_succeeds(
    runner: Any, tasks: Any, clock: Any
) -> None:
    arn = tasks.failing("flaky", times=2, answer="ok")
    started = clock.now
    execution = runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Retry": [
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "BackoffRate": 2}
                ],
                "End": True,
            }
        )
    )

    assert runner.engine.next_wake() == started + 2
    runner.advance(2)
    assert runner.engine.next_wake() == started + 2 + 4
    runner.advance(4)
    assert (execution.status, execution.output) == ("SUCCEEDED", "ok")
    assert len(tasks.payloads[arn]) == 3


def test_max_delay_caps_the_backoff(runner: Any, tasks: Any, clock: Any) -> None:
    arn = tasks.failing("flaky", times=3, answer="ok")
    runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Retry": [
                    {
                        "ErrorEquals": ["FlakyError"],
                        "IntervalSeconds": 10,
                        "BackoffRate": 10,
                        "MaxDelaySeconds": 15,
                    }
                ],
                "End": True,
            }
        )
    )

    runner.advance(10)
    assert runner.engine.next_wake() == pytest.approx(clock.now + 15)


def test_when_retries_run_out_the_catch_records_the_error_and_moves_on(
    runner: Any, tasks: Any
) -> None:
    arn = tasks.failing("broken", times=99)
    execution = runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                "Catch": [
                    {"ErrorEquals": ["OtherError"], "Next": "Wrong"},
                    {"ErrorEquals": ["FlakyError"], "ResultPath": "$.error", "Next": "Handled"},
                ],
                "End": True,
            },
            Wrong={"Type": "Fail", "Error": "Wrong"},
            Handled={"Type": "Succeed"},
        ),
        {"id": 1},
    )
    runner.advance(1)

    assert execution.status == "SUCCEEDED"
    assert len(tasks.payloads[arn]) == 2
    assert execution.output["id"] == 1
    assert execution.output["error"]["Error"] == "FlakyError"
    cause = json.loads(execution.output["error"]["Cause"])
    assert cause["errorType"] == "FlakyError"
    assert cause["errorMessage"].startswith("attempt failed")


def test_an_uncaught_task_error_fails_the_execution_with_its_class_name(
    runner: Any, tasks: Any
) -> None:
    arn = tasks.failing("broken", times=1)
    execution = runner.start(one({"Type": "Task", "Resource": arn, "End": True}))

    assert (execution.status, execution.error) == ("FAILED", "FlakyError")
    assert len(tasks.payloads[arn]) == 1


def test_a_retrier_for_another_error_does_not_retry(runner: Any, tasks: Any) -> None:
    arn = tasks.failing("broken", times=1, answer="ok")
    execution = runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Retry": [{"ErrorEquals": ["SomethingElse"]}],
                "End": True,
            }
        )
    )

    assert execution.status == "FAILED"


def test_a_runtime_error_is_not_caught_by_states_all(runner: Any, tasks: Any) -> None:
    arn = tasks.add("fine", lambda payload: "ok")
    execution = runner.start(
        one(
            {
                "Type": "Task",
                "Resource": arn,
                "Parameters": {"x.$": "$.missing"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            Handled={"Type": "Succeed"},
        )
    )

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert tasks.payloads[arn] == []


def test_a_loop_without_a_wait_is_ended_after_the_transition_limit(runner: Any) -> None:
    execution = runner.start(one({"Type": "Pass", "Next": "S"}))

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.transitions == MAX_TRANSITIONS


def _stamp(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
