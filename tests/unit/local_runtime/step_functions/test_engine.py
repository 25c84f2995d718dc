"""The engine in the background: one timer thread for all waits, workers for the states."""

from __future__ import annotations

import threading
from typing import Any

from local_runtime.step_functions.definition import parse_definition
from local_runtime.step_functions.engine import Engine
from local_runtime.step_functions.interpreter import Execution

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:toy"
WAIT_AN_HOUR = parse_definition(
    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
)


def test_executions_run_in_the_background_and_report_their_end(tasks: Any) -> None:
    arn = tasks.add("double", lambda payload: payload["n"] * 2)
    definition = parse_definition(
        {
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": arn, "End": True}},
        }
    )
    ended: list[Execution] = []
    all_ended = threading.Event()

    def record(execution: Execution) -> None:
        ended.append(execution)
        if len(ended) == 20:
            all_ended.set()

    engine = Engine(tasks, workers=3, on_end=record)
    engine.start()
    try:
        for n in range(20):
            engine.start_execution(
                definition, state_machine_arn=MACHINE, name=f"e{n}", execution_input={"n": n}
            )
        assert all_ended.wait(10)
    finally:
        engine.stop()

    assert sorted(e.output for e in ended) == [n * 2 for n in range(20)]
    assert {e.arn for e in ended} == {
        f"arn:aws:states:us-east-1:123456789012:execution:toy:e{n}" for n in range(20)
    }


def test_waiting_executions_cost_no_thread_and_are_dropped_at_stop(clock: Any, tasks: Any) -> None:
    engine = Engine(tasks, clock=clock, workers=2)
    engine.start()
    before = threading.active_count()
    try:
        waiting = [
            engine.start_execution(
                WAIT_AN_HOUR, state_machine_arn=MACHINE, name=f"w{n}", execution_input={}
            )
            for n in range(500)
        ]
        engine.run_due()  # whatever the timer has not handed to the workers yet
        # They all wait for the hour: none holds a thread.
        assert threading.active_count() == before
    finally:
        engine.stop()

    assert engine.pending() == 0
    assert all(execution.status == "RUNNING" for execution in waiting)
    clock.advance(3600)
    assert engine.run_due() == 0


def test_a_wait_ends_when_the_injected_clock_passes_it(clock: Any, tasks: Any) -> None:
    engine = Engine(tasks, clock=clock, workers=1)
    execution = engine.start_execution(
        WAIT_AN_HOUR, state_machine_arn=MACHINE, name="w", execution_input={"k": 1}
    )
    engine.run_due()

    assert engine.next_wake() == clock.now + 3600
    clock.advance(3599)
    assert engine.run_due() == 0
    clock.advance(1)
    assert engine.run_due() == 1
    assert (execution.status, execution.output) == ("SUCCEEDED", {"k": 1})
