"""Logging and metrics, configured once (Powertools, structured JSON, EMF).

Tracer is deliberately absent: importing it (aws_xray_sdk) costs ~250 ms of cold start and
these functions make one or two DynamoDB calls each, which the API Gateway stage's own
X-Ray tracing already shows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

Handler = Callable[[dict[str, Any], Any], Any]

_cold_start = True


@cache
def get_logger(service: str) -> Logger:
    """The structured logger of one function (service = the function's group name)."""
    return Logger(service=service)


def per_request_log_keys(
    logger: Logger, *, correlation_id_path: str | None
) -> Callable[[Handler], Handler]:
    """Decorator: each invocation's log lines carry its own Lambda context and correlation id.

    Powertools' ``inject_lambda_context`` appends those keys to the logger's process-wide
    state, which the local runtime's concurrent requests share: lines carried each other's
    request ids. Its thread-safe keys live in a context variable instead (one per thread,
    copied into the asyncio tasks and worker threads a request starts), and are cleared when
    the invocation ends. In Lambda, one invocation at a time, both behave the same.
    """
    from aws_lambda_powertools.logging.lambda_context import build_lambda_context_model
    from aws_lambda_powertools.utilities.jmespath_utils import query

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        def invoke(event: dict[str, Any], context: Any) -> Any:
            global _cold_start
            cold_start, _cold_start = _cold_start, False
            logger.thread_safe_clear_keys()
            logger.thread_safe_append_keys(
                cold_start=cold_start,
                **build_lambda_context_model(context).__dict__,
                correlation_id=(
                    query(envelope=correlation_id_path, data=event) if correlation_id_path else None
                ),
            )
            try:
                return handler(event, context)
            finally:
                logger.thread_safe_clear_keys()

        return invoke

    return decorator


def emit_request_metrics(service: str, *, status: int, latency_ms: float) -> None:
    """Publish one request's metrics as EMF.

    An EphemeralMetrics instance per request keeps concurrent requests (the local runtime
    serves many at once in one process) from sharing one metric set.
    """
    metrics = EphemeralMetrics(service=service)
    metrics.add_dimension(name="service", value=service)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if status >= 400:
        name = "ServerErrors" if status >= 500 else "ClientErrors"
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
    metrics.flush_metrics()
