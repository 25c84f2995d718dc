"""The project's analytics assembled from its daily counters (pure: no AWS)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.auth import AuthContext, Permission, Role
from sandbox_common.errors import Forbidden, InvalidInput
from sandbox_common.platform_usage.counters import BusinessEvent, ProjectDay, event_counter
from sandbox_common.platform_usage.report import build_analytics, platform_analytics

FIRST = date(2026, 11, 1)
LAST = date(2026, 11, 7)
ADMIN = AuthContext("bootstrap-admin", "operator", Role.ADMIN, frozenset(Permission), "admin")
DEVELOPER = AuthContext("sbx_k1", "sb_1", Role.DEVELOPER, frozenset(Permission), "free")


def shard_day(
    day: date,
    groups: dict[str, tuple[int, int]] | None = None,
    endpoints: dict[str, tuple[int, int]] | None = None,
    **counters: object,
) -> ProjectDay:
    """One shard's day: ``groups``/``endpoints`` as name -> (requests, errors)."""
    groups = groups or {}
    endpoints = endpoints or {}
    return ProjectDay(
        day=day,
        requests=sum(r for r, _ in groups.values()),
        errors=sum(e for _, e in groups.values()),
        group_requests=Counter({name: r for name, (r, _) in groups.items()}),
        group_errors=Counter({name: e for name, (_, e) in groups.items()}),
        endpoint_requests=Counter({name: r for name, (r, _) in endpoints.items()}),
        endpoint_errors=Counter({name: e for name, (_, e) in endpoints.items()}),
        **counters,  # type: ignore[arg-type]
    )


def test_shards_of_a_day_are_merged_and_every_day_of_the_period_is_listed():
    days = [
        shard_day(date(2026, 11, 2), {"keys": (3, 1), "ledger": (2, 0)}),
        shard_day(date(2026, 11, 2), {"keys": (1, 0)}),
        shard_day(date(2026, 11, 7), {"messages": (4, 2)}),
        shard_day(date(2026, 10, 31), {"keys": (100, 100)}),  # before the period
    ]
    report = build_analytics(days, first=FIRST, last=LAST)
    assert report.days == 7 and report.period_start == FIRST and report.period_end == LAST
    assert [(d.date.day, d.requests, d.errors) for d in report.by_day] == [
        (1, 0, 0),
        (2, 6, 1),
        (3, 0, 0),
        (4, 0, 0),
        (5, 0, 0),
        (6, 0, 0),
        (7, 4, 2),
    ]
    assert report.totals.requests == 10 and report.totals.errors == 3
    assert report.totals.error_rate == 0.3
    assert [(g.group, g.requests, g.errors) for g in report.by_group] == [
        ("keys", 4, 1),
        ("messages", 4, 2),
        ("ledger", 2, 0),
    ]


def test_top_endpoints_are_the_ten_busiest_with_their_errors_ties_by_name():
    endpoints = {f"GET /e{n:02}": (n, n % 3) for n in range(1, 13)}
    endpoints["POST /tie"] = (12, 0)
    days = [
        shard_day(date(2026, 11, 3), {"keys": (1, 0)}, endpoints),
        shard_day(date(2026, 11, 4), {"keys": (1, 0)}, {"GET /e01": (20, 5)}),
    ]
    report = build_analytics(days, first=FIRST, last=LAST)
    top = [(e.endpoint, e.requests, e.errors) for e in report.top_endpoints]
    assert top[:4] == [
        ("GET /e01", 21, 6),
        ("GET /e12", 12, 0),
        ("POST /tie", 12, 0),
        ("GET /e11", 11, 2),
    ]
    assert len(top) == 10 and top[-1] == ("GET /e05", 5, 2)


