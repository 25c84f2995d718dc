"""Recording a business event against moto: the project's counter for the wall-time day,
every shard merged, and the EMF document beside it."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from sandbox_common import providers
from sandbox_common.business_events import record
from sandbox_common.clock import FixedClock
from sandbox_common.observability import get_logger, per_request_log_keys
from sandbox_common.platform_usage.counters import BusinessEvent, merged_by_day, shard_of
from sandbox_common.sandboxes.sandbox_clock import SandboxClock
from tests.integration.conftest import LambdaContext
from tests.integration.project_counters import counted, emf_documents

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def wall(stack: Any) -> Any:
    providers.override_clock(FixedClock(NOON))
    yield
    providers.override_clock(None)


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SandboxPlatform")


def test_an_event_is_counted_and_published_in_one_call(wall, metrics_on, capsys):
    record(BusinessEvent.KEYS_CREATED, "pro", identity="sbx_one", service="keys")

    assert counted(BusinessEvent.KEYS_CREATED, "pro") == 1
    assert counted(BusinessEvent.KEYS_CREATED, "free") == 0
    [document] = emf_documents(capsys.readouterr().out, "KeysCreated")
    assert document["KeysCreated"] == [1.0] and document["service"] == "keys"
    assert document["counter"] == "keys_created#pro"
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "SandboxPlatform"
    assert directive["Dimensions"] == [["service"]]


def test_events_of_many_sandboxes_spread_over_shards_and_add_up(wall):
    identities = [f"sb-{uuid.uuid4().hex[:8]}" for _ in range(24)]

    for identity in identities:
        record(BusinessEvent.SIGNALS, identity=identity)

    shard_days = providers.project_counters().days(NOON.date(), NOON.date())
    assert len(shard_days) == len({shard_of(i) for i in identities}) > 1
    [day] = merged_by_day(shard_days)
    assert day.events == {"signals": Decimal(24)}


def test_credits_add_up_exactly_and_are_published_as_their_amount(wall, metrics_on, capsys):
    for _ in range(3):
        record(BusinessEvent.CREDITS_CHARGED, identity="sb-credits", amount=Decimal("0.1"))

    assert counted(BusinessEvent.CREDITS_CHARGED) == Decimal("0.3")
    documents = emf_documents(capsys.readouterr().out, "CreditsCharged")
    assert [d["CreditsCharged"] for d in documents] == [[0.1]] * 3


def test_a_failed_scenario_run_also_counts_among_failed_runs(wall, metrics_on, capsys):
    record(BusinessEvent.SCENARIO_RUNS, "flow", "passed", identity="sb-s")
    record(BusinessEvent.SCENARIO_RUNS, "flow", "failed", identity="sb-s")

    out = capsys.readouterr().out
    assert len(emf_documents(out, "ScenarioRuns")) == 2
    assert len(emf_documents(out, "ScenarioRunsFailed")) == 1
    assert counted(BusinessEvent.SCENARIO_RUNS, "flow", "passed") == 1
    assert counted(BusinessEvent.SCENARIO_RUNS, "flow", "failed") == 1


def test_the_day_is_the_wall_clocks_whatever_the_sandbox_clock_shows(wall):
    # A request's sandbox clock runs three days ahead; the project's days are real ones.
    providers.use_sandbox_clock(SandboxClock(offset_seconds=3 * 86400))
    try:
        record(BusinessEvent.SANDBOXES_RESET, identity="sb-ahead")
    finally:
        providers.use_sandbox_clock(None)

    ahead = NOON.date() + timedelta(days=3)
    [day] = merged_by_day(providers.project_counters().days(NOON.date(), ahead))
    assert day.day == NOON.date() and day.events == {"sandboxes_reset": Decimal(1)}


def test_the_service_dimension_is_the_running_functions(wall, metrics_on, capsys):
    logger = get_logger("svc-business-events")

    @per_request_log_keys(logger, correlation_id_path=None)
    def handler(event: dict[str, Any], context: Any) -> None:
        record(BusinessEvent.SIGNALS, identity="sb-dim")

    handler({}, LambdaContext())
    record(BusinessEvent.SIGNALS, identity="sb-dim")  # outside any invocation

    services = [d["service"] for d in emf_documents(capsys.readouterr().out, "Signals")]
    assert services == ["svc-business-events", "sandbox-platform"]


def test_a_counters_table_that_fails_never_fails_the_caller(wall, metrics_on, capsys):
    boto3.client("dynamodb").delete_table(TableName=providers.settings().usage_table)
    errors: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, log_record: logging.LogRecord) -> None:
            errors.append(log_record)

    log = logging.getLogger("sandbox_common.business_events")
    keep = Keep(logging.ERROR)
    log.addHandler(keep)
    try:
        record(BusinessEvent.SIGNALS, identity="sb-broken")
    finally:
        log.removeHandler(keep)

    assert [e.getMessage() for e in errors] == ["business event not counted"]
    assert len(emf_documents(capsys.readouterr().out, "Signals")) == 1
