"""``GET /api/v1/sandbox/analytics/dashboard``: the dashboard of the caller's sandbox."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.analytics.dashboard import Dashboard
from sandbox_common.analytics.period import TimePeriod
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.sandboxes.data_scope import data_scope


def sandbox_dashboard(caller: AuthContext, time_period: str) -> Dashboard:
    """Volumes, counts, corridors and a daily series over ``time_period`` up to now.

    Read from the figures kept at write time: a few queries over at most ~48 hour and
    366 day buckets plus two summaries, whatever the sandbox holds. The window is whole
    UTC hours (``TimePeriod.window``), so the figures add up exactly to what
    ``GET /transactions?since=<period_start>&until=<period_end>`` lists.
    """
    from sandbox_common.analytics.aggregates import bucket_ranges, dashboard_from_figures

    caller.require(Permission.ANALYTICS)
    period = TimePeriod.parse(time_period)
    _, scope = data_scope(caller)
    now = providers.clock().now()
    start, end = period.window(now)
    stored = providers.aggregates_repository().read(scope, bucket_ranges(start, end))
    return dashboard_from_figures(stored, period=period, now=now)