def test_active_keys_and_sandboxes_are_per_day_and_tier():
    days = [
        shard_day(
            date(2026, 11, 5),
            active_keys=Counter({"free": 2, "pro": 1}),
            active_sandboxes=Counter({"free": 1}),
        ),
        shard_day(
            date(2026, 11, 5),
            active_keys=Counter({"free": 1}),
            active_sandboxes=Counter({"free": 1, "pro": 1}),
        ),
        shard_day(date(2026, 11, 6), active_keys=Counter({"pro": 1, "free": 0})),
    ]
    by_day = {d.date: d for d in build_analytics(days, first=FIRST, last=LAST).by_day}
    assert by_day[date(2026, 11, 5)].active_keys == {"free": 3, "pro": 1}
    assert by_day[date(2026, 11, 5)].active_sandboxes == {"free": 2, "pro": 1}
    assert by_day[date(2026, 11, 6)].active_keys == {"pro": 1}
    assert by_day[date(2026, 11, 6)].active_sandboxes == {}
    assert by_day[date(2026, 11, 1)].active_keys == {}


def test_business_events_are_summed_over_the_period():
    runs = BusinessEvent.SCENARIO_RUNS
    first_day = {
        event_counter(runs, "transfer_processing_flow", "passed"): Decimal(2),
        event_counter(runs, "transfer_processing_flow", "failed"): Decimal(1),
        event_counter(runs, "kyc_flow", "failed"): Decimal(1),
        event_counter(BusinessEvent.DELIVERIES, "on_time"): Decimal(3),
        event_counter(BusinessEvent.DELIVERIES, "delayed"): Decimal(1),
        event_counter(BusinessEvent.KEYS_CREATED, "free"): Decimal(2),
        event_counter(BusinessEvent.CREDITS_CHARGED): Decimal("10.25"),
        event_counter(BusinessEvent.SANDBOXES_INITIALIZED): Decimal(4),
        event_counter(BusinessEvent.SIGNALS): Decimal(7),
    }
    second_day = {
        event_counter(runs, "transfer_processing_flow", "passed"): Decimal(3),
        event_counter(BusinessEvent.DELIVERIES, "failed"): Decimal(1),
        event_counter(BusinessEvent.KEYS_CREATED, "free"): Decimal(1),
        event_counter(BusinessEvent.KEYS_CREATED, "pro"): Decimal(1),
        event_counter(BusinessEvent.CREDITS_CHARGED): Decimal("2.25"),
        event_counter(BusinessEvent.SANDBOXES_RESET): Decimal(1),
        event_counter(BusinessEvent.JOB_FAILURES): Decimal(2),
    }
    days = [
        shard_day(date(2026, 11, 1), events=first_day),
        shard_day(date(2026, 11, 7), events=second_day),
        shard_day(date(2026, 11, 8), events=dict(second_day)),  # after the period
    ]
    report = build_analytics(days, first=FIRST, last=LAST)
    assert [s.model_dump() for s in report.scenarios] == [
        {"scenario_id": "kyc_flow", "runs": 1, "passed": 0, "failed": 1, "success_rate": 0.0},
        {
            "scenario_id": "transfer_processing_flow",
            "runs": 6,
            "passed": 5,
            "failed": 1,
            "success_rate": 0.8333,
        },
    ]
    assert report.deliveries.model_dump() == {
        "on_time": 3,
        "delayed": 1,
        "failed": 1,
        "on_time_rate": 0.6,
    }
    assert report.keys_created == {"free": 3, "pro": 1}
    assert report.sandboxes.initialized == 4 and report.sandboxes.reset == 1
    assert report.signals == 7 and report.job_failures == 2
    wire = report.model_dump(mode="json", by_alias=True)
    assert wire["creditsCharged"] == "12.5"
    assert wire["keysCreated"] == {"free": 3, "pro": 1}
    assert wire["deliveries"]["onTime"] == 3


def test_a_period_with_no_counters_has_zeros_and_no_rates():
    report = build_analytics([], first=FIRST, last=FIRST)
    wire = report.model_dump(mode="json", by_alias=True)
    assert wire["totals"] == {"requests": 0, "errors": 0, "errorRate": 0.0}
    assert wire["byDay"] == [
        {"date": "2026-11-01", "requests": 0, "errors": 0, "activeKeys": {}, "activeSandboxes": {}}
    ]
    assert wire["byGroup"] == [] and wire["topEndpoints"] == [] and wire["scenarios"] == []
    assert wire["deliveries"] == {"onTime": 0, "delayed": 0, "failed": 0, "onTimeRate": None}
    assert wire["creditsCharged"] == "0"


