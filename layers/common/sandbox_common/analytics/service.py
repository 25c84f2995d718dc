"""``GET /api/v1/sandbox/analytics/dashboard``: the dashboard of the caller's sandbox."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.analytics.dashboard import Dashboard, compute_dashboard
from sandbox_common.analytics.period import TimePeriod
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.ledger.scope import ledger_scope


def sandbox_dashboard(caller: AuthContext, time_period: str) -> Dashboard:
    """Volumes, counts, corridors and a daily series over ``time_period`` up to now.

    The window is read with the same time bounds the transactions listing uses, so the
    figures add up to what ``GET /transactions?since=…&until=…`` returns.
    """
    caller.require(Permission.ANALYTICS)
    period = TimePeriod.parse(time_period)
    _, scope = ledger_scope(caller)
    now = providers.clock().now()
    start, end = period.window(now)
    transactions = providers.transactions_repository().created_between(scope, start, end)
    return compute_dashboard(
        transactions,
        providers.flags_repository().all(scope),
        providers.accounts_repository().all(scope),
        period=period,
        now=now,
    )
