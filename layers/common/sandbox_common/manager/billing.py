"""What the hourly job does to one persistent config: the billing and lifecycle rules.

Pure: given a stored config, the time and the rate, say what to charge, whether the limited
window is over and whether the sandbox is due a wake-up. No I/O, so every rule is tested on
its own and the job (``manager.persistence_job``) only carries the plan out.

Billing is on real (wall) time in milliseconds since the epoch, never on the sandbox clock: a
developer who freezes or advances their sandbox's clock changes neither what they pay nor
when their sandbox wakes. A charge covers the period from where billing stands to now:
``elapsed hours × rate``, rounded half-up to 4 decimals. Each period starts where the last
one ended, so the periods tile time with no gap and no overlap, and a period is named by its
start: ``<sandboxId>:<start ms>`` is its identity and the payment server's idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sandbox_common.manager.models import PendingCharge, PersistenceMode, StoredConfig

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
AMOUNT_PLACES = Decimal("0.0001")


def epoch_ms(moment: datetime) -> int:
    """``moment`` in whole milliseconds since the epoch (the configs' timestamp unit)."""
    return int(moment.timestamp() * 1000)


def charge_amount(start_ms: int, end_ms: int, rate_per_hour: Decimal) -> Decimal:
    """What ``[start_ms, end_ms)`` costs at ``rate_per_hour``: exact, then 4 decimals."""
    hours = Decimal(end_ms - start_ms) / MS_PER_HOUR
    return (hours * rate_per_hour).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)


def charge_key(sandbox_id: str, start_ms: int) -> str:
    """The identity of the period starting at ``start_ms``: one charge, ever, per key."""
    return f"{sandbox_id}:{start_ms}"


def limited_end_ms(stored: StoredConfig) -> int | None:
    """When a limited config's window closes (None for ``forever``)."""
    limited = stored.config.limited_config
    if stored.config.mode is not PersistenceMode.LIMITED or limited is None:
        return None
    return limited.start_timestamp + limited.days * MS_PER_DAY


def billing_start_ms(stored: StoredConfig) -> int | None:
    """Where the next period starts: the end of the last charge, but never before the config
    was enabled nor before a limited window opens (None: not billable)."""
    starts = [ms for ms in (stored.billed_until_ms, stored.enabled_at_ms) if ms is not None]
    if not starts:
        return None
    start = max(starts)
    limited = stored.config.limited_config
    if stored.config.mode is PersistenceMode.LIMITED and limited is not None:
        start = max(start, limited.start_timestamp)
    return start


def due_charge(stored: StoredConfig, now_ms: int, rate_per_hour: Decimal) -> PendingCharge | None:
    """The period to charge now (up to now, or to the end of a limited window), if it costs
    anything; None when nothing is due (a period that rounds to 0 is left to grow)."""
    start = billing_start_ms(stored)
    if start is None:
        return None
    end = now_ms
    window_end = limited_end_ms(stored)
    if window_end is not None:
        end = min(end, window_end)
    if end <= start:
        return None
    amount = charge_amount(start, end, rate_per_hour)
    if amount <= 0:
        return None
    return PendingCharge(
        key=charge_key(stored.sandbox_id, start),
        customer_id=stored.customer_id,
        start_ms=start,
        end_ms=end,
        amount=amount,
        rate_per_hour=rate_per_hour,
    )


def is_expired(stored: StoredConfig, now_ms: int) -> bool:
    """True once a limited config's window has closed."""
    window_end = limited_end_ms(stored)
    return window_end is not None and now_ms >= window_end


def wake_due(stored: StoredConfig, now_ms: int, wake_after_hours: int) -> bool:
    """True when the sandbox's last wake-up is ``wake_after_hours`` old, or it never woke."""
    last = stored.config.last_wake_up_timestamp
    return last is None or now_ms - last >= wake_after_hours * MS_PER_HOUR


@dataclass(frozen=True)
class ConfigPlan:
    """What one run does to one enabled config, in this order."""

    # A charge recorded by an earlier run that has not been confirmed yet: settle it first,
    # under its own key, so a run that died after the payment server charged never charges
    # it twice and never loses it.
    settle: PendingCharge | None
    # The period due now (after ``settle``).
    charge: PendingCharge | None
    # The limited window is over: disable the config and shut the sandbox down.
    expire: bool
    # The sandbox's last wake-up is old enough: wake it (not when it is expiring).
    wake: bool


def plan_config(
    stored: StoredConfig, now_ms: int, *, rate_per_hour: Decimal, wake_after_hours: int
) -> ConfigPlan:
    """The plan for an enabled config at ``now_ms``.

    With a pending charge, the next period is planned from that charge's end, as it stands
    once the pending one is settled.
    """
    settle = stored.pending_charge
    billed = stored
    if settle is not None:
        billed = stored.model_copy(update={"billed_until_ms": settle.end_ms})
    expire = is_expired(stored, now_ms)
    return ConfigPlan(
        settle=settle,
        charge=due_charge(billed, now_ms, rate_per_hour),
        expire=expire,
        wake=not expire and wake_due(stored, now_ms, wake_after_hours),
    )
