"""One execution of a loaded definition, advanced state by state until it waits or ends.

:func:`advance` runs states until the execution must wait (a Wait state, or the interval
before a retry) and returns the moment it may go on, or None once it has ended. It never
sleeps: whoever drives it (the engine's timer, or a test moving a fake clock) calls it again
at that moment. Task states call ``invoke(resource, payload)``, which raises for a failed
task; the error's name is the exception's class name, as Lambda reports it.
"""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_runtime.step_functions.choice import parse_timestamp
from local_runtime.step_functions.definition import (
    STATES_ALL,
    ChoiceState,
    FailState,
    PassState,
    State,
    StateMachineDefinition,
    SucceedState,
    TaskState,
    WaitState,
)
from local_runtime.step_functions.paths import JsonPath, PathNotFound

__all__ = [
    "MAX_TRANSITIONS",
    "Execution",
    "ExecutionStatus",
    "StatesError",
    "TaskInvoker",
    "advance",
]

TaskInvoker = Callable[[str, Any], Any]
# Step Functions ends an execution at 25,000 history events; a loop with no Wait would
# otherwise spin forever in the runtime's worker.
MAX_TRANSITIONS = 25_000
TASK_FAILED = "States.TaskFailed"
RUNTIME_ERROR = "States.Runtime"


class ExecutionStatus:
    """The statuses DescribeExecution reports."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"


class StatesError(Exception):
    """An error as Step Functions names it: ``error`` (a name) and ``cause`` (text)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Execution:
    """An execution's identity and where it is: the state it is in and that state's input."""

    arn: str
    name: str
    state_machine_arn: str
    definition: StateMachineDefinition
    input: Any
    started_at: float
    status: str = ExecutionStatus.RUNNING
    state: str | None = None
    data: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    stopped_at: float | None = None
    transitions: int = 0
    # Retries made in the current state, per retrier (reset when the state changes).
    retries: dict[int, int] = field(default_factory=dict)
    entered_at: float = 0.0
    # The transition count when the current state was entered (its EnteredTime was taken).
    entered_transition: int = -1
    # Until when the execution waits (a Wait state, or the interval before a retry).
    waiting_until: float | None = None
    # A Wait with End: true ends the execution when the wait is over.
    ends_after_wait: bool = False

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = self.definition.start_at
            self.data = copy.deepcopy(self.input)

    @property
    def running(self) -> bool:
        """Whether the execution has not ended."""
        return self.status == ExecutionStatus.RUNNING

    def context(self) -> dict[str, Any]:
        """The context object (``$$``) of the current state."""
        machine_name = self.state_machine_arn.rsplit(":", 1)[-1]
        return {
            "Execution": {
                "Id": self.arn,
                "Name": self.name,
                "Input": self.input,
                "StartTime": _iso(self.started_at),
            },
            "StateMachine": {"Id": self.state_machine_arn, "Name": machine_name},
            "State": {
                "Name": self.state,
                "EnteredTime": _iso(self.entered_at),
                "RetryCount": sum(self.retries.values()),
            },
        }

    def _move(self, next_state: str, data: Any) -> None:
        self.state = next_state
        self.data = data
        self.retries = {}
        self.transitions += 1

    def _succeed(self, output: Any, now: float) -> None:
        self.status = ExecutionStatus.SUCCEEDED
        self.output = output
        self.stopped_at = now

    def fail(self, error: str | None, cause: str | None, now: float) -> None:
        """End the execution as failed."""
        self.status = ExecutionStatus.FAILED
        self.error = error
        self.cause = cause
        self.stopped_at = now

    def abort(self, now: float) -> None:
        """Stop the execution where it is (StopExecution)."""
        if self.running:
            self.status = ExecutionStatus.ABORTED
            self.stopped_at = now


def advance(execution: Execution, invoke: TaskInvoker, clock: Callable[[], float]) -> float | None:
    """Run states until the execution waits (the moment it may go on) or ends (None)."""
    if execution.waiting_until is not None:
        if clock() < execution.waiting_until:
            return execution.waiting_until  # woken early: the wait is not over
        execution.waiting_until = None
    while execution.running:
        if execution.entered_transition != execution.transitions:
            execution.entered_transition = execution.transitions
            execution.entered_at = clock()
        if execution.transitions >= MAX_TRANSITIONS:
            execution.fail(RUNTIME_ERROR, f"more than {MAX_TRANSITIONS} state transitions", clock())
            return None
        assert execution.state is not None
        state = execution.definition.states[execution.state]
        try:
            wake_at = _run_state(execution, state, invoke, clock)
        except (PathNotFound, StatesError) as exc:
            # A path naming nothing, a bad timestamp: data errors no Catch can handle.
            cause = exc.cause if isinstance(exc, StatesError) else str(exc)
            error = exc.error if isinstance(exc, StatesError) else RUNTIME_ERROR
            execution.fail(error, f"state {execution.state!r}: {cause}", clock())
            return None
        if wake_at is not None and wake_at > clock():
            execution.waiting_until = wake_at
            return wake_at
    return None


