"""The template's state machines, run in-process: boto3 StartExecution in, handlers called.

Each Task's Resource must be the ARN of one of the template's functions (its `!GetAtt .Arn`,
with or without a version or alias qualifier); the task calls that function's real handler,
as Lambda would. A Resource that names anything else is refused when the runtime starts.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from local_runtime.step_functions import moto_executions
from local_runtime.step_functions.definition import DefinitionError
from local_runtime.step_functions.engine import DEFAULT_WORKERS, Engine
from local_runtime.step_functions.interpreter import Execution
from local_runtime.step_functions.provisioning import StateMachineSpec

__all__ = ["LocalStepFunctions", "TaskFunction"]

logger = logging.getLogger(__name__)


class TaskFunction:
    """What a Task calls: a function's ARN and how to invoke it with an event."""

    def __init__(self, arn: str, invoke: Callable[[dict[str, Any]], Any]) -> None:
        self.arn = arn
        self.invoke = invoke

    def serves(self, resource: str) -> bool:
        """Whether ``resource`` is this function's ARN (qualifiers allowed)."""
        return resource == self.arn or resource.startswith(self.arn + ":")


class LocalStepFunctions:
    """Runs the executions StartExecution creates for the template's state machines."""

    def __init__(
        self,
        machines: Mapping[str, StateMachineSpec],
        functions: Mapping[str, TaskFunction],
        *,
        clock: Callable[[], float] = time.time,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.machines = dict(machines)
        self._targets = _task_targets(self.machines, functions)
        self.engine = Engine(
            self._invoke,
            clock=clock,
            workers=workers,
            on_end=self._ended,
            still_wanted=self._not_stopped,
        )
        self._records: dict[str, moto_executions.MotoExecution] = {}
        self._records_lock = threading.Lock()
        self._listening: list[str] = []

    def start(self, *, background: bool = True) -> None:
        """Take the machines' new executions from moto; run them (``background``) or on demand.

        Without ``background``, :meth:`run_due` runs whatever is due on the calling thread.
        """
        for spec in self.machines.values():
            moto_executions.listen(spec.arn, self._started)
            self._listening.append(spec.arn)
        if background:
            self.engine.start()

    def stop(self) -> None:
        """Take no more executions; drop the waiting ones; let a running state finish."""
        for arn in self._listening:
            moto_executions.unlisten(arn)
        self._listening.clear()
        self.engine.stop()

    def run_due(self) -> int:
        """Run every execution whose moment has come, on this thread (tests with a fake clock)."""
        return self.engine.run_due()

    # ---------------------------------------------------------------- engine callbacks

    def _started(self, record: moto_executions.MotoExecution) -> None:
        spec = next(s for s in self.machines.values() if s.arn == record.state_machine_arn)
        execution = self.engine.start_execution(
            spec.definition,
            state_machine_arn=spec.arn,
            name=record.name,
            execution_input=json.loads(record.execution_input or "{}"),
        )
        with self._records_lock:
            self._records[execution.arn] = record

    def _not_stopped(self, execution: Execution) -> bool:
        # StopExecution marks moto's record ABORTED; the engine then runs no more of it.
        with self._records_lock:
            record = self._records.get(execution.arn)
        return record is None or record.status == "RUNNING"

    def _ended(self, execution: Execution) -> None:
        with self._records_lock:
            record = self._records.pop(execution.arn, None)
        if record is not None:
            moto_executions.record_end(record, execution)

    def _invoke(self, resource: str, payload: Any) -> Any:
        return self._targets[resource].invoke(payload)


def _task_targets(
    machines: Mapping[str, StateMachineSpec], functions: Mapping[str, TaskFunction]
) -> dict[str, TaskFunction]:
    targets: dict[str, TaskFunction] = {}
    for spec in machines.values():
        for state, resource in spec.definition.task_resources().items():
            function = next((f for f in functions.values() if f.serves(resource)), None)
            if function is None:
                raise DefinitionError(
                    f"{spec.logical_id}: state {state!r}: Resource {resource} is not the ARN of "
                    "a function of this template; the local runtime runs Lambda tasks by the "
                    "function's ARN only"
                )
            targets[resource] = function
    return targets
