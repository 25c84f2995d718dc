"""Business events: which EMF metrics an event counts in, and that recording one never
fails the business operation that made it happen."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from sandbox_common import business_events, providers
from sandbox_common.business_events import metric_names, record
from sandbox_common.platform_usage.counters import BusinessEvent, DeliveryKind, ScenarioResult


@pytest.mark.parametrize(
    ("event", "qualifiers", "names"),
    [
        (BusinessEvent.KEYS_CREATED, ("free",), ["KeysCreated"]),
        (BusinessEvent.SANDBOXES_INITIALIZED, (), ["SandboxesInitialized"]),
        (BusinessEvent.SANDBOXES_RESET, (), ["SandboxesReset"]),
        (BusinessEvent.SCENARIO_RUNS, ("flow", ScenarioResult.PASSED), ["ScenarioRuns"]),
        (
            BusinessEvent.SCENARIO_RUNS,
            ("flow", ScenarioResult.FAILED),
            ["ScenarioRuns", "ScenarioRunsFailed"],
        ),
        (BusinessEvent.SIGNALS, (), ["Signals"]),
        (BusinessEvent.DELIVERIES, (DeliveryKind.ON_TIME,), ["DeliveriesOnTime"]),
        (BusinessEvent.DELIVERIES, (DeliveryKind.DELAYED,), ["DeliveriesDelayed"]),
        (BusinessEvent.DELIVERIES, (DeliveryKind.FAILED,), ["DeliveriesFailed"]),
        (BusinessEvent.CREDITS_CHARGED, (), ["CreditsCharged"]),
        (BusinessEvent.JOB_FAILURES, (), ["JobFailures"]),
    ],
)
def test_each_event_is_published_under_the_dashboards_metric_names(event, qualifiers, names):
    assert metric_names(event, *qualifiers) == names


def test_every_business_event_has_a_metric():
    for event in BusinessEvent:
        qualifiers = ("on_time",) if event is BusinessEvent.DELIVERIES else ("x", "passed")
        assert metric_names(event, *qualifiers)


def test_a_scenario_named_failed_that_passed_is_not_a_failed_run():
    assert metric_names(BusinessEvent.SCENARIO_RUNS, "failed", "passed") == ["ScenarioRuns"]


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """What business_events logs (its own handler: the layer's loggers may not propagate)."""
    handler = _Captured()
    log = logging.getLogger(business_events.__name__)
    log.addHandler(handler)
    yield handler.records
    log.removeHandler(handler)


class _BrokenCounters:
    def add_events(self, at: datetime, identity: str, amounts: Any) -> None:
        raise ConnectionError("the usage table is unreachable")


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SandboxPlatform")


def test_a_counter_that_cannot_be_written_is_logged_and_the_metric_still_published(
    monkeypatch, capsys, logged, metrics_on
):
    monkeypatch.setattr(providers, "project_counters", lambda: _BrokenCounters())

    record(BusinessEvent.CREDITS_CHARGED, identity="sb-1", amount=Decimal("0.2"), service="job")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [document] = [line for line in lines if "_aws" in line]  # the layer's log lines aside
    assert document["CreditsCharged"] == [0.2] and document["service"] == "job"
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "SandboxPlatform"
    [failure] = logged
    assert failure.levelno == logging.ERROR and failure.exc_info is not None
    assert failure.getMessage() == "business event not counted"


def test_a_metric_that_cannot_be_published_still_counts(monkeypatch, logged):
    added: list[tuple[str, dict[str, Any]]] = []

    class Counters:
        def add_events(self, at: datetime, identity: str, amounts: Any) -> None:
            added.append((identity, dict(amounts)))

    monkeypatch.setattr(providers, "project_counters", lambda: Counters())

    # A delivery qualifier the metrics do not know: no metric, but the counter moves.
    record(BusinessEvent.DELIVERIES, "teleported", identity="sb-2")

    assert added == [("sb-2", {"deliveries#teleported": 1})]
    assert [r.getMessage() for r in logged] == ["business metric not published"]
