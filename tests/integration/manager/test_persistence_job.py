"""The persistence job under faults and concurrency, on moto, with the real repositories and
the bundled payment server's own use cases (tests/integration/manager/job_drivers.py).

Every outcome is read where it lives: the customer's balance and credit ledger at the
payment server, the sandbox's charge history, the stored config and the stored sandbox.
Wall time is a FixedClock the tests move; nothing sleeps.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock, isoformat
from sandbox_common.manager.billing import charge_amount, charge_key, epoch_ms
from sandbox_common.manager.job_context import JobContext
from sandbox_common.manager.job_control import job_status
from sandbox_common.manager.job_models import JobRunning, JobRunSummary, JobTrigger
from sandbox_common.manager.job_wiring import job_context
from sandbox_common.manager.models import CreditsCharge, PendingCharge
from sandbox_common.manager.persistence_job import run_job
from sandbox_common.payments.credits import consume_credits
from sandbox_common.payments.models import CreditsConsume
from sandbox_common.sandboxes.models import LifecycleState
from sandbox_common.storage.job_runs_repository import JobRunsRepository
from tests.integration.manager.job_drivers import (
    ADMIN_CALLER,
    HOUR_MS,
    DyingConfigs,
    charge_history,
    enable_persistence,
    queued_retention,
    sandbox,
    stored_config,
)
from tests.integration.payments.drivers import credits_of, grant, new_customer, whole_ledger

pytestmark = pytest.mark.usefixtures("thread_safe_moto")


def context(**changes: Any) -> JobContext:
    """The job's real context (tables, wall time, settings), with ``changes``."""
    return replace(job_context(deadline=None), **changes)


def run_now(*, dry_run: bool = False, **changes: Any) -> JobRunSummary:
    return run_job(context(**changes), trigger=JobTrigger.MANUAL, dry_run=dry_run)


def persistent_sandbox(
    invoke: Any, wall: FixedClock, credits: str, **config: Any
) -> tuple[str, str]:
    """A sandbox made persistent now for a customer granted ``credits``; (sandbox, customer).

    Its last wake-up is now unless ``config`` says otherwise, so only billing is due.
    """
    customer = new_customer()
    sandbox_id = "sbx_" + customer.removeprefix("cust_")
    grant(invoke, customer, credits)
    config.setdefault("lastWakeUpTimestamp", epoch_ms(wall.now()))
    enable_persistence(invoke, sandbox_id, customer, **config)
    return sandbox_id, customer


def consumes(invoke: Any, customer: str) -> list[tuple[Decimal, str]]:
    """The customer's consume entries at the payment server: (amount, Idempotency-Key)."""
    return [
        (Decimal(entry["amount"]), entry["idempotencyKey"])
        for entry in whole_ledger(invoke, customer)
        if entry["kind"] == "consume"
    ]


# ---------------------------------------------------------------- charging


def test_an_hour_of_persistence_is_charged_once_at_the_hourly_rate(invoke, wall, server):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    enabled_at = stored_config(sandbox_id).enabled_at_ms
    assert enabled_at == epoch_ms(wall.now())
    wall.advance(3600)

    summary = run_now()

    key = charge_key(sandbox_id, enabled_at)
    assert (summary.charged, summary.total_charged, summary.failures) == (1, Decimal("0.2"), 0)
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert consumes(invoke, customer) == [(Decimal("0.2"), key)]
    [record] = charge_history(sandbox_id)
    assert (record.charge_id, record.amount, record.hours) == (key, Decimal("0.2"), Decimal(1))
    assert record.period_end == isoformat(wall.now()) and record.run_id == summary.run_id
    config = stored_config(sandbox_id)
    assert config.billed_until_ms == enabled_at + HOUR_MS and config.pending_charge is None
    assert config.config.last_credits_charge == CreditsCharge(
        timestamp=enabled_at + HOUR_MS, amount=Decimal("0.2")
    )

    again = run_now()  # the same instant: the hour is paid

    assert again.charged == 0
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert len(charge_history(sandbox_id)) == 1