# Arbitrary counters: any groups and endpoints, any split over shards, days in and out of
# the period; the stored day totals need not even agree with the groups.
_names = st.sampled_from(["keys", "environment", "ledger", "behavior", "messages", "manager"])
_counts = st.dictionaries(_names, st.integers(0, 10_000), max_size=6).map(Counter)
_endpoints = st.dictionaries(st.text(min_size=1, max_size=12), st.integers(0, 500), max_size=15)
_shard_days = st.builds(
    ProjectDay,
    day=st.dates(FIRST - timedelta(days=3), LAST + timedelta(days=3)),
    requests=st.integers(0, 10**6),
    errors=st.integers(0, 10**6),
    group_requests=_counts,
    group_errors=_counts,
    endpoint_requests=_endpoints.map(Counter),
    endpoint_errors=_endpoints.map(Counter),
)


@given(st.lists(_shard_days, max_size=40))
def test_totals_equal_the_sum_of_days_and_of_groups_for_any_counters(shard_days):
    in_period = [d for d in shard_days if FIRST <= d.day <= LAST]
    report = build_analytics(shard_days, first=FIRST, last=LAST)
    assert report.totals.requests == sum(d.requests for d in report.by_day)
    assert report.totals.requests == sum(g.requests for g in report.by_group)
    assert report.totals.requests == sum(sum(d.group_requests.values()) for d in in_period)
    assert report.totals.errors == sum(d.errors for d in report.by_day)
    assert report.totals.errors == sum(g.errors for g in report.by_group)
    assert report.totals.errors == sum(sum(d.group_errors.values()) for d in in_period)
    assert [d.date for d in report.by_day] == [FIRST + timedelta(days=n) for n in range(7)]
    endpoints: Counter[str] = Counter()
    endpoint_errors: Counter[str] = Counter()
    for day in in_period:
        endpoints.update(day.endpoint_requests)
        endpoint_errors.update(day.endpoint_errors)
    counted = {
        name for name in endpoints | endpoint_errors if endpoints[name] or endpoint_errors[name]
    }
    assert len(report.top_endpoints) == min(10, len(counted))
    ranked = [(-e.requests, e.endpoint) for e in report.top_endpoints]
    assert ranked == sorted(ranked)
    for figure in report.top_endpoints:
        assert figure.requests == endpoints[figure.endpoint]
        assert figure.errors == endpoint_errors[figure.endpoint]
    if report.top_endpoints:
        listed = {e.endpoint for e in report.top_endpoints}
        assert all(
            count <= report.top_endpoints[-1].requests
            for name, count in endpoints.items()
            if name not in listed
        )


class InMemoryCounters:
    """The repository's read side over a list of shard days."""

    def __init__(self, shard_days: list[ProjectDay]) -> None:
        self.shard_days = shard_days

    def days(self, first: date, last: date) -> list[ProjectDay]:
        return [d for d in self.shard_days if first <= d.day <= last]


def test_the_period_ends_today_in_utc_and_counts_back_days():
    now = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    counters = InMemoryCounters(
        [
            shard_day(date(2026, 11, 1), {"keys": (1, 0)}),
            shard_day(date(2026, 10, 31), {"keys": (5, 0)}),
            shard_day(date(2026, 11, 30), {"ledger": (2, 1)}),
        ]
    )
    report = platform_analytics(ADMIN, 30, counters=counters, now=now)  # type: ignore[arg-type]
    assert report.period_start == date(2026, 11, 1) and report.period_end == date(2026, 11, 30)
    assert report.totals.requests == 3 and report.totals.errors == 1


def test_a_developer_key_may_not_read_the_project_analytics():
    with pytest.raises(Forbidden):
        platform_analytics(DEVELOPER, 30, counters=InMemoryCounters([]))  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [0, 91, -1])
def test_days_outside_one_to_ninety_are_refused(days):
    with pytest.raises(InvalidInput):
        platform_analytics(ADMIN, days, counters=InMemoryCounters([]))  # type: ignore[arg-type]
