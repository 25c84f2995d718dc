"""Counting each request against the caller's key and the project, and telling the caller
its quota."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.usage.models import RequestRecord
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod, quota_window

_log = logging.getLogger(__name__)
# What the project counts a request under when no route matched it (a 404 or 405 for a path
# the client made up): the path is the client's own text, and every made-up one would add a
# counter to an item all keys of a shard share (an item holds 400 KB at most).
UNROUTED = "(no route)"


def account_request(
    caller: AuthContext,
    endpoint: str,
    status: int,
    latency_ms: float,
    *,
    group: str,
    routed: bool,
) -> dict[str, str]:
    """Record the request in the caller's counters and the project's (``group``: the
    function's service name; ``routed``: a route matched, so ``endpoint`` names it rather
    than the raw path); returns the X-RateLimit-* headers."""
    # Quotas are counted in real days, whatever the caller's sandbox clock shows.
    now = providers.wall_clock().now()
    request = RequestRecord(
        key_id=caller.key_id,
        sandbox_id=caller.sandbox_id,
        endpoint=endpoint,
        status=status,
        latency_ms=latency_ms,
        at=now,
    )
    used_today = providers.usage_repository().record(request)
    if not routed:
        method = endpoint.partition(" ")[0]
        request = replace(request, endpoint=f"{method} {UNROUTED}")
    try:
        providers.project_counters().record_request(
            request, group=group, tier=caller.tier, first_of_day_for_key=used_today == 1
        )
    except Exception:
        # The caller's own count (its quota) is kept and its headers still answer.
        _log.exception("project counters failed", extra={"endpoint": endpoint, "group": group})
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
