"""Counting each request against the caller's key and telling it its quota."""

from __future__ import annotations

from datetime import datetime

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.usage.models import RequestRecord
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod, quota_window


def account_request(
    caller: AuthContext, endpoint: str, status: int, latency_ms: float
) -> dict[str, str]:
    """Record the request in the caller's counters; returns the X-RateLimit-* headers."""
    # Quotas are counted in real days, whatever the caller's sandbox clock shows.
    now = providers.wall_clock().now()
    used_today = providers.usage_repository().record(
        RequestRecord(
            key_id=caller.key_id,
            sandbox_id=caller.sandbox_id,
            endpoint=endpoint,
            status=status,
            latency_ms=latency_ms,
            at=now,
        )
    )
    return rate_limit_headers(providers.plan_catalog().limits(caller.tier), used_today, now)


def rate_limit_headers(limits: PlanLimits | None, used_today: int, now: datetime) -> dict[str, str]:
    """Quota headers from a daily count; empty when the plan has no daily quota.

    Counters are kept per UTC day, which is exactly API Gateway's DAY quota window; for
    WEEK or MONTH quotas the local runtime's own headers stand (they count the window).
    """
    if limits is None or limits.quota_limit is None or limits.quota_period is not QuotaPeriod.DAY:
        return {}
    _, resets_at = quota_window(QuotaPeriod.DAY, now)
    return {
        "X-RateLimit-Limit": str(limits.quota_limit),
        "X-RateLimit-Remaining": str(max(0, limits.quota_limit - used_today)),
        "X-RateLimit-Reset": str(int(resets_at.timestamp())),
    }
