"""The hourly persistence job: charge, expire, disable and wake the persistent sandboxes.

One run at a time holds the job's lease (a scheduled and a manual run never overlap; a
crashed run's lease runs out). A run pages through the enabled configs (the sparse index,
not a scan) and works on several at once, each on its own: a config that fails is counted,
left exactly as it was and retried by the next run, and never stops the batch.

Charging a period never happens twice and is never lost (``manager.billing`` names each
period; the steps below keep that promise through crashes):

1. the period is written on the config as its pending charge (conditional on the version
   read), so its identity outlives the run;
2. the payment server is asked to consume it under that identity as Idempotency-Key (a
   repeat answers the first result and charges nothing);
3. one transaction moves the config past the period (conditional on the version) and
   records the charge in the sandbox's history.

A run that dies between 2 and 3 leaves the pending charge; the next run settles it with the
same key before it looks at anything else. A payment-server timeout or 5xx leaves the config
as step 1 left it. Two runs working on one config (a lease that ran out under a slow run)
collide on the version and one of them backs off.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.manager.billing import epoch_ms, plan_config
from sandbox_common.manager.job_models import (
    MAX_LISTED_FAILURES,
    MAX_LISTED_PLANS,
    ChargeRecord,
    ConfigFailure,
    JobRunning,
    JobRunSummary,
    JobTrigger,
    PlannedConfig,
)
from sandbox_common.manager.models import CreditsCharge, PendingCharge, StoredConfig
from sandbox_common.manager.payment_server import (
    CreditsRefused,
    PaymentServer,
    PaymentServerUnavailable,
)
from sandbox_common.storage.job_runs_repository import JobRunsRepository
from sandbox_common.storage.persistent_configs_repository import UnreadableConfig

_log = logging.getLogger(__name__)

PAGE_SIZE = 100
# A config whose write collided with another writer is re-read and tried this many times.
ATTEMPTS = 3


class Configs(Protocol):
    """Where the job reads and moves configs (PersistentConfigsRepository)."""

    def enabled_page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[StoredConfig | UnreadableConfig], dict[str, Any] | None]: ...

    def get(self, sandbox_id: str) -> StoredConfig | None: ...

    def save(
        self, record: StoredConfig, *, read: StoredConfig, also: Sequence[dict[str, Any]] = ()
    ) -> None: ...


class Charges(Protocol):
    """Where a charge is recorded (ChargesRepository)."""

    def record_put(self, record: ChargeRecord) -> dict[str, Any]: ...


class SandboxLifecycle(Protocol):
    """What the job does to a sandbox, each together with the config's move (one write)."""

    def end_persistence(
        self, read: StoredConfig, disabled: StoredConfig, *, reason: str, at: datetime
    ) -> None:
        """Save ``disabled`` (conditional on ``read``'s version) and shut the sandbox down
        (its data released to the ordinary retention), atomically."""
        ...

    def wake(self, read: StoredConfig, woken: StoredConfig, *, at: datetime) -> None:
        """Save ``woken`` (conditional on ``read``'s version) and wake the sandbox, its data
        kept (retention refreshed)."""
        ...


@dataclass
class JobContext:
    """Everything a run needs, injected (the function wires the real ones)."""

    configs: Configs
    charges: Charges
    runs: JobRunsRepository
    lifecycle: SandboxLifecycle
    payment_server: PaymentServer
    now: Callable[[], datetime]
    rate_per_hour: Decimal
    wake_after_hours: int
    lease: timedelta
    workers: int
    # time.monotonic() after which the run takes no more pages (None: no budget).
    deadline: float | None = None


@dataclass
class _Outcome:
    charged: Decimal = Decimal(0)
    charges: int = 0
    woken: bool = False
    expired: bool = False
    disabled: bool = False
    planned: PlannedConfig | None = None


@dataclass
class _Tally:
    summary: JobRunSummary
    seen: int = 0
    outcomes: list[_Outcome] = field(default_factory=list)
    failures: list[ConfigFailure] = field(default_factory=list)


