"""One config's part of a persistence-job run: carry out its plan (``manager.billing``).

Per config, in order: settle a charge an earlier run left pending, under its own key; check
the customer's credits and disable the config (shutting its sandbox down) if they do not
cover the period due; record the period as pending, consume it at the payment server under
its identity, then move the config past it and record the charge in one transaction; then
expire a limited config whose window closed, or wake a sandbox due a wake-up. Every config
write is conditional on the version read: a config another writer moved is read again and
planned afresh, and a failure leaves the config as the last completed step left it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox_common import business_events
from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.manager.billing import MS_PER_DAY, MS_PER_HOUR, epoch_ms, plan_config
from sandbox_common.manager.job_context import JobContext
from sandbox_common.manager.job_models import ChargeRecord, ConfigFailure, PlannedConfig
from sandbox_common.manager.models import CreditsCharge, PendingCharge, StoredConfig
from sandbox_common.manager.payment_server import CreditsRefused, PaymentServerUnavailable
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.storage.persistent_configs_repository import UnreadableConfig

_log = logging.getLogger(__name__)

# A config whose write collided with another writer is re-read and tried this many times.
ATTEMPTS = 3


@dataclass
class ConfigOutcome:
    """What a run did (or, dry, would do) to one config."""

    charged: Decimal = Decimal(0)
    charges: int = 0
    woken: bool = False
    expired: bool = False
    disabled: bool = False
    planned: PlannedConfig | None = None


class KnownCredits:
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


class _Disabled(Exception):
    """The config was disabled (credits exhausted); nothing more to do this run."""


class ConfigWorker:
    """Carries out one config's plan (one instance per page; configs are independent)."""

    def __init__(
        self, context: JobContext, run_id: str, credits: KnownCredits, *, dry_run: bool
    ) -> None:
        self._credits = credits
        self._context = context
        self._run_id = run_id
        self._dry_run = dry_run

    def guarded(self, stored: StoredConfig | UnreadableConfig) -> ConfigOutcome | ConfigFailure:
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

    def _process(self, stored: StoredConfig) -> ConfigOutcome:
        outcome = ConfigOutcome()
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

    def _apply(self, stored: StoredConfig, outcome: ConfigOutcome) -> None:
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
        self, stored: StoredConfig, charge: PendingCharge, outcome: ConfigOutcome
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
            hours=(Decimal(charge.end_ms - charge.start_ms) / MS_PER_HOUR).quantize(
                Decimal("0.000001")
            ),
            rate_per_hour=charge.rate_per_hour,
            amount=result.amount,
            charged_at=isoformat(now),
            run_id=self._run_id,
        )
        context.configs.save(settled, read=stored, also=[context.charges.record_put(record)])
        business_events.record(
            BusinessEvent.CREDITS_CHARGED, identity=stored.sandbox_id, amount=result.amount
        )
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
                _from_ms(limited.start_timestamp + limited.days * MS_PER_DAY)
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

    def _plan_only(self, stored: StoredConfig) -> ConfigOutcome:
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
        outcome = ConfigOutcome(planned=planned)
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