def test_a_scheduled_and_a_manual_run_started_together_charge_each_config_once(
    invoke, wall, server, monkeypatch
):
    sandboxes = [persistent_sandbox(invoke, wall, "5") for _ in range(3)]
    wall.advance(3600)
    # Both runs reach the lease together: neither has seen the other's lease yet.
    together = threading.Barrier(2, timeout=30)
    acquire = JobRunsRepository.acquire

    def acquire_together(self: JobRunsRepository, *args: Any, **kwargs: Any) -> bool:
        together.wait()
        return acquire(self, *args, **kwargs)

    monkeypatch.setattr(JobRunsRepository, "acquire", acquire_together)

    def start(trigger: JobTrigger) -> JobRunSummary | JobRunning:
        try:
            return run_job(context(), trigger=trigger)
        except JobRunning as refused:
            return refused

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(start, [JobTrigger.SCHEDULE, JobTrigger.MANUAL]))

    summaries = [o for o in outcomes if isinstance(o, JobRunSummary)]
    assert len(summaries) == 1 and sum(isinstance(o, JobRunning) for o in outcomes) == 1
    assert summaries[0].charged == 3
    for sandbox_id, customer in sandboxes:
        assert credits_of(invoke, customer) == Decimal("4.8")
        assert len(consumes(invoke, customer)) == 1
        assert len(charge_history(sandbox_id)) == 1


def test_two_runs_working_one_config_at_once_charge_it_once(invoke, wall, server):
    # A lease that ran out under a slow run (here: a lease of no length) lets a second run
    # in while the first is between its balance check and its charge.
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    first_waiting = threading.Event()
    both_checked = threading.Barrier(2, timeout=30)

    def hold(_: str) -> None:
        first_waiting.set()
        both_checked.wait()

    server.after_credits = hold
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(run_now, lease=timedelta(0))
        assert first_waiting.wait(30)
        second = pool.submit(run_now, lease=timedelta(0))
        summaries = [first.result(60), second.result(60)]

    assert [s.failures for s in summaries] == [0, 0]
    assert sum(s.charged for s in summaries) == 1
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert len(consumes(invoke, customer)) == 1
    assert len(charge_history(sandbox_id)) == 1
    assert stored_config(sandbox_id).pending_charge is None


# ---------------------------------------------------------------- crashes and faults


def test_a_run_that_died_after_the_charge_is_settled_by_the_next_with_the_same_key(
    invoke, wall, server
):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    enabled_at = stored_config(sandbox_id).enabled_at_ms
    wall.advance(3600)

    died = run_now(configs=DyingConfigs(providers.persistent_configs_repository()))

    key = charge_key(sandbox_id, enabled_at)
    assert died.failures == 1 and "RunDied" in died.failed[0].error
    assert credits_of(invoke, customer) == Decimal("4.8")  # the server charged
    assert charge_history(sandbox_id) == []
    left = stored_config(sandbox_id)
    assert left.pending_charge is not None and left.pending_charge.key == key
    assert left.billed_until_ms is None

    settled = run_now()

    assert (settled.charged, settled.failures) == (1, 0)
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert consumes(invoke, customer) == [(Decimal("0.2"), key)]
    [record] = charge_history(sandbox_id)
    assert record.charge_id == key and record.amount == Decimal("0.2")
    config = stored_config(sandbox_id)
    assert config.pending_charge is None and config.billed_until_ms == enabled_at + HOUR_MS


def test_a_charge_whose_answer_was_lost_is_settled_once_and_billing_goes_on(invoke, wall, server):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    enabled_at = stored_config(sandbox_id).enabled_at_ms
    wall.advance(3600)
    server.lose_after_consume = 1

    lost = run_now()

    assert lost.failures == 1 and "payment server" in lost.failed[0].error
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert charge_history(sandbox_id) == []
    wall.advance(3600)  # the next hourly run

    summary = run_now()

    assert (summary.charged, summary.total_charged) == (2, Decimal("0.4"))
    assert credits_of(invoke, customer) == Decimal("4.6")
    first, second = charge_key(sandbox_id, enabled_at), charge_key(sandbox_id, enabled_at + HOUR_MS)
    assert sorted(key for _, key in consumes(invoke, customer)) == sorted([first, second])
    history = charge_history(sandbox_id)  # newest first; the periods tile time
    assert [r.charge_id for r in history] == [second, first]
    assert history[1].period_end == history[0].period_start
    assert stored_config(sandbox_id).billed_until_ms == enabled_at + 2 * HOUR_MS


