"""Logging and metrics, configured once (Powertools, structured JSON, EMF).

Tracer is deliberately absent: importing it (aws_xray_sdk) costs ~250 ms of cold start and
these functions make one or two DynamoDB calls each, which the API Gateway stage's own
X-Ray tracing already shows.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit


@cache
def get_logger(service: str) -> Logger:
    """The structured logger of one function (service = the function's group name)."""
    return Logger(service=service)


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
