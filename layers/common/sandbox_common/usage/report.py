"""``GET /api/v1/sandbox/usage``: the caller's usage assembled from its daily counters."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.usage.histogram import percentile
from sandbox_common.usage.models import (
    DailyUsage,
    DayFigures,
    EndpointFigures,
    LatencyFigures,
    QuotaFigures,
    ThrottleFigures,
    UsageReport,
)
from sandbox_common.usage_plans import PlanLimits, quota_window


def usage_report(caller: AuthContext, days: int) -> UsageReport:
    """The caller's usage over the last ``days`` UTC days (today included)."""
    # Usage is counted in real days (see accounting), not in the sandbox's time.
    now = providers.wall_clock().now()
    limits = providers.plan_catalog().limits(caller.tier)
    last = now.date()
    first = last - timedelta(days=days - 1)
    fetch_from = first
    if limits and limits.quota_period:
        fetch_from = min(first, quota_window(limits.quota_period, now)[0].date())
    daily = providers.usage_repository().days(caller.key_id, fetch_from, last)
    return build_report(caller, daily, limits, now=now, first=first, last=last)


def build_report(
    caller: AuthContext,
    daily: list[DailyUsage],
    limits: PlanLimits | None,
    *,
    now: datetime,
    first: date,
    last: date,
) -> UsageReport:
    """Assemble the report from counters (pure: no I/O)."""
    in_period = [day for day in daily if first <= day.day <= last]
    by_day = {day.day: day for day in in_period}
    endpoint_requests: Counter[str] = Counter()
    endpoint_errors: Counter[str] = Counter()
    latency: Counter[int] = Counter()
    for day in in_period:
        endpoint_requests.update(day.endpoint_requests)
        endpoint_errors.update(day.endpoint_errors)
        latency.update(day.latency_buckets)
    total_requests = sum(day.requests for day in in_period)
    total_errors = sum(day.errors for day in in_period)
    return UsageReport(
        key_id=caller.key_id,
        sandbox_id=caller.sandbox_id,
        tier=caller.tier,
        period_start=first,
        period_end=last,
        total_requests=total_requests,
        total_errors=total_errors,
        error_rate=round(total_errors / total_requests, 4) if total_requests else 0.0,
        by_day=[
            _day_figures(by_day, first + timedelta(days=n)) for n in range((last - first).days + 1)
        ],
        by_endpoint=[
            EndpointFigures(endpoint=name, requests=count, errors=endpoint_errors.get(name, 0))
            for name, count in endpoint_requests.most_common()
        ],
        latency_ms=LatencyFigures(
            p50=percentile(latency, 0.50),
            p95=percentile(latency, 0.95),
            p99=percentile(latency, 0.99),
        ),
        quota=_quota(daily, limits, now),
        throttle=ThrottleFigures(rate_limit=limits.rate_limit, burst_limit=limits.burst_limit)
        if limits
        else None,
    )


def _day_figures(by_day: dict[date, DailyUsage], day: date) -> DayFigures:
    counters = by_day.get(day)
    return DayFigures(
        date=day,
        requests=counters.requests if counters else 0,
        errors=counters.errors if counters else 0,
    )


def _quota(daily: list[DailyUsage], limits: PlanLimits | None, now: datetime) -> QuotaFigures:
    if limits is None or limits.quota_limit is None or limits.quota_period is None:
        today = next((day.requests for day in daily if day.day == now.date()), 0)
        return QuotaFigures(limit=None, period=None, used=today, remaining=None, resets_at=None)
    start, end = quota_window(limits.quota_period, now)
    used = sum(day.requests for day in daily if start.date() <= day.day < end.date())
    return QuotaFigures(
        limit=limits.quota_limit,
        period=limits.quota_period.value,
        used=used,
        remaining=max(0, limits.quota_limit - used),
        resets_at=end,
    )