def test_an_unavailable_payment_server_leaves_the_config_and_the_next_run_charges_it_all(
    invoke, wall, server
):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    before = stored_config(sandbox_id)
    wall.advance(3600)
    server.down = True

    summary = run_now()

    assert (summary.failures, summary.charged) == (1, 0)
    assert summary.failed[0].sandbox_id == sandbox_id
    assert "payment server" in summary.failed[0].error
    after = stored_config(sandbox_id)
    assert (after.version, after.billed_until_ms, after.pending_charge) == (
        before.version,
        before.billed_until_ms,
        None,
    )
    assert credits_of(invoke, customer) == Decimal("5")
    wall.advance(3600)  # down for another hour, then back
    server.down = False

    back = run_now()

    assert (back.charged, back.total_charged, back.failures) == (1, Decimal("0.4"), 0)
    assert credits_of(invoke, customer) == Decimal("4.6")
    [record] = charge_history(sandbox_id)
    assert record.hours == Decimal(2) and record.amount == Decimal("0.4")
    assert stored_config(sandbox_id).billed_until_ms == before.enabled_at_ms + 2 * HOUR_MS


def test_a_charge_refused_by_a_5xx_is_retried_under_its_key_and_charged_once(invoke, wall, server):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    enabled_at = stored_config(sandbox_id).enabled_at_ms
    wall.advance(3600)
    server.fail_before_consume = 1

    failed = run_now()

    assert failed.failures == 1
    assert credits_of(invoke, customer) == Decimal("5")
    assert stored_config(sandbox_id).billed_until_ms is None

    retried = run_now()

    assert retried.charged == 1
    assert consumes(invoke, customer) == [(Decimal("0.2"), charge_key(sandbox_id, enabled_at))]
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert len(charge_history(sandbox_id)) == 1


# ---------------------------------------------------------------- disable, expire, wake


def _assert_shut_down_and_released(sandbox_id: str, reason_start: str) -> None:
    stored = sandbox(sandbox_id)
    assert stored.lifecycle_state is LifecycleState.SHUT_DOWN
    assert stored.lifecycle_reason is not None and stored.lifecycle_reason.startswith(reason_start)
    assert stored.persistent is False
    # Enabling queued "keep"; the job's disable queued the release after it.
    assert [change.keep for change in queued_retention(sandbox_id)] == [True, False]
    config = stored_config(sandbox_id)
    assert config.config.enabled is False and config.pending_charge is None
    enabled, _ = providers.persistent_configs_repository().enabled_page(limit=1000)
    assert sandbox_id not in {c.sandbox_id for c in enabled}


def test_credits_that_do_not_cover_the_hour_disable_the_config_and_shut_the_sandbox_down(
    invoke, wall, server
):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "0.1")
    assert sandbox(sandbox_id).persistent is True
    wall.advance(3600)

    summary = run_now()

    assert (summary.disabled, summary.charged, summary.failures) == (1, 0, 0)
    _assert_shut_down_and_released(sandbox_id, "credits exhausted")
    assert "0.1" in (sandbox(sandbox_id).lifecycle_reason or "")
    assert credits_of(invoke, customer) == Decimal("0.1")
    assert consumes(invoke, customer) == []
    assert charge_history(sandbox_id) == []
    assert run_now().configs_seen == 0  # no longer the job's