def run_job(context: JobContext, *, trigger: JobTrigger, dry_run: bool = False) -> JobRunSummary:
    """One run over every enabled config (or until the deadline); its summary.

    JobRunning if another run holds the lease (a dry run needs none: it writes nothing).
    """
    run_id = str(uuid.uuid4())
    started = context.now()
    if not dry_run and not context.runs.acquire(run_id, now=started, until=started + context.lease):
        raise JobRunning("The persistence job is already running; try again when it finishes")
    tally = _Tally(
        JobRunSummary(
            run_id=run_id, trigger=trigger, dry_run=dry_run, started_at=isoformat(started)
        )
    )
    try:
        complete = _run_pages(context, run_id, tally, dry_run=dry_run)
    finally:
        if not dry_run:
            context.runs.release(run_id)
    summary = _summarize(tally, complete=complete, finished=context.now(), dry_run=dry_run)
    if not dry_run:
        context.runs.save_last_run(summary)
    _log.info("persistence job run finished", extra={"summary": summary.model_dump(mode="json")})
    return summary


class _KnownCredits:
    """Customers' balances as the payment server last answered them during this run.

    Several sandboxes may bill one customer. Once the server has told the run a balance (a
    credits read, or what a consume left), a charge it covers goes straight to the consume,
    which is the real check (it refuses what the credits do not cover, and that refusal
    disables the config like a short balance does). A balance that looks short is read
    again before anything is disabled, so a stale figure never disables a config.
    """

    def __init__(self) -> None:
        self._balances: dict[str, Decimal] = {}
        self._lock = threading.Lock()

    def covers(self, customer_id: str, amount: Decimal) -> bool:
        with self._lock:
            known = self._balances.get(customer_id)
        return known is not None and known >= amount

    def learn(self, customer_id: str, balance: Decimal) -> None:
        with self._lock:
            self._balances[customer_id] = balance


def _run_pages(context: JobContext, run_id: str, tally: _Tally, *, dry_run: bool) -> bool:
    """Work through the pages; False if the run stopped early (budget or lost lease)."""
    credits = _KnownCredits()
    with ThreadPoolExecutor(
        max_workers=context.workers, thread_name_prefix="persistence-job"
    ) as pool:
        for page in _pages(context.configs):
            if context.deadline is not None and time.monotonic() >= context.deadline:
                return False
            if not dry_run and not context.runs.renew(run_id, until=context.now() + context.lease):
                _log.warning("persistence job lost its lease; stopping", extra={"run_id": run_id})
                return False
            worker = _Worker(context, run_id, credits, dry_run=dry_run)
            for result in pool.map(worker.guarded, page):
                tally.seen += 1
                if isinstance(result, ConfigFailure):
                    tally.failures.append(result)
                else:
                    tally.outcomes.append(result)
    return True


def _pages(configs: Configs) -> Iterator[list[StoredConfig | UnreadableConfig]]:
    start_key: dict[str, Any] | None = None
    while True:
        page, start_key = configs.enabled_page(limit=PAGE_SIZE, start_key=start_key)
        if page:
            yield page
        if not start_key:
            return


def _summarize(
    tally: _Tally, *, complete: bool, finished: datetime, dry_run: bool
) -> JobRunSummary:
    outcomes = tally.outcomes
    planned = [o.planned for o in outcomes if o.planned is not None and _does_something(o.planned)]
    return tally.summary.model_copy(
        update={
            "finished_at": isoformat(finished),
            "complete": complete,
            "configs_seen": tally.seen,
            "charged": sum(o.charges for o in outcomes),
            "total_charged": sum((o.charged for o in outcomes), Decimal(0)),
            "woken": sum(o.woken for o in outcomes),
            "expired": sum(o.expired for o in outcomes),
            "disabled": sum(o.disabled for o in outcomes),
            "failures": len(tally.failures),
            "failed": tally.failures[:MAX_LISTED_FAILURES],
            "planned": planned[:MAX_LISTED_PLANS] if dry_run else None,
        }
    )


