"""Fixtures of the state machine executor's tests: fake tasks and an engine on a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local_runtime.step_functions.definition import parse_definition
from local_runtime.step_functions.engine import Engine
from local_runtime.step_functions.interpreter import Execution

MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:toy"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


class FlakyError(Exception):
    """A task failure with a name of its own."""


class Tasks:
    """Fake task functions by ARN; each call's payload is kept."""

    def __init__(self) -> None:
        self.functions: dict[str, Callable[[Any], Any]] = {}
        self.payloads: dict[str, list[Any]] = {}

    def add(self, name: str, function: Callable[[Any], Any]) -> str:
        arn = FUNCTION_ARN + name
        self.functions[arn] = function
        self.payloads[arn] = []
        return arn

    def failing(self, name: str, times: int, answer: Any = None) -> str:
        """A task that raises FlakyError ``times`` times, then answers ``answer``."""
        left = [times]

        def run(payload: Any) -> Any:
            if left[0] > 0:
                left[0] -= 1
                raise FlakyError(f"attempt failed, {left[0]} failures to go")
            return answer

        return self.add(name, run)

    def __call__(self, resource: str, payload: Any) -> Any:
        self.payloads[resource].append(payload)
        return self.functions[resource](payload)


class Runner:
    """Starts executions of inline documents on an engine driven by hand on a fake clock."""

    def __init__(self, clock: Any, tasks: Tasks) -> None:
        self.clock = clock
        self.engine = Engine(tasks, clock=clock, workers=1)
        self.count = 0

    def start(self, document: dict[str, Any], execution_input: Any = None) -> Execution:
        self.count += 1
        execution = self.engine.start_execution(
            parse_definition(document, "test"),
            state_machine_arn=MACHINE_ARN,
            name=f"run-{self.count}",
            execution_input={} if execution_input is None else execution_input,
        )
        self.engine.run_due()
        return execution

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.engine.run_due()


@pytest.fixture
def tasks() -> Tasks:
    return Tasks()


@pytest.fixture
def runner(clock: Any, tasks: Tasks) -> Runner:
    return Runner(clock, tasks)
