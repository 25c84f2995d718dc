"""Runs many executions at once: one timer thread for every wait, a few workers for the states.

An execution costs no thread while it waits: it sits in one heap ordered by the moment it may
go on. The timer thread sleeps until the earliest of those moments (woken early when a new
execution comes in) and hands what is due to the workers, which run its states until it waits
again or ends. Without :meth:`Engine.start` nothing runs by itself: :meth:`Engine.run_due`
runs whatever is due on the calling thread, so tests move a fake clock and call it, and never
sleep. Stopping drops every pending wait (the executions stay RUNNING, as they would if the
process died) and lets a state in progress finish.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from local_runtime.functions import release_event_loop
from local_runtime.step_functions.definition import StateMachineDefinition
from local_runtime.step_functions.interpreter import Execution, TaskInvoker, advance

__all__ = ["Engine", "ExecutionListener"]

logger = logging.getLogger(__name__)

ExecutionListener = Callable[[Execution], None]
ExecutionCheck = Callable[[Execution], bool]
# The timer looks at its clock at least this often: an injected clock may jump forward.
MAX_TIMER_SLEEP = 1.0
DEFAULT_WORKERS = 4


class Engine:
    """Executions of any number of state machines, driven by one clock."""

    def __init__(
        self,
        invoke: TaskInvoker,
        *,
        clock: Callable[[], float] = time.time,
        workers: int = DEFAULT_WORKERS,
        on_end: ExecutionListener | None = None,
        still_wanted: ExecutionCheck | None = None,
    ) -> None:
        """``still_wanted(execution)`` False (it was stopped meanwhile) aborts it when due."""
        if workers < 1:
            raise ValueError("an engine needs at least one worker")
        self._invoke = invoke
        self._clock = clock
        self._worker_count = workers
        self._on_end = on_end
        self._still_wanted = still_wanted
        self._heap: list[tuple[float, int, Execution]] = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._ready: queue.SimpleQueue[Execution | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # ---------------------------------------------------------------- executions

    def start_execution(
        self,
        definition: StateMachineDefinition,
        *,
        state_machine_arn: str,
        name: str,
        execution_input: Any,
    ) -> Execution:
        """A new execution, due now (the caller never runs its states)."""
        execution_arn = _execution_arn(state_machine_arn, name)
        execution = Execution(
            arn=execution_arn,
            name=name,
            state_machine_arn=state_machine_arn,
            definition=definition,
            input=execution_input,
            started_at=self._clock(),
        )
        self._schedule(execution, execution.started_at)
        return execution

    def pending(self) -> int:
        """How many executions wait for their moment."""
        with self._condition:
            return len(self._heap)

    def next_wake(self) -> float | None:
        """The earliest moment an execution may go on (None when none waits)."""
        with self._condition:
            return self._heap[0][0] if self._heap else None

    def run_due(self) -> int:
        """Run, on this thread, every execution whose moment has come; how many ran."""
        ran = 0
        for execution in self._take_due():
            self._step(execution)
            ran += 1
        return ran

    # ---------------------------------------------------------------- threads

    def start(self) -> None:
        """Run executions in the background (a timer thread and the workers) until stop."""
        if self._threads:
            return
        self._stopping.clear()
        self._threads = [threading.Thread(target=self._timer, name="sfn-timer", daemon=True)]
        self._threads += [
            threading.Thread(target=self._worker, name=f"sfn-worker-{n}", daemon=True)
            for n in range(self._worker_count)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Drop every pending wait; wait up to ``timeout`` s for states in progress."""
        self._stopping.set()
        with self._condition:
            dropped = len(self._heap)
            self._heap.clear()
            self._condition.notify_all()
        for _ in range(self._worker_count):
            self._ready.put(None)
        threads, self._threads = self._threads, []
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                logger.warning("%s is still running a state after %.0f s", thread.name, timeout)
        if dropped:
            logger.info("dropped %d waiting executions at stop", dropped)

    # ---------------------------------------------------------------- internals

    def _schedule(self, execution: Execution, at: float) -> None:
        with self._condition:
            if self._stopping.is_set():
                return
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (at, next(self._order), execution))
            if earliest is None or at < earliest:
                self._condition.notify()

    def _take_due(self) -> list[Execution]:
        now = self._clock()
        due: list[Execution] = []
        with self._condition:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
        return due

    def _step(self, execution: Execution) -> None:
        if self._still_wanted is not None and not self._still_wanted(execution):
            execution.abort(self._clock())
        try:
            wake_at = advance(execution, self._invoke, self._clock)
        except Exception:
            # A bug in the runtime, not in the execution: say so, and end it.
            logger.exception("execution %s stopped on an unexpected error", execution.arn)
            execution.fail("States.Runtime", "the local runtime failed", self._clock())
            wake_at = None
        if wake_at is not None:
            self._schedule(execution, wake_at)
            return
        logger.info("execution %s %s %s", execution.name, execution.status, execution.error or "")
        if self._on_end is not None:
            try:
                self._on_end(execution)
            except Exception:
                logger.exception("recording the end of %s failed", execution.arn)

    def _timer(self) -> None:
        while not self._stopping.is_set():
            for execution in self._take_due():
                self._ready.put(execution)
            with self._condition:
                if self._stopping.is_set():
                    return
                wait = MAX_TIMER_SLEEP
                if self._heap:
                    wait = min(max(self._heap[0][0] - self._clock(), 0.0), MAX_TIMER_SLEEP)
                if wait > 0:
                    self._condition.wait(wait)

    def _worker(self) -> None:
        try:
            while True:
                execution = self._ready.get()
                if execution is None or self._stopping.is_set():
                    return
                self._step(execution)
        finally:
            release_event_loop()


def _execution_arn(state_machine_arn: str, name: str) -> str:
    """``arn:…:states:region:account:execution:<machine>:<name>``, as Step Functions names it."""
    prefix, _, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{name}"
