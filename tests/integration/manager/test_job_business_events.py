"""The persistence job counts the credits of each charge it records, once, whichever run
records it (a pending charge settled by the next run included), and the configs each run
could not settle."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock, isoformat
from sandbox_common.manager.billing import epoch_ms
from sandbox_common.manager.job_models import JobRunSummary, JobTrigger
from sandbox_common.manager.job_wiring import job_context
from sandbox_common.manager.persistence_job import run_job
from sandbox_common.platform_usage.counters import BusinessEvent
from tests.integration.manager.job_drivers import (
    DyingConfigs,
    charge_history,
    enable_persistence,
)
from tests.integration.payments.drivers import grant, new_customer
from tests.integration.project_counters import counted, emf_documents

CREDITS = BusinessEvent.CREDITS_CHARGED
JOB_FAILURES = BusinessEvent.JOB_FAILURES


pytestmark = pytest.mark.usefixtures("thread_safe_moto")


def run_now(*, dry_run: bool = False, **changes: Any) -> JobRunSummary:
    return run_job(
        replace(job_context(deadline=None), **changes), trigger=JobTrigger.MANUAL, dry_run=dry_run
    )


def persistent_sandbox(invoke: Any, wall: FixedClock, credits: str) -> str:
    """A sandbox made persistent now (only billing due) for a customer granted ``credits``."""
    customer = new_customer()
    sandbox_id = "sbx_" + customer.removeprefix("cust_")
    grant(invoke, customer, credits)
    enable_persistence(invoke, sandbox_id, customer, lastWakeUpTimestamp=epoch_ms(wall.now()))
    return sandbox_id


def test_each_recorded_charge_counts_its_credits_once(invoke, wall, server):
    for _ in range(2):
        persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)

    charged = run_now()
    again = run_now()  # the same instant: every hour is paid
    dry = run_now(dry_run=True)

    assert (charged.charged, again.charged, dry.charged) == (2, 0, 0)
    assert counted(CREDITS) == Decimal("0.4") == charged.total_charged
    assert counted(JOB_FAILURES) == 0


def test_a_pending_charge_settled_by_the_next_run_counts_then_and_only_then(invoke, wall, server):
    sandbox_id = persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)

    died = run_now(configs=DyingConfigs(providers.persistent_configs_repository()))

    assert died.failures == 1 and charge_history(sandbox_id) == []
    assert counted(CREDITS) == 0
    assert counted(JOB_FAILURES) == 1

    settled = run_now()

    assert settled.charged == 1 and len(charge_history(sandbox_id)) == 1
    assert counted(CREDITS) == Decimal("0.2")
    assert counted(JOB_FAILURES) == 1


def test_each_run_counts_the_configs_it_could_not_settle(invoke, wall, server):
    for _ in range(3):
        persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    server.down = True

    first = run_now()
    second = run_now()
    server.down = False
    recovered = run_now()

    assert (first.failures, second.failures, recovered.failures) == (3, 3, 0)
    assert counted(JOB_FAILURES) == 6
    assert counted(CREDITS) == Decimal("0.6")


def test_the_functions_run_publishes_the_credits_under_its_own_service(
    invoke, wall, server, lambda_function, lambda_context, monkeypatch, capsys
):
    persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    scheduled = {"id": "evt-biz", "detail-type": "Scheduled Event", "time": isoformat(wall.now())}

    answer = lambda_function("persistence_job").handler(scheduled, lambda_context)

    assert answer["charged"] == 1
    out = capsys.readouterr().out
    [charge] = emf_documents(out, "CreditsCharged")
    assert charge["CreditsCharged"] == [0.2] and charge["service"] == "persistence-job"
    # The run's own metrics no longer carry the credits: they would count twice.
    [run] = emf_documents(out, "Invocations")
    assert "CreditsCharged" not in run and run["Charged"] == [1.0]