def _filter(path: JsonPath | None, data: Any, context: Any) -> Any:
    return {} if path is None else copy.deepcopy(path.get(data, context))


def _place(path: JsonPath | None, raw_input: Any, result: Any) -> Any:
    return copy.deepcopy(raw_input) if path is None else path.put(raw_input, result)


def _run_state(
    execution: Execution, state: State, invoke: TaskInvoker, clock: Callable[[], float]
) -> float | None:
    if execution.ends_after_wait:
        execution.ends_after_wait = False
        execution._succeed(execution.data, clock())
        return None
    raw = execution.data
    context = execution.context()
    if isinstance(state, FailState):
        error = state.error_path.get(raw) if state.error_path else state.error
        cause = state.cause_path.get(raw) if state.cause_path else state.cause
        execution.fail(error, cause, clock())
        return None
    effective = _filter(state.input_path, raw, context)
    if isinstance(state, SucceedState):
        execution._succeed(_filter(state.output_path, effective, context), clock())
        return None
    if isinstance(state, ChoiceState):
        chosen = next(
            (rule.next for rule in state.choices if rule.matches(effective, context)),
            state.default,
        )
        if chosen is None:
            raise StatesError("States.NoChoiceMatched", "no choice rule matched and no Default")
        execution._move(chosen, _filter(state.output_path, effective, context))
        return None
    if isinstance(state, PassState):
        if state.has_result:
            result = copy.deepcopy(state.result)
        elif state.parameters is not None:
            result = state.parameters.render(effective, context)
        else:
            result = effective
        output = _filter(state.output_path, _place(state.result_path, raw, result), context)
        _next(execution, state.next, output, clock())
        return None
    if isinstance(state, WaitState):
        wake_at = _wake_time(state, effective, execution.entered_at)
        output = _filter(state.output_path, effective, context)
        _next(execution, state.next, output, clock(), wait=True)
        return wake_at
    assert isinstance(state, TaskState)
    return _run_task(execution, state, effective, context, invoke, clock)


def _next(
    execution: Execution, next_state: str | None, output: Any, now: float, *, wait: bool = False
) -> None:
    if next_state is not None:
        execution._move(next_state, output)
    elif wait:
        execution.data = output
        execution.ends_after_wait = True
    else:
        execution._succeed(output, now)


def _wake_time(state: WaitState, data: Any, entered_at: float) -> float:
    if state.seconds is not None:
        return entered_at + state.seconds
    if state.seconds_path is not None:
        seconds = state.seconds_path.get(data)
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise StatesError(
                RUNTIME_ERROR,
                f"SecondsPath {state.seconds_path.text}: {seconds!r} is not a non-negative integer",
            )
        return entered_at + seconds
    if state.timestamp_path is not None:
        text = state.timestamp_path.get(data)
        where = f"TimestampPath {state.timestamp_path.text}"
    else:
        text, where = state.timestamp, "Timestamp"
    moment = parse_timestamp(text)
    if moment is None:
        raise StatesError(RUNTIME_ERROR, f"{where}: {text!r} is not an RFC 3339 timestamp")
    return moment.timestamp()


def _task_error(exc: Exception) -> StatesError:
    """What a Lambda task's failure looks like to the state machine."""
    name = type(exc).__name__
    cause = json.dumps(
        {
            "errorMessage": str(exc),
            "errorType": name,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
    )
    return StatesError(name, cause)


def _matches(names: list[str], error: str) -> bool:
    # Every error a task raises here is a task failure (the runtime plays no task timeouts).
    return error in names or STATES_ALL in names or TASK_FAILED in names


def _run_task(
    execution: Execution,
    state: TaskState,
    effective: Any,
    context: Any,
    invoke: TaskInvoker,
    clock: Callable[[], float],
) -> float | None:
    payload = state.parameters.render(effective, context) if state.parameters else effective
    try:
        result = invoke(state.resource, payload)
        # The result crosses a JSON boundary in Lambda; here too, so it shares nothing.
        result = json.loads(json.dumps(result))
    except Exception as exc:
        failure = _task_error(exc) if not isinstance(exc, StatesError) else exc
        return _handle_failure(execution, state, failure, clock)
    if state.result_selector is not None:
        result = state.result_selector.render(result, context)
    output = _filter(state.output_path, _place(state.result_path, execution.data, result), context)
    _next(execution, state.next, output, clock())
    return None


def _handle_failure(
    execution: Execution, state: TaskState, failure: StatesError, clock: Callable[[], float]
) -> float | None:
    now = clock()
    for index, retrier in enumerate(state.retry):
        if not _matches(retrier.error_equals, failure.error):
            continue
        made = execution.retries.get(index, 0)
        if made < retrier.max_attempts:
            execution.retries[index] = made + 1
            return now + retrier.delay(made)
        break  # the first matching retrier decides; once spent, the Catchers do
    for catcher in state.catch:
        if _matches(catcher.error_equals, failure.error):
            error_output = {"Error": failure.error, "Cause": failure.cause}
            output = _place(catcher.result_path, execution.data, error_output)
            execution._move(catcher.next, output)
            return None
    execution.fail(failure.error, failure.cause, now)
    return None
