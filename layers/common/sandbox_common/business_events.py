"""Business events, recorded once for both audiences: an EMF metric and a project counter.

``record`` publishes the event as a Powertools EMF metric (CloudWatch: dashboards, alarms)
and adds it to the project's daily counters (DynamoDB: ``GET /admin/analytics``). Use cases
call it right after the write that made the event happen, never on a replay of it.

Recording is a side effect the business operation must not depend on: a failure of either
half is logged and swallowed, so a key is still created when CloudWatch or the counters'
table misbehaves. Powertools and the repository are imported on first use (cold start).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from sandbox_common.platform_usage.counters import (
    BusinessEvent,
    DeliveryKind,
    ScenarioResult,
    event_counter,
)

_log = logging.getLogger(__name__)

# The EMF metric of each event (the dashboard searches for exactly these names).
_METRIC_NAMES = {
    BusinessEvent.KEYS_CREATED: "KeysCreated",
    BusinessEvent.SANDBOXES_INITIALIZED: "SandboxesInitialized",
    BusinessEvent.SANDBOXES_RESET: "SandboxesReset",
    BusinessEvent.SCENARIO_RUNS: "ScenarioRuns",
    BusinessEvent.SIGNALS: "Signals",
    BusinessEvent.CREDITS_CHARGED: "CreditsCharged",
    BusinessEvent.JOB_FAILURES: "JobFailures",
}
_DELIVERY_METRIC_NAMES = {
    DeliveryKind.ON_TIME: "DeliveriesOnTime",
    DeliveryKind.DELAYED: "DeliveriesDelayed",
    DeliveryKind.FAILED: "DeliveriesFailed",
}
SCENARIO_RUNS_FAILED = "ScenarioRunsFailed"
# The dimension when no function invocation names one (a script, a test without a handler).
DEFAULT_SERVICE = "sandbox-platform"


def metric_names(event: BusinessEvent, *qualifiers: str) -> list[str]:
    """The EMF metrics one event counts in: ``ScenarioRuns`` (+ ``ScenarioRunsFailed`` for a
    failed run), ``DeliveriesOnTime`` / ``Delayed`` / ``Failed`` by the delivery's result."""
    if event is BusinessEvent.DELIVERIES:
        return [_DELIVERY_METRIC_NAMES[DeliveryKind(qualifiers[0])]]
    names = [_METRIC_NAMES[event]]
    if event is BusinessEvent.SCENARIO_RUNS and ScenarioResult.FAILED in qualifiers[1:]:
        names.append(SCENARIO_RUNS_FAILED)
    return names


def record(
    event: BusinessEvent,
    *qualifiers: str,
    identity: str,
    amount: Decimal | int = 1,
    service: str | None = None,
) -> None:
    """Publish ``event`` (``amount`` of it) as EMF and add it to the project's counters, in
    the shard of ``identity`` (the sandbox, or the key, it belongs to). Never raises.

    ``service`` (the EMF dimension) defaults to the function whose invocation is running.
    """
    counter = event_counter(event, *qualifiers)
    try:
        _emit(event, qualifiers, amount, service or _invocation_service(), counter)
    except Exception:
        _log.exception("business metric not published", extra={"counter": counter})
    try:
        from sandbox_common import providers

        providers.project_counters().add_events(
            providers.wall_clock().now(), identity, {counter: amount}
        )
    except Exception:
        _log.exception(
            "business event not counted", extra={"counter": counter, "identity": identity}
        )


def _emit(
    event: BusinessEvent,
    qualifiers: tuple[str, ...],
    amount: Decimal | int,
    service: str,
    counter: str,
) -> None:
    """One EMF document (a fresh metric set: concurrent requests never share one)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    metrics = EphemeralMetrics(service=service)
    metrics.add_dimension(name="service", value=service)
    for name in metric_names(event, *qualifiers):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=float(amount))
    # Searchable in CloudWatch Logs Insights; not dimensions, which would multiply metrics.
    metrics.add_metadata(key="counter", value=counter)
    metrics.flush_metrics()


def _invocation_service() -> str:
    """The running function's group, which its handler put in the invocation's log keys
    (``observability.per_request_log_keys``, a context variable that each request's tasks
    and worker threads see)."""
    from aws_lambda_powertools.logging.formatter import THREAD_LOCAL_KEYS

    service = THREAD_LOCAL_KEYS.get().get("service")
    return service if isinstance(service, str) and service else DEFAULT_SERVICE
