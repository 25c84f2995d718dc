from datetime import UTC, date, datetime

from sandbox_common.auth import AuthContext, Permission, Role
from sandbox_common.usage.accounting import rate_limit_headers
from sandbox_common.usage.histogram import bucket_of
from sandbox_common.usage.models import DailyUsage
from sandbox_common.usage.report import build_report
from sandbox_common.usage_plans import PlanLimits, QuotaPeriod

CALLER = AuthContext("sbx_k1", "sb_1", Role.DEVELOPER, frozenset({Permission.ANALYTICS}), "free")
NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
DAILY_PLAN = PlanLimits(
    rate_limit=10, burst_limit=20, quota_limit=1000, quota_period=QuotaPeriod.DAY
)


def day(d: date, requests: int, errors: int, endpoints: dict[str, int]) -> DailyUsage:
    return DailyUsage(
        day=d,
        requests=requests,
        errors=errors,
        endpoint_requests=endpoints,
        endpoint_errors=dict.fromkeys(endpoints, 0),
        latency_buckets={bucket_of(8): requests},
    )


def test_report_sums_days_and_endpoints_over_the_period():
    daily = [
        day(date(2026, 11, 20), 4, 1, {"GET /a": 3, "POST /b": 1}),
        day(date(2026, 11, 22), 6, 0, {"GET /a": 6}),
    ]
    report = build_report(
        CALLER, daily, DAILY_PLAN, now=NOW, first=date(2026, 11, 16), last=date(2026, 11, 22)
    )
    assert report.total_requests == 10
    assert report.total_errors == 1
    assert report.error_rate == 0.1
    assert [d.requests for d in report.by_day] == [0, 0, 0, 0, 4, 0, 6]
    assert [(e.endpoint, e.requests) for e in report.by_endpoint] == [("GET /a", 9), ("POST /b", 1)]
    assert report.latency_ms.p95 == 10


def test_daily_quota_counts_only_today():
    daily = [day(date(2026, 11, 21), 50, 0, {}), day(date(2026, 11, 22), 7, 0, {})]
    report = build_report(
        CALLER, daily, DAILY_PLAN, now=NOW, first=date(2026, 11, 21), last=date(2026, 11, 22)
    )
    assert report.quota.used == 7
    assert report.quota.remaining == 993
    assert report.quota.resets_at == datetime(2026, 11, 23, tzinfo=UTC)
    assert report.throttle is not None and report.throttle.rate_limit == 10


def test_monthly_quota_counts_days_before_the_reported_period():
    monthly = PlanLimits(
        rate_limit=1, burst_limit=1, quota_limit=100, quota_period=QuotaPeriod.MONTH
    )
    daily = [day(date(2026, 11, 2), 30, 0, {}), day(date(2026, 11, 22), 5, 0, {})]
    report = build_report(
        CALLER, daily, monthly, now=NOW, first=date(2026, 11, 22), last=date(2026, 11, 22)
    )
    assert report.total_requests == 5
    assert report.quota.used == 35 and report.quota.remaining == 65


def test_tier_without_plan_reports_no_quota():
    report = build_report(
        CALLER,
        [day(date(2026, 11, 22), 3, 0, {})],
        None,
        now=NOW,
        first=NOW.date(),
        last=NOW.date(),
    )
    assert report.quota.limit is None and report.quota.used == 3
    assert report.throttle is None


def test_rate_limit_headers_show_remaining_daily_quota_and_reset():
    headers = rate_limit_headers(DAILY_PLAN, used_today=998, now=NOW)
    assert headers == {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "2",
        "X-RateLimit-Reset": str(int(datetime(2026, 11, 23, tzinfo=UTC).timestamp())),
    }
    assert rate_limit_headers(DAILY_PLAN, used_today=5000, now=NOW)["X-RateLimit-Remaining"] == "0"


def test_no_rate_limit_headers_without_a_daily_quota():
    assert rate_limit_headers(None, 1, NOW) == {}
    weekly = PlanLimits(rate_limit=1, burst_limit=1, quota_limit=10, quota_period=QuotaPeriod.WEEK)
    assert rate_limit_headers(weekly, 1, NOW) == {}
