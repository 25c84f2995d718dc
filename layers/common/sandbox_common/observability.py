"""Logging and metrics, configured once (Powertools, structured JSON, EMF).

One logger: each function has one Powertools Logger (``get_logger(service)``, service = the
function's group name), and everything the function logs comes out through it as one JSON
line, its own lines and those of the layer's use cases alike. The layer's modules log to
plain ``logging.getLogger(__name__)`` loggers (cheap to import, no Powertools in pure code);
creating a function's Logger routes the ``sandbox_common`` logger hierarchy to it with
Powertools' ``copy_config_to_registered_loggers``, so their INFO lines are no longer lost to
the Lambda runtime's plain root logger.

Why not Powertools child loggers (``Logger(child=True)``): a child attaches to the Logger
named by ``POWERTOOLS_SERVICE_NAME``, which the template sets once for every function
(``sandbox-platform``) while each function's Logger is named by its group, and the local
runtime serves every function from one process and one environment.

Tracer is deliberately absent: importing it (aws_xray_sdk) costs ~250 ms of cold start and
these functions make one or two DynamoDB calls each, which the API Gateway stage's own
X-Ray tracing already shows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

Handler = Callable[[dict[str, Any], Any], Any]

# The stdlib logger every module of the layer logs under (``logging.getLogger(__name__)``).
LAYER_LOGGER = "sandbox_common"

_cold_start = True


class _Stdout:
    """Whatever ``sys.stdout`` is when a line is written (Lambda's, or a test's capture)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@cache
def get_logger(service: str) -> Logger:
    """The structured logger of one function (service = the function's group name).

    The layer's loggers are routed to it (to the one created last, when the local runtime
    runs several functions in one process: each invocation's lines still carry their own
    function's ``service``, see ``per_request_log_keys``).
    """
    logger = Logger(service=service, stream=_Stdout())  # type: ignore[arg-type]
    logging.getLogger(LAYER_LOGGER)  # registered now, so that the copy below finds it
    copy_config_to_registered_loggers(source_logger=logger, include={LAYER_LOGGER})
    return logger


def per_request_log_keys(
    logger: Logger, *, correlation_id_path: str | None
) -> Callable[[Handler], Handler]:
    """Decorator: each invocation's log lines (the layer's included) carry its own service,
    Lambda context and correlation id.

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
                # The layer's lines may be written by another function's handler in the local
                # runtime (one process): the invocation's own service wins over the handler's.
                service=logger.service,
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
