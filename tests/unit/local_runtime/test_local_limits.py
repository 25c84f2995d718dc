"""Usage plans enforced per key per plan: throttle, quota, headers."""

from __future__ import annotations

from typing import Any

from local_runtime.limits import UsagePlanEnforcer
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod

TIGHT = PlanLimits(rate_limit=1, burst_limit=2, quota_limit=3, quota_period=QuotaPeriod.DAY)


def test_burst_then_throttled_with_retry_after_and_quota_headers(clock: Any) -> None:
    enforcer = UsagePlanEnforcer(clock)

    first = enforcer.check("k1", "plan", TIGHT)
    second = enforcer.check("k1", "plan", TIGHT)
    third = enforcer.check("k1", "plan", TIGHT)

    assert first.allowed and second.allowed
    assert third.response_type == "THROTTLED"
    assert third.retry_after == 1
    assert third.headers["X-RateLimit-Remaining"] == "1"  # the throttled one is not counted


def test_quota_exhaustion_refuses_until_utc_midnight(clock: Any) -> None:
    enforcer = UsagePlanEnforcer(clock)  # 2027-01-15 08:00:00 UTC
    for _ in range(3):
        assert enforcer.check("k1", "plan", TIGHT).allowed
        clock.advance(1)

    refused = enforcer.check("k1", "plan", TIGHT)

    assert refused.response_type == "QUOTA_EXCEEDED"
    assert refused.retry_after == 16 * 3600 - 3
    assert refused.headers == {
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(1_800_000_000 + 16 * 3600),
    }
    clock.now = 1_800_000_000 + 16 * 3600
    assert enforcer.check("k1", "plan", TIGHT).allowed


def test_allowed_request_reports_remaining_quota(clock: Any) -> None:
    decision = UsagePlanEnforcer(clock).check("k1", "plan", TIGHT)

    assert decision.headers["X-RateLimit-Limit"] == "3"
    assert decision.headers["X-RateLimit-Remaining"] == "2"


def test_keys_are_limited_independently(clock: Any) -> None:
    enforcer = UsagePlanEnforcer(clock)
    enforcer.check("k1", "plan", TIGHT)
    enforcer.check("k1", "plan", TIGHT)

    assert enforcer.check("k2", "plan", TIGHT).allowed


def test_moving_a_key_to_another_plan_starts_fresh_counters(clock: Any) -> None:
    enforcer = UsagePlanEnforcer(clock)
    enforcer.check("k1", "free", TIGHT)
    enforcer.check("k1", "free", TIGHT)

    assert enforcer.check("k1", "pro", TIGHT).allowed


def test_plan_without_quota_has_no_rate_limit_headers(clock: Any) -> None:
    limits = PlanLimits(rate_limit=5, burst_limit=5, quota_limit=None, quota_period=None)

    assert UsagePlanEnforcer(clock).check("k1", "plan", limits).headers == {}


def test_raised_limit_applies_at_once_and_keeps_the_count(clock: Any) -> None:
    enforcer = UsagePlanEnforcer(clock)
    for _ in range(2):
        enforcer.check("k1", "plan", TIGHT)
        clock.advance(1)
    roomier = PlanLimits(
        rate_limit=100, burst_limit=100, quota_limit=10, quota_period=QuotaPeriod.DAY
    )

    decision = enforcer.check("k1", "plan", roomier)

    assert decision.headers["X-RateLimit-Remaining"] == "7"
