"""The job's billing and lifecycle rules for one config: what to charge, expire and wake."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.manager.billing import (
    MS_PER_DAY,
    MS_PER_HOUR,
    billing_start_ms,
    charge_amount,
    charge_key,
    due_charge,
    is_expired,
    plan_config,
    wake_due,
)
from sandbox_common.manager.models import PendingCharge, PersistentConfig, StoredConfig

RATE = Decimal("0.2")
T0 = 1_800_000_000_000  # 2027-01-15T08:00:00Z, in ms


def _stored(
    *,
    mode: str = "forever",
    start: int = T0,
    days: int = 30,
    enabled_at: int | None = T0,
    billed_until: int | None = None,
    last_wake: int | None = None,
    pending: PendingCharge | None = None,
) -> StoredConfig:
    config: dict[str, Any] = {"enabled": True, "mode": mode}
    if mode == "limited":
        config["limitedConfig"] = {"startTimestamp": start, "days": days}
    if last_wake is not None:
        config["lastWakeUpTimestamp"] = last_wake
    return StoredConfig(
        sandbox_id="sb_1",
        customer_id="cust_1",
        user_email="a@example.com",
        config=PersistentConfig.model_validate(config),
        version=3,
        updated_at=datetime(2027, 1, 15, tzinfo=UTC),
        enabled_at_ms=enabled_at,
        billed_until_ms=billed_until,
        pending_charge=pending,
    )


def test_an_hour_at_the_default_rate_costs_two_tenths():
    assert charge_amount(T0, T0 + MS_PER_HOUR, RATE) == Decimal("0.2000")


def test_the_amount_is_rounded_half_up_to_four_decimals():
    # 1 s at 0.2/h is 0.0000555… credits.
    assert charge_amount(T0, T0 + 1000, RATE) == Decimal("0.0001")
    # 0.9 s is 0.00005: half, rounded up.
    assert charge_amount(T0, T0 + 900, RATE) == Decimal("0.0001")
    assert charge_amount(T0, T0 + 899, RATE) == Decimal("0.0000")


def test_a_period_is_named_by_its_sandbox_and_start():
    assert charge_key("sb_1", T0) == f"sb_1:{T0}"


def test_billing_starts_where_the_last_charge_ended():
    assert billing_start_ms(_stored(billed_until=T0 + MS_PER_HOUR)) == T0 + MS_PER_HOUR


def test_billing_never_starts_before_the_config_was_enabled():
    # Re-enabled after a pause: the disabled hours are not billed.
    stored = _stored(enabled_at=T0 + 5 * MS_PER_HOUR, billed_until=T0 + MS_PER_HOUR)

    assert billing_start_ms(stored) == T0 + 5 * MS_PER_HOUR


def test_a_limited_window_that_opens_later_is_not_billed_before_it_opens():
    stored = _stored(mode="limited", start=T0 + MS_PER_DAY)

    assert due_charge(stored, T0 + MS_PER_HOUR, RATE) is None
    charge = due_charge(stored, T0 + MS_PER_DAY + MS_PER_HOUR, RATE)
    assert charge is not None and charge.start_ms == T0 + MS_PER_DAY


def test_a_config_with_no_billing_position_is_not_billed():
    assert due_charge(_stored(enabled_at=None), T0 + MS_PER_HOUR, RATE) is None


def test_the_due_charge_runs_to_now_and_carries_its_identity():
    charge = due_charge(_stored(billed_until=T0), T0 + 3 * MS_PER_HOUR, RATE)

    assert charge is not None
    assert (charge.start_ms, charge.end_ms) == (T0, T0 + 3 * MS_PER_HOUR)
    assert charge.amount == Decimal("0.6000")
    assert charge.key == f"sb_1:{T0}"
    assert charge.customer_id == "cust_1"


def test_a_period_too_short_to_cost_anything_is_left_to_grow():
    assert due_charge(_stored(), T0 + 500, RATE) is None


def test_a_limited_window_is_charged_up_to_its_end_only():
    stored = _stored(mode="limited", days=1, billed_until=T0 + 23 * MS_PER_HOUR)

    charge = due_charge(stored, T0 + 30 * MS_PER_HOUR, RATE)

    assert charge is not None and charge.end_ms == T0 + MS_PER_DAY
    assert charge.amount == Decimal("0.2000")


def test_a_limited_config_expires_when_its_window_closes():
    stored = _stored(mode="limited", days=2)

    assert not is_expired(stored, T0 + 2 * MS_PER_DAY - 1)
    assert is_expired(stored, T0 + 2 * MS_PER_DAY)
    assert not is_expired(_stored(), T0 + 1000 * MS_PER_DAY)


def test_a_sandbox_is_woken_when_its_last_wake_up_is_22_hours_old_or_it_never_woke():
    assert wake_due(_stored(), T0, 22)
    assert not wake_due(_stored(last_wake=T0), T0 + 22 * MS_PER_HOUR - 1, 22)
    assert wake_due(_stored(last_wake=T0), T0 + 22 * MS_PER_HOUR, 22)


def test_a_pending_charge_is_settled_first_and_the_next_period_starts_at_its_end():
    pending = PendingCharge(
        key=f"sb_1:{T0}",
        customer_id="cust_1",
        start_ms=T0,
        end_ms=T0 + MS_PER_HOUR,
        amount=Decimal("0.2"),
        rate_per_hour=RATE,
    )
    stored = _stored(billed_until=T0, pending=pending, last_wake=T0)

    plan = plan_config(stored, T0 + 2 * MS_PER_HOUR, rate_per_hour=RATE, wake_after_hours=22)

    assert plan.settle == pending
    assert plan.charge is not None
    assert (plan.charge.start_ms, plan.charge.end_ms) == (T0 + MS_PER_HOUR, T0 + 2 * MS_PER_HOUR)
    assert not plan.expire and not plan.wake


def test_an_expiring_config_is_charged_its_last_period_and_not_woken():
    stored = _stored(mode="limited", days=1, billed_until=T0 + 20 * MS_PER_HOUR)

    plan = plan_config(stored, T0 + 2 * MS_PER_DAY, rate_per_hour=RATE, wake_after_hours=22)

    assert plan.charge is not None and plan.charge.end_ms == T0 + MS_PER_DAY
    assert plan.expire and not plan.wake


@given(
    st.lists(st.integers(min_value=1, max_value=3 * MS_PER_HOUR), min_size=1, max_size=30),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100"), places=4),
)
def test_periods_charged_run_after_run_tile_time_and_add_up_to_the_rate(
    gaps: list[int], rate: Decimal
) -> None:
    """However the runs fall, each period starts where the last ended, and the amounts add up
    to ``hours × rate`` within half a unit of the 4th decimal per period."""
    stored = _stored(billed_until=T0)
    now = T0
    total = Decimal(0)
    periods = 0
    for gap in gaps:
        now += gap
        charge = due_charge(stored, now, rate)
        if charge is None:
            continue
        assert charge.start_ms == stored.billed_until_ms
        total += charge.amount
        periods += 1
        stored = stored.model_copy(update={"billed_until_ms": charge.end_ms})
    exact = Decimal(now - T0) / MS_PER_HOUR * rate
    # What is not billed yet is a tail too short to cost 0.00005.
    unbilled = Decimal(now - (stored.billed_until_ms or T0)) / MS_PER_HOUR * rate
    assert abs(total + unbilled - exact) <= Decimal("0.00005") * periods + Decimal("0.000001")
