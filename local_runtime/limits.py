"""Usage-plan enforcement per key per plan: throttle (token bucket), then quota."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox_common.usage_plans import (
    PlanLimits,
    QuotaCounter,
    QuotaDecision,
    TokenBucket,
    retry_after_seconds,
)

__all__ = ["LimitDecision", "UsagePlanEnforcer", "rate_limit_headers"]


def rate_limit_headers(quota: QuotaDecision | None) -> dict[str, str]:
    """`X-RateLimit-*` headers describing the caller's quota (none without a quota)."""
    if quota is None:
        return {}
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(quota.remaining),
        "X-RateLimit-Reset": str(quota.reset_epoch),
    }


@dataclass(frozen=True)
class LimitDecision:
    """Whether a keyed request may reach the integration, and the headers it carries."""

    response_type: str | None = None  # None: allowed; else THROTTLED or QUOTA_EXCEEDED
    retry_after: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        """Whether the request goes through."""
        return self.response_type is None


class UsagePlanEnforcer:
    """API Gateway's usage-plan checks, keyed by (plan, key) so a tier change starts afresh.

    The quota counts requests forwarded to the integration; a throttled request is not
    counted. Limits are read per request, so a plan edited in moto applies at once.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[tuple[float, int], TokenBucket]] = {}
        self._quotas: dict[tuple[str, str], QuotaCounter] = {}

    def _bucket(self, slot: tuple[str, str], limits: PlanLimits, now: float) -> TokenBucket:
        shape = (limits.rate_limit, limits.burst_limit)
        entry = self._buckets.get(slot)
        if entry is None or entry[0] != shape:
            entry = (shape, TokenBucket(limits.rate_limit, limits.burst_limit, now))
            self._buckets[slot] = entry
        return entry[1]

    def _quota(self, slot: tuple[str, str], limits: PlanLimits) -> QuotaCounter | None:
        if limits.quota_limit is None or limits.quota_period is None:
            self._quotas.pop(slot, None)
            return None
        counter = self._quotas.get(slot)
        if counter is None or counter.period is not limits.quota_period:
            counter = QuotaCounter(limits.quota_limit, limits.quota_period)
            self._quotas[slot] = counter
        # A new limit within the window keeps the requests already counted, as in AWS.
        counter.limit = limits.quota_limit
        return counter

    def check(self, key_id: str, plan_id: str, limits: PlanLimits) -> LimitDecision:
        """Count one request of ``key_id`` under ``plan_id`` if the plan allows it."""
        now = self._clock()
        wall = datetime.fromtimestamp(now, UTC)
        slot = (plan_id, key_id)
        with self._lock:
            wait = self._bucket(slot, limits, now).take(now)
            counter = self._quota(slot, limits)
            if wait > 0:
                quota = counter.peek(wall) if counter else None
                return LimitDecision(
                    "THROTTLED", retry_after_seconds(wait), rate_limit_headers(quota)
                )
            if counter is None:
                return LimitDecision()
            quota = counter.consume(wall)
        if not quota.allowed:
            return LimitDecision(
                "QUOTA_EXCEEDED", retry_after_seconds(quota.retry_after), rate_limit_headers(quota)
            )
        return LimitDecision(headers=rate_limit_headers(quota))