def _does_something(plan: PlannedConfig) -> bool:
    return bool(plan.settle or plan.charge or plan.disable or plan.expire or plan.wake)


class _Disabled(Exception):
    """The config was disabled (credits exhausted); nothing more to do this run."""


class _Worker:
    """Carries out one config's plan (one instance per page; configs are independent)."""

    def __init__(
        self, context: JobContext, run_id: str, credits: _KnownCredits, *, dry_run: bool
    ) -> None:
        self._credits = credits
        self._context = context
        self._run_id = run_id
        self._dry_run = dry_run

    def guarded(self, stored: StoredConfig | UnreadableConfig) -> _Outcome | ConfigFailure:
        """The config's outcome, or why it failed (never raises: one bad config never stops
        the batch)."""
        if isinstance(stored, UnreadableConfig):
            return ConfigFailure(
                sandbox_id=stored.sandbox_id, error=f"unreadable config: {stored.error}"
            )
        try:
            if self._dry_run:
                return self._plan_only(stored)
            return self._process(stored)
        except PaymentServerUnavailable as exc:
            return ConfigFailure(sandbox_id=stored.sandbox_id, error=f"payment server: {exc}")
        except Exception as exc:
            _log.exception(
                "persistence job: config failed", extra={"sandbox_id": stored.sandbox_id}
            )
            return ConfigFailure(sandbox_id=stored.sandbox_id, error=f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------------ the real run

    def _process(self, stored: StoredConfig) -> _Outcome:
        outcome = _Outcome()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._apply(stored, outcome)
                return outcome
            except _Disabled:
                outcome.disabled = True
                return outcome
            except Conflict:
                # Another writer moved the config (a client's update, another run): read it
                # again and plan from what it is now. What this attempt already charged is
                # in ``outcome`` and in the config, so it is not planned again.
                if attempt == ATTEMPTS:
                    raise
                fresh = self._context.configs.get(stored.sandbox_id)
                if fresh is None or not fresh.config.enabled:
                    return outcome
                stored = fresh
        return outcome  # pragma: no cover - the loop always returns or raises

    def _apply(self, stored: StoredConfig, outcome: _Outcome) -> None:
        context = self._context
        now = context.now()
        plan = plan_config(
            stored,
            epoch_ms(now),
            rate_per_hour=context.rate_per_hour,
            wake_after_hours=context.wake_after_hours,
        )
        if plan.settle is not None:
            stored = self._settle(stored, plan.settle, outcome)
        if plan.charge is not None:
            self._check_credits(stored, plan.charge)
            stored = self._record_intent(stored, plan.charge)
            stored = self._settle(stored, plan.charge, outcome)
        if plan.expire:
            self._expire(stored)
            outcome.expired = True
        elif plan.wake:
            self._wake(stored)
            outcome.woken = True

    def _check_credits(self, stored: StoredConfig, charge: PendingCharge) -> None:
        """Disable the config if the customer's credits do not cover ``charge``."""
        if self._credits.covers(charge.customer_id, charge.amount):
            return
        credits = self._context.payment_server.credits(charge.customer_id)
        self._credits.learn(charge.customer_id, credits)
        if credits < charge.amount:
            self._disable(
                stored,
                f"credits exhausted: customer {charge.customer_id} has {credits}, "
                f"the charge for keeping the sandbox is {charge.amount}",
            )

    def _record_intent(self, stored: StoredConfig, charge: PendingCharge) -> StoredConfig:
        pending = self._next(stored, pending_charge=charge)
        self._context.configs.save(pending, read=stored)
        return pending

    def _settle(
        self, stored: StoredConfig, charge: PendingCharge, outcome: _Outcome
    ) -> StoredConfig:
        """Consume the pending charge under its key, then move the config past it and record
        it, in one transaction."""
        context = self._context
        try:
            result = context.payment_server.consume(
                charge.customer_id, charge.amount, idempotency_key=charge.key
            )
        except CreditsRefused as exc:
            self._disable(
                stored, f"credits exhausted: the payment server refused {charge.amount} ({exc})"
            )
        self._credits.learn(charge.customer_id, result.credits)
        now = context.now()
        settled = self._next(
            stored,
            pending_charge=None,
            billed_until_ms=charge.end_ms,
            config=stored.config.model_copy(
                update={
                    "last_credits_charge": CreditsCharge(
                        timestamp=charge.end_ms, amount=result.amount
                    )
                }
            ),
        )
        record = ChargeRecord(
            sandbox_id=stored.sandbox_id,
            customer_id=charge.customer_id,
            charge_id=charge.key,
            period_start=isoformat(_from_ms(charge.start_ms)),
            period_end=isoformat(_from_ms(charge.end_ms)),
            hours=(Decimal(charge.end_ms - charge.start_ms) / 3_600_000).quantize(
                Decimal("0.000001")
            ),
            rate_per_hour=charge.rate_per_hour,
            amount=result.amount,
            charged_at=isoformat(now),
            run_id=self._run_id,
        )
        context.configs.save(settled, read=stored, also=[context.charges.record_put(record)])
        outcome.charges += 1
        outcome.charged += result.amount
        return settled

    def _disable(self, stored: StoredConfig, reason: str) -> None:
        disabled = self._next(
            stored,
            pending_charge=None,
            config=stored.config.model_copy(update={"enabled": False}),
        )
        self._context.lifecycle.end_persistence(
            stored, disabled, reason=reason, at=self._context.now()
        )
        _log.info(
            "persistent sandbox disabled", extra={"sandbox_id": stored.sandbox_id, "reason": reason}
        )
        raise _Disabled

    def _expire(self, stored: StoredConfig) -> None:
        disabled = self._next(stored, config=stored.config.model_copy(update={"enabled": False}))
        limited = stored.config.limited_config
        ended = ""
        if limited is not None:
            ended = " on " + isoformat(
                _from_ms(limited.start_timestamp + limited.days * 86_400_000)
            )
        self._context.lifecycle.end_persistence(
            stored, disabled, reason=f"limited persistence ended{ended}", at=self._context.now()
        )

    def _wake(self, stored: StoredConfig) -> None:
        now = self._context.now()
        woken = self._next(
            stored,
            config=stored.config.model_copy(update={"last_wake_up_timestamp": epoch_ms(now)}),
        )
        self._context.lifecycle.wake(stored, woken, at=now)

    def _next(self, stored: StoredConfig, **changes: Any) -> StoredConfig:
        """``stored`` with ``changes``, as the next version."""
        return stored.model_copy(
            update={**changes, "version": stored.version + 1, "updated_at": self._context.now()}
        )

    # ------------------------------------------------------------------ dry run

    def _plan_only(self, stored: StoredConfig) -> _Outcome:
        context = self._context
        plan = plan_config(
            stored,
            epoch_ms(context.now()),
            rate_per_hour=context.rate_per_hour,
            wake_after_hours=context.wake_after_hours,
        )
        planned = PlannedConfig(
            sandbox_id=stored.sandbox_id,
            settle=plan.settle.amount if plan.settle else None,
            charge=plan.charge.amount if plan.charge else None,
            expire=plan.expire,
            wake=plan.wake,
        )
        outcome = _Outcome(planned=planned)
        if plan.settle:
            outcome.charges += 1
            outcome.charged += plan.settle.amount
        if plan.charge:
            credits = context.payment_server.credits(stored.customer_id)
            planned = planned.model_copy(update={"credits": credits})
            if credits < plan.charge.amount:
                outcome.planned = planned.model_copy(
                    update={"disable": True, "expire": False, "wake": False}
                )
                outcome.disabled = True
                return outcome
            outcome.planned = planned
            outcome.charges += 1
            outcome.charged += plan.charge.amount
        outcome.expired = plan.expire
        outcome.woken = plan.wake
        return outcome


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