def test_credits_spent_between_the_check_and_the_charge_disable_without_charging(
    invoke, wall, server
):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "1")
    wall.advance(3600)

    def spend_it_all(customer_id: str) -> None:  # another spender, right after the check
        server.after_credits = None
        consume_credits(ADMIN_CALLER, CreditsConsume(customer_id=customer_id, amount=Decimal(1)))

    server.after_credits = spend_it_all

    summary = run_now()

    assert (summary.disabled, summary.charged) == (1, 0)
    _assert_shut_down_and_released(sandbox_id, "credits exhausted")
    assert credits_of(invoke, customer) == Decimal(0)
    assert [amount for amount, _ in consumes(invoke, customer)] == [Decimal(1)]
    assert charge_history(sandbox_id) == []


def test_a_limited_config_is_charged_to_its_window_end_then_disabled(invoke, wall, server):
    start = epoch_ms(wall.now())
    sandbox_id, customer = persistent_sandbox(
        invoke, wall, "10", mode="limited", limitedConfig={"startTimestamp": start, "days": 1}
    )
    wall.advance(23 * 3600)
    assert run_now().total_charged == Decimal("4.6")
    assert stored_config(sandbox_id).config.enabled is True
    wall.advance(3 * 3600)  # two hours past the window's end

    summary = run_now()

    window_end = start + 24 * HOUR_MS
    assert (summary.expired, summary.total_charged) == (1, Decimal("0.2"))
    assert credits_of(invoke, customer) == Decimal("5.2")  # 24 hours, not 26
    latest = charge_history(sandbox_id)[0]
    assert latest.period_end == isoformat(datetime.fromtimestamp(window_end / 1000, tz=UTC))
    assert stored_config(sandbox_id).billed_until_ms == window_end
    _assert_shut_down_and_released(sandbox_id, "limited persistence ended")
    wall.advance(3600)
    assert run_now().total_charged == 0
    assert credits_of(invoke, customer) == Decimal("5.2")


def test_a_sandbox_is_woken_once_its_last_wake_up_is_22_hours_old(invoke, wall, server):
    sandbox_id, _ = persistent_sandbox(invoke, wall, "10")
    wall.advance(21 * 3600)
    assert run_now().woken == 0
    assert sandbox(sandbox_id).last_wake_up_at is None
    wall.advance(3600)

    summary = run_now()

    assert summary.woken == 1
    assert stored_config(sandbox_id).config.last_wake_up_timestamp == epoch_ms(wall.now())
    woken = sandbox(sandbox_id)
    assert woken.last_wake_up_at == wall.now()
    assert woken.persistent is True and woken.lifecycle_state is LifecycleState.ACTIVE
    assert woken.lifecycle_reason == "woken by the persistence job"
    assert run_now().woken == 0  # woken for the next 22 hours


# ---------------------------------------------------------------- one config, one failure


def test_a_config_that_fails_does_not_stop_the_others(invoke, wall, server):
    healthy = [persistent_sandbox(invoke, wall, "5") for _ in range(2)]
    odd_sandbox, odd_customer = persistent_sandbox(invoke, wall, "5")
    corrupt_sandbox, _ = persistent_sandbox(invoke, wall, "5")
    server.broken.add(odd_customer)
    wall.advance(3600)
    # An item no client could write: a pending charge for a customer id the payment server
    # refuses to read.
    corrupt = stored_config(corrupt_sandbox)
    providers.persistent_configs_repository().save(
        corrupt.model_copy(
            update={
                "version": corrupt.version + 1,
                "pending_charge": PendingCharge(
                    key=charge_key(corrupt_sandbox, corrupt.enabled_at_ms or 0),
                    customer_id="not a customer id!",
                    start_ms=corrupt.enabled_at_ms or 0,
                    end_ms=epoch_ms(wall.now()),
                    amount=Decimal("0.2"),
                    rate_per_hour=Decimal("0.2"),
                ),
            }
        ),
        read=corrupt,
    )

    summary = run_now()

    assert (summary.configs_seen, summary.charged, summary.failures) == (4, 2, 2)
    assert {f.sandbox_id for f in summary.failed} == {odd_sandbox, corrupt_sandbox}
    for sandbox_id, customer in healthy:
        assert credits_of(invoke, customer) == Decimal("4.8")
        assert len(charge_history(sandbox_id)) == 1
    for sandbox_id in (odd_sandbox, corrupt_sandbox):
        assert charge_history(sandbox_id) == []
        assert stored_config(sandbox_id).config.enabled is True  # left for the next run


