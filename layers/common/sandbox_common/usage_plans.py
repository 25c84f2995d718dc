"""Usage-plan arithmetic as API Gateway applies it: throttle token buckets and quota windows.

Pure Python (no boto3, no I/O, no clock reads): every function takes ``now`` so callers
decide the time source. Shared by the local runtime, which enforces usage plans because moto
does not, and by the keys function, which reports the caller's remaining quota.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

__all__ = [
    "ACCOUNT_BURST_LIMIT",
    "ACCOUNT_RATE_LIMIT",
    "PlanLimits",
    "QuotaCounter",
    "QuotaDecision",
    "QuotaPeriod",
    "TokenBucket",
    "quota_window",
    "retry_after_seconds",
]

# A usage plan without a throttle falls back to the account-level limits (AWS defaults).
ACCOUNT_RATE_LIMIT = 10_000.0
ACCOUNT_BURST_LIMIT = 5_000

# Token counts are floats; refills like 0.1 s x 10 tokens/s land a hair below 1.0.
_EPSILON = 1e-9


class QuotaPeriod(StrEnum):
    """The period of a usage-plan quota, named as API Gateway names it."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True)
class PlanLimits:
    """Throttle and quota of one usage plan."""

    rate_limit: float
    burst_limit: int
    quota_limit: int | None
    quota_period: QuotaPeriod | None

    @classmethod
    def from_usage_plan(cls, plan: Mapping[str, Any]) -> PlanLimits:
        """Build from a usage plan in the boto3 ``get_usage_plan`` shape.

        Missing throttle → account-level limits; missing quota → no quota.
        """
        throttle = plan.get("throttle") or {}
        quota = plan.get("quota") or {}
        rate = throttle.get("rateLimit")
        burst = throttle.get("burstLimit")
        limit = quota.get("limit")
        period = quota.get("period")
        quota_limit: int | None = None
        quota_period: QuotaPeriod | None = None
        if limit is not None and period is not None:
            quota_limit, quota_period = int(limit), QuotaPeriod(str(period).upper())
        return cls(
            rate_limit=float(rate) if rate is not None else ACCOUNT_RATE_LIMIT,
            burst_limit=int(burst) if burst is not None else ACCOUNT_BURST_LIMIT,
            quota_limit=quota_limit,
            quota_period=quota_period,
        )

    @property
    def has_quota(self) -> bool:
        """Whether the plan limits the number of requests per period."""
        return self.quota_limit is not None and self.quota_period is not None


def quota_window(period: QuotaPeriod, now: datetime) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of the quota window containing ``now``.

    DAY starts at midnight UTC, WEEK on Monday 00:00 UTC, MONTH on the 1st 00:00 UTC.
    A naive ``now`` is taken to be UTC.
    """
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is QuotaPeriod.DAY:
        return midnight, midnight + timedelta(days=1)
    if period is QuotaPeriod.WEEK:
        start = midnight - timedelta(days=midnight.weekday())
        return start, start + timedelta(days=7)
    start = midnight.replace(day=1)
    if start.month == 12:
        return start, start.replace(year=start.year + 1, month=1)
    return start, start.replace(month=start.month + 1)


def retry_after_seconds(wait: float) -> int:
    """A ``Retry-After`` value for a wait in seconds: rounded up, at least 1."""
    if math.isinf(wait) or math.isnan(wait):
        # Rate 0 never refills; a day is as good an answer as any and stays an integer.
        return 86_400
    return max(1, math.ceil(wait - _EPSILON))


class TokenBucket:
    """API Gateway's throttle: ``burst`` tokens of capacity refilled at ``rate`` per second.

    Starts full. Not thread-safe by itself (the lock is public for callers that share one).
    """

    def __init__(self, rate: float, burst: int, now: float | None = None) -> None:
        self.rate = float(rate)
        self.burst = int(burst)
        self.lock = threading.Lock()
        self._tokens = float(burst)
        self._updated: float | None = now

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            # A clock that steps backwards must not drain the bucket.
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now if self._updated is None else max(self._updated, now)

    def take(self, now: float) -> float:
        """Take one token at ``now`` (seconds): 0.0 if allowed, else seconds until one refills."""
        self._refill(now)
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        if self.rate <= 0 or self.burst < 1:
            return math.inf
        return (1.0 - self._tokens) / self.rate

    def available(self, now: float) -> float:
        """Tokens available at ``now`` without taking one."""
        self._refill(now)
        return self._tokens


@dataclass(frozen=True)
class QuotaDecision:
    """The outcome of counting one request against a quota."""

    allowed: bool
    limit: int
    used: int
    window_start: datetime
    window_end: datetime
    retry_after: float

    @property
    def remaining(self) -> int:
        """Requests left in the window (never negative)."""
        return max(0, self.limit - self.used)

    @property
    def reset_epoch(self) -> int:
        """Epoch seconds at which the window ends and the count starts again."""
        return int(self.window_end.timestamp())


class QuotaCounter:
    """Requests counted per quota window; the count restarts when the window changes.

    Not thread-safe by itself (the lock is public for callers that share one).
    """

    def __init__(self, limit: int, period: QuotaPeriod) -> None:
        self.limit = int(limit)
        self.period = period
        self.lock = threading.Lock()
        self._window_start: datetime | None = None
        self._used = 0

    def _roll(self, now: datetime) -> tuple[datetime, datetime]:
        start, end = quota_window(self.period, now)
        if start != self._window_start:
            self._window_start = start
            self._used = 0
        return start, end

    def _decision(
        self, allowed: bool, now: datetime, start: datetime, end: datetime
    ) -> QuotaDecision:
        now_utc = now.replace(tzinfo=UTC) if now.tzinfo is None else now
        wait = 0.0 if allowed else (end - now_utc).total_seconds()
        return QuotaDecision(allowed, self.limit, self._used, start, end, wait)

    def consume(self, now: datetime) -> QuotaDecision:
        """Count one request at ``now`` if the quota allows it."""
        start, end = self._roll(now)
        if self._used >= self.limit:
            return self._decision(False, now, start, end)
        self._used += 1
        return self._decision(True, now, start, end)

    def peek(self, now: datetime) -> QuotaDecision:
        """The quota state at ``now`` without counting a request."""
        start, end = self._roll(now)
        return self._decision(self._used < self.limit, now, start, end)
