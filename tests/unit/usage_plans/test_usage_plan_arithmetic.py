"""Usage-plan arithmetic: token buckets, quota windows and counters (no clock, no I/O)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sandbox_common.usage_plans import (
    ACCOUNT_BURST_LIMIT,
    ACCOUNT_RATE_LIMIT,
    PlanLimits,
    QuotaCounter,
    QuotaPeriod,
    TokenBucket,
    quota_window,
    retry_after_seconds,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ---------------------------------------------------------------- PlanLimits


def test_plan_limits_read_boto3_usage_plan_shape() -> None:
    plan = {
        "id": "abc",
        "throttle": {"rateLimit": 10.0, "burstLimit": 20},
        "quota": {"limit": 1000, "period": "DAY", "offset": 0},
    }

    limits = PlanLimits.from_usage_plan(plan)

    assert limits == PlanLimits(10.0, 20, 1000, QuotaPeriod.DAY)
    assert limits.has_quota


def test_plan_without_throttle_or_quota_gets_account_limits_and_no_quota() -> None:
    limits = PlanLimits.from_usage_plan({"id": "abc"})

    assert limits.rate_limit == ACCOUNT_RATE_LIMIT
    assert limits.burst_limit == ACCOUNT_BURST_LIMIT
    assert limits.quota_limit is None and limits.quota_period is None
    assert not limits.has_quota


def test_plan_limits_accept_lower_case_period() -> None:
    limits = PlanLimits.from_usage_plan({"quota": {"limit": 5, "period": "week"}})

    assert limits.quota_period is QuotaPeriod.WEEK


# ---------------------------------------------------------------- TokenBucket


def test_bucket_allows_a_full_burst_then_refuses() -> None:
    bucket = TokenBucket(rate=2, burst=3, now=100.0)

    assert [bucket.take(100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(100.0) == pytest.approx(0.5)


def test_bucket_retry_after_is_exact_time_until_next_token() -> None:
    bucket = TokenBucket(rate=4, burst=1, now=0.0)
    bucket.take(0.0)

    # 0.125 s later a quarter token of the 0.25 s needed has refilled.
    assert bucket.take(0.125) == pytest.approx(0.125)
    assert bucket.take(0.25) == 0.0


def test_bucket_refills_at_rate_up_to_burst_only() -> None:
    bucket = TokenBucket(rate=10, burst=2, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)

    assert bucket.available(1000.0) == 2.0  # an idle hour does not bank more than the burst


def test_bucket_refill_of_exactly_one_token_is_allowed_despite_float_rounding() -> None:
    bucket = TokenBucket(rate=10, burst=1, now=0.0)
    bucket.take(0.0)

    assert bucket.take(0.1) == 0.0  # 0.1 * 10 is 1.0000000000000002 or 0.9999…


def test_bucket_ignores_a_clock_stepping_backwards() -> None:
    bucket = TokenBucket(rate=1, burst=1, now=10.0)
    bucket.take(10.0)

    assert bucket.take(5.0) == pytest.approx(1.0)
    assert bucket.take(11.0) == 0.0


def test_bucket_with_zero_rate_never_refills() -> None:
    bucket = TokenBucket(rate=0, burst=1, now=0.0)
    bucket.take(0.0)

    assert math.isinf(bucket.take(1e9))


def test_retry_after_rounds_up_and_is_at_least_one_second() -> None:
    assert retry_after_seconds(0.01) == 1
    assert retry_after_seconds(1.0) == 1
    assert retry_after_seconds(1.2) == 2
    assert retry_after_seconds(59.999) == 60
    assert retry_after_seconds(math.inf) == 86_400


# ---------------------------------------------------------------- quota_window


def test_day_window_is_utc_midnight_to_midnight() -> None:
    start, end = quota_window(QuotaPeriod.DAY, utc(2026, 3, 14, 15, 9, 26))

    assert (start, end) == (utc(2026, 3, 14), utc(2026, 3, 15))


def test_day_window_edges_are_start_inclusive_end_exclusive() -> None:
    assert quota_window(QuotaPeriod.DAY, utc(2026, 3, 14))[0] == utc(2026, 3, 14)
    last_instant = utc(2026, 3, 14) + timedelta(days=1, microseconds=-1)
    assert quota_window(QuotaPeriod.DAY, last_instant)[0] == utc(2026, 3, 14)


def test_week_window_starts_monday_utc() -> None:
    sunday_night = utc(2026, 3, 15, 23, 59)  # 2026-03-15 is a Sunday

    start, end = quota_window(QuotaPeriod.WEEK, sunday_night)

    assert start == utc(2026, 3, 9) and start.weekday() == 0
    assert end == utc(2026, 3, 16)
    assert quota_window(QuotaPeriod.WEEK, utc(2026, 3, 16))[0] == utc(2026, 3, 16)


def test_week_window_spans_a_year_boundary() -> None:
    start, end = quota_window(QuotaPeriod.WEEK, utc(2027, 1, 1, 12))  # a Friday

    assert (start, end) == (utc(2026, 12, 28), utc(2027, 1, 4))


def test_month_window_rolls_over_december_into_next_year() -> None:
    start, end = quota_window(QuotaPeriod.MONTH, utc(2026, 12, 31, 23, 59, 59))

    assert (start, end) == (utc(2026, 12, 1), utc(2027, 1, 1))


def test_month_window_handles_february_of_leap_year() -> None:
    assert quota_window(QuotaPeriod.MONTH, utc(2028, 2, 29, 8)) == (
        utc(2028, 2, 1),
        utc(2028, 3, 1),
    )


def test_window_of_non_utc_time_is_computed_in_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    early_tokyo_morning = datetime(2026, 3, 15, 5, 0, tzinfo=tokyo)  # 2026-03-14 20:00 UTC

    assert quota_window(QuotaPeriod.DAY, early_tokyo_morning)[0] == utc(2026, 3, 14)


def test_naive_time_is_taken_as_utc() -> None:
    assert quota_window(QuotaPeriod.DAY, datetime(2026, 3, 14, 1))[0] == utc(2026, 3, 14)


# ---------------------------------------------------------------- QuotaCounter


def test_quota_counts_up_to_limit_then_refuses_until_window_end() -> None:
    counter = QuotaCounter(limit=2, period=QuotaPeriod.DAY)
    now = utc(2026, 3, 14, 23, 59, 30)

    first, second, third = (counter.consume(now) for _ in range(3))

    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert not third.allowed
    assert third.retry_after == pytest.approx(30.0)
    assert third.reset_epoch == int(utc(2026, 3, 15).timestamp())


def test_quota_starts_afresh_in_the_next_window() -> None:
    counter = QuotaCounter(limit=1, period=QuotaPeriod.MONTH)
    counter.consume(utc(2026, 12, 31, 23))

    decision = counter.consume(utc(2027, 1, 1))

    assert decision.allowed and decision.used == 1


def test_quota_peek_does_not_count() -> None:
    counter = QuotaCounter(limit=3, period=QuotaPeriod.WEEK)
    counter.consume(utc(2026, 3, 14))

    peeked = counter.peek(utc(2026, 3, 14))

    assert peeked.used == 1 and peeked.remaining == 2
    assert counter.peek(utc(2026, 3, 14)).used == 1