# ---------------------------------------------------------------- the lease


def test_a_crashed_runs_lease_blocks_runs_only_until_it_runs_out(invoke, wall, server):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    enabled_at = stored_config(sandbox_id).enabled_at_ms
    wall.advance(3600)
    lease = timedelta(seconds=providers.settings().job_lease_seconds)
    # A run that took the lease and died (a Lambda timeout never runs its ``finally``).
    providers.job_runs_repository().acquire("crashed", now=wall.now(), until=wall.now() + lease)

    assert job_status(ADMIN_CALLER).running is True
    with pytest.raises(JobRunning):
        run_now()
    assert credits_of(invoke, customer) == Decimal("5")
    wall.advance(lease.total_seconds())

    status = job_status(ADMIN_CALLER)
    assert status.running is False and status.running_since is None

    summary = run_now()

    # Billing covers the time the lease held the job up: one hour and the lease.
    owed = charge_amount(enabled_at, epoch_ms(wall.now()), Decimal("0.2"))
    assert summary.charged == 1 and summary.total_charged == owed > Decimal("0.2")
    assert credits_of(invoke, customer) == Decimal("5") - summary.total_charged
    assert providers.job_runs_repository().lease() is None  # released
    status = job_status(ADMIN_CALLER)
    assert status.last_run is not None and status.last_run.run_id == summary.run_id


# ---------------------------------------------------------------- dry run


def test_a_dry_run_reports_what_it_would_do_and_changes_nothing(invoke, wall, server):
    paying, paying_customer = persistent_sandbox(invoke, wall, "5")
    short, short_customer = persistent_sandbox(invoke, wall, "0.1")
    wall.advance(3600)
    configs_before = {s: stored_config(s) for s in (paying, short)}
    # A dry run takes no lease: it runs beside a run holding it.
    providers.job_runs_repository().acquire("busy", now=wall.now(), until=wall.now() + timedelta(1))

    summary = run_now(dry_run=True)

    assert summary.dry_run is True and summary.planned is not None
    planned = {p.sandbox_id: p for p in summary.planned}
    assert planned[paying].charge == Decimal("0.2") and planned[paying].disable is False
    assert planned[short].disable is True and planned[short].credits == Decimal("0.1")
    assert (summary.charged, summary.total_charged, summary.disabled) == (1, Decimal("0.2"), 1)
    assert {s: stored_config(s) for s in (paying, short)} == configs_before
    assert credits_of(invoke, paying_customer) == Decimal("5")
    assert credits_of(invoke, short_customer) == Decimal("0.1")
    assert charge_history(paying) == [] and charge_history(short) == []
    assert sandbox(short).lifecycle_state is LifecycleState.ACTIVE
    assert providers.job_runs_repository().last_run() is None


# ---------------------------------------------------------------- the function


def test_the_functions_scheduled_event_runs_the_job_and_records_the_last_run(
    invoke, wall, server, lambda_function, lambda_context
):
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    handler = lambda_function("persistence_job").handler
    scheduled = {
        "id": "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": isoformat(wall.now()),
        "detail": {},
    }

    answer = handler(scheduled, lambda_context)

    assert answer["trigger"] == "schedule" and answer["charged"] == 1
    assert credits_of(invoke, customer) == Decimal("4.8")
    last = providers.job_runs_repository().last_run()
    assert last is not None and last.run_id == answer["run_id"]
    dry = handler({"trigger": "manual", "dryRun": True}, lambda_context)
    assert dry["dry_run"] is True and dry["charged"] == 0
    assert len(charge_history(sandbox_id)) == 1


