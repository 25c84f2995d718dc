"""moto holds the executions; the engine runs them.

moto's Step Functions keeps state machines and executions (so StartExecution refuses a name
already used, and DescribeExecution answers) but runs nothing. One hook on its backend's
`start_execution` hands each new execution of a registered state machine to a listener; the
listener's engine runs it, and :func:`record_end` writes how it ended back into moto's record,
so DescribeExecution shows RUNNING, then SUCCEEDED or FAILED with the output or the error.

The hook is put in place once per process and passes calls through untouched while no
listener is registered (plain `mock_aws` tests see moto's own behaviour).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local_runtime.step_functions.interpreter import Execution

__all__ = ["MotoExecution", "StartListener", "listen", "record_end", "unlisten"]

MotoExecution = Any  # moto.stepfunctions.models.Execution
StartListener = Callable[[MotoExecution], None]

_listeners: dict[str, StartListener] = {}
_lock = threading.RLock()
_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    from moto.stepfunctions.models import StepFunctionBackend

    original = StepFunctionBackend.start_execution

    def start_execution(
        self: StepFunctionBackend, state_machine_arn: str, name: str, execution_input: str
    ) -> MotoExecution:
        listener = _listeners.get(state_machine_arn)
        if listener is None:
            return original(self, state_machine_arn, name, execution_input)
        with _lock:
            executions = self.describe_state_machine(state_machine_arn).executions
            before = len(executions)
            execution = original(self, state_machine_arn, name, execution_input)
            # A repeated start with the same name and input answers the running execution
            # (as Step Functions does): it is not a second one to run.
            is_new = len(executions) > before
        if is_new:
            listener(execution)
        return execution

    StepFunctionBackend.start_execution = start_execution  # type: ignore[method-assign]
    _installed = True


def listen(state_machine_arn: str, listener: StartListener) -> None:
    """Call ``listener`` with each execution StartExecution creates for this machine."""
    with _lock:
        _install()
        _listeners[state_machine_arn] = listener


def unlisten(state_machine_arn: str) -> None:
    """Stop handing this machine's new executions to anyone."""
    with _lock:
        _listeners.pop(state_machine_arn, None)


def record_end(record: MotoExecution, execution: Execution) -> None:
    """Write the end of ``execution`` into moto's ``record`` of it."""
    stopped = execution.stopped_at if execution.stopped_at is not None else 0.0
    # moto keeps naive UTC datetimes.
    record.stop_date = datetime.fromtimestamp(stopped, UTC).replace(tzinfo=None)
    if execution.output is not None or execution.status == "SUCCEEDED":
        record.output = json.dumps(execution.output)
    record.error = execution.error
    record.cause = execution.cause
    record.status = execution.status  # last: a reader that sees the status sees the rest
