"""The entry point of every non-HTTP function (scheduled jobs, Step Functions tasks).

``make_handler`` in sandbox_common.http does this for FastAPI apps; a task has no app, so
this factory gives it the same discipline: the event parsed into a model before the task
runs, logs correlated by the event's id, one metric set per invocation, and failures logged
once and re-raised, so that Lambda records the invocation as failed and the caller (the
scheduler's retry policy, a state machine's Retry/Catch on the error's class name) decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from pydantic import BaseModel

from sandbox_common.observability import get_logger, per_request_log_keys

TaskHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def make_task_handler[E: BaseModel, R: BaseModel](
    service: str,
    task: Callable[[E, Any], R],
    *,
    event_model: type[E],
    correlation_id_path: str | None = "id",
    metrics: Callable[[R], Mapping[str, float]] | None = None,
) -> TaskHandler:
    """A Lambda handler that parses the event as ``event_model`` and runs ``task(event, context)``.

    ``task`` returns a model, which is the function's answer (JSON-ready). ``metrics`` turns
    it into counts published beside the invocation's own (Invocations, Failures, Duration).
    ``correlation_id_path`` is where the event carries its id (``id`` for EventBridge).
    """
    logger = get_logger(service)

    # Per-invocation keys: a scheduled run in the local runtime shares the process (and the
    # logger) with concurrent HTTP requests, whose lines must keep their own ids.
    @per_request_log_keys(logger, correlation_id_path=correlation_id_path)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            result = task(event_model.model_validate(event), context)
        except Exception:
            logger.exception("task failed")
            _emit_metrics(service, started, failed=True, counts={})
            raise
        answer = result.model_dump(mode="json")
        _emit_metrics(service, started, failed=False, counts=metrics(result) if metrics else {})
        logger.info("task finished", extra={"result": answer})
        return answer

    return handler


def _emit_metrics(
    service: str, started: float, *, failed: bool, counts: Mapping[str, float]
) -> None:
    """One EMF document per invocation (a fresh metric set: invocations never share one)."""
    metrics = EphemeralMetrics(service=service)
    metrics.add_dimension(name="service", value=service)
    metrics.add_metric(name="Invocations", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Failures", unit=MetricUnit.Count, value=1 if failed else 0)
    metrics.add_metric(
        name="Duration",
        unit=MetricUnit.Milliseconds,
        value=(time.perf_counter() - started) * 1000,
    )
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.flush_metrics()