def test_an_unreadable_config_item_does_not_stop_the_others(invoke, wall, server):
    healthy, customer = persistent_sandbox(invoke, wall, "5")
    unreadable, _ = persistent_sandbox(invoke, wall, "5")
    providers.persistent_configs_repository()._table.update_item(
        Key={"sandboxId": unreadable},
        UpdateExpression="SET config.#mode = :bad",
        ExpressionAttributeNames={"#mode": "mode"},
        ExpressionAttributeValues={":bad": "sometimes"},
    )
    wall.advance(3600)

    summary = run_now()

    assert (summary.charged, summary.failures) == (1, 1)
    assert summary.failed[0].sandbox_id == unreadable
    assert credits_of(invoke, customer) == Decimal("4.8")
    assert len(charge_history(healthy)) == 1


def test_sandboxes_billed_to_one_customer_are_charged_while_the_credits_last(invoke, wall, server):
    """Three sandboxes, one customer, credits for two hours: two are charged, one disabled,
    whichever order the run takes them in; the balance never goes below zero."""
    customer = new_customer()
    grant(invoke, customer, "0.4")
    sandbox_ids = [f"sbx_{customer.removeprefix('cust_')}_{n}" for n in range(3)]
    for sandbox_id in sandbox_ids:
        enable_persistence(invoke, sandbox_id, customer, lastWakeUpTimestamp=epoch_ms(wall.now()))
    wall.advance(3600)

    summary = run_now()

    assert (summary.charged, summary.disabled, summary.failures) == (2, 1, 0)
    assert credits_of(invoke, customer) == Decimal("0")
    charged = [s for s in sandbox_ids if charge_history(s)]
    disabled = [s for s in sandbox_ids if not stored_config(s).config.enabled]
    assert len(charged) == 2 and len(disabled) == 1
    assert set(charged).isdisjoint(disabled)
    _assert_shut_down_and_released(disabled[0], "credits exhausted")


def test_a_page_that_outlasts_the_lease_keeps_the_job_to_itself(invoke, wall, server, monkeypatch):
    """The lease is renewed in the background while a page works: a payment server so slow
    that a page takes longer than the lease still never lets a second run start."""
    from sandbox_common.manager import persistence_job

    monkeypatch.setattr(persistence_job, "MIN_RENEW_INTERVAL_SECONDS", 0.01)
    lease = timedelta(seconds=0.03)  # renewed every 0.01 s of real time
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    runs = providers.job_runs_repository()
    second_run: list[BaseException | JobRunSummary] = []

    def slow_call(_customer: str) -> None:
        server.after_credits = None
        wall.advance(600)  # the call took ten minutes: far past the lease taken at the start
        renewed = threading.Event()
        for _ in range(500):  # the keeper renews within a few hundredths of a second
            current = runs.lease()
            if current is not None and current.until > wall.now():
                renewed.set()
                break
            threading.Event().wait(0.01)
        assert renewed.is_set(), "the lease was not renewed while the page worked"
        try:
            second_run.append(run_now(lease=lease))
        except JobRunning as refused:
            second_run.append(refused)

    server.after_credits = slow_call

    summary = run_now(lease=lease)

    assert isinstance(second_run[0], JobRunning)
    assert (summary.charged, summary.failures) == (1, 0)
    assert len(charge_history(sandbox_id)) == 1
    assert runs.lease() is None  # released at the end
    assert credits_of(invoke, customer) < Decimal(5)


def test_a_scheduled_run_meeting_a_held_lease_answers_not_run_without_failing(
    invoke, wall, server, lambda_function, lambda_context
):
    # A failed invocation would be retried by EventBridge into the dead-letter queue and
    # count against the function's error alarm; meeting a run in progress is normal.
    sandbox_id, customer = persistent_sandbox(invoke, wall, "5")
    wall.advance(3600)
    lease = timedelta(seconds=providers.settings().job_lease_seconds)
    providers.job_runs_repository().acquire("another", now=wall.now(), until=wall.now() + lease)
    scheduled = {"id": "evt-held", "detail-type": "Scheduled Event", "time": isoformat(wall.now())}

    answer = lambda_function("persistence_job").handler(scheduled, lambda_context)

    assert answer == {
        "not_run": "job_running",
        "message": "The persistence job is already running; try again when it finishes",
    }
    assert credits_of(invoke, customer) == Decimal("5")
    assert charge_history(sandbox_id) == []
