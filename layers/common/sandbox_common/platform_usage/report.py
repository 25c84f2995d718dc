"""``GET /admin/analytics``: the project's figures over a period, from its daily counters.

A day's requests and errors are the sum of its groups' (every request is counted in exactly
one group, in the same write as the day's total), so the totals, the days and the groups
always add up to one another, whatever the counters hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.errors import InvalidInput
from sandbox_common.platform_usage.counters import (
    BusinessEvent,
    DeliveryKind,
    ProjectDay,
    ScenarioResult,
    merged_by_day,
)
from sandbox_common.platform_usage.models import (
    MAX_DAYS,
    AnalyticsDay,
    AnalyticsDeliveries,
    AnalyticsEndpoint,
    AnalyticsGroup,
    AnalyticsSandboxes,
    AnalyticsScenario,
    AnalyticsTotals,
    PlatformAnalytics,
)

if TYPE_CHECKING:
    from sandbox_common.storage.project_counters_repository import ProjectCountersRepository

TOP_ENDPOINTS = 10


def platform_analytics(
    caller: AuthContext,
    days: int,
    *,
    counters: ProjectCountersRepository | None = None,
    now: datetime | None = None,
) -> PlatformAnalytics:
    """The project's figures over the last ``days`` UTC days, today included (admin).

    Reads ``days`` x the counters' shards items, whatever the number of sandboxes or keys.
    """
    caller.require_admin()
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_DAYS}")
    # Counted in real days, like quotas, whatever any sandbox's clock shows.
    today = (now or providers.wall_clock().now()).date()
    first = today - timedelta(days=days - 1)
    stored = (counters or providers.project_counters()).days(first, today)
    return build_analytics(stored, first=first, last=today)


def build_analytics(days: Iterable[ProjectDay], *, first: date, last: date) -> PlatformAnalytics:
    """The figures of the days from ``first`` to ``last`` (pure: shards' days or merged
    ones, days outside the period are left out)."""
    merged = {day.day: day for day in merged_by_day(d for d in days if first <= d.day <= last)}
    group_requests: Counter[str] = Counter()
    group_errors: Counter[str] = Counter()
    endpoint_requests: Counter[str] = Counter()
    endpoint_errors: Counter[str] = Counter()
    events = _Events()
    for day in merged.values():
        group_requests.update(day.group_requests)
        group_errors.update(day.group_errors)
        endpoint_requests.update(day.endpoint_requests)
        endpoint_errors.update(day.endpoint_errors)
        events.add(day.events)
    by_day = [
        _day_figures(merged.get(day) or ProjectDay(day=day))
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]
    requests = sum(day.requests for day in by_day)
    errors = sum(day.errors for day in by_day)
    return PlatformAnalytics(
        period_start=first,
        period_end=last,
        days=len(by_day),
        totals=AnalyticsTotals(
            requests=requests, errors=errors, error_rate=_rate(errors, requests)
        ),
        by_day=by_day,
        by_group=[
            AnalyticsGroup(group=name, requests=count, errors=group_errors[name])
            for name, count in _ranked(group_requests, group_errors)
        ],
        top_endpoints=[
            AnalyticsEndpoint(endpoint=name, requests=count, errors=endpoint_errors[name])
            for name, count in _ranked(endpoint_requests, endpoint_errors)[:TOP_ENDPOINTS]
        ],
        scenarios=events.scenarios(),
        deliveries=events.deliveries(),
        credits_charged=events.credits_charged,
        keys_created=_by_tier(events.keys_created),
        sandboxes=AnalyticsSandboxes(
            initialized=events.count(BusinessEvent.SANDBOXES_INITIALIZED),
            reset=events.count(BusinessEvent.SANDBOXES_RESET),
        ),
        signals=events.count(BusinessEvent.SIGNALS),
        job_failures=events.count(BusinessEvent.JOB_FAILURES),
    )


def _day_figures(day: ProjectDay) -> AnalyticsDay:
    return AnalyticsDay(
        date=day.day,
        requests=sum(day.group_requests.values()),
        errors=sum(day.group_errors.values()),
        active_keys=_by_tier(day.active_keys),
        active_sandboxes=_by_tier(day.active_sandboxes),
    )


def _ranked(requests: Counter[str], errors: Counter[str]) -> list[tuple[str, int]]:
    """Names by requests, most first, ties by name; a name with errors only is kept too
    (one with neither is not: a counter may hold a zero)."""
    names = {name for name in requests.keys() | errors.keys() if requests[name] or errors[name]}
    return sorted(((name, requests[name]) for name in names), key=lambda item: (-item[1], item[0]))


def _by_tier(counts: Counter[str]) -> dict[str, int]:
    return {tier: counts[tier] for tier in sorted(counts) if counts[tier]}


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _rate_or_none(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class _Events:
    """Business-event counters summed over the period, read by their ``event_counter`` names
    (``scenario_runs#<scenario>#passed``, ``deliveries#on_time``, ``keys_created#free``)."""

    totals: Counter[str] = field(default_factory=Counter)
    scenario_results: dict[str, Counter[str]] = field(default_factory=dict)
    deliveries_by_outcome: Counter[str] = field(default_factory=Counter)
    keys_created: Counter[str] = field(default_factory=Counter)
    credits_charged: Decimal = Decimal(0)

    def add(self, events: dict[str, Decimal]) -> None:
        for name, amount in events.items():
            event, _, qualifiers = name.partition("#")
            if event == BusinessEvent.CREDITS_CHARGED:
                self.credits_charged += amount
                continue
            count = int(amount)
            if event == BusinessEvent.SCENARIO_RUNS:
                # A scenario id has no "#" of its own, but the result is the last part anyway.
                scenario, _, result = qualifiers.rpartition("#")
                self.scenario_results.setdefault(scenario, Counter())[result] += count
            elif event == BusinessEvent.DELIVERIES:
                self.deliveries_by_outcome[qualifiers] += count
            elif event == BusinessEvent.KEYS_CREATED:
                self.keys_created[qualifiers] += count
            else:
                self.totals[event] += count

    def count(self, event: BusinessEvent) -> int:
        return self.totals[event.value]

    def scenarios(self) -> list[AnalyticsScenario]:
        figures = []
        for scenario in sorted(self.scenario_results):
            results = self.scenario_results[scenario]
            runs = sum(results.values())
            figures.append(
                AnalyticsScenario(
                    scenario_id=scenario,
                    runs=runs,
                    passed=results[ScenarioResult.PASSED],
                    failed=results[ScenarioResult.FAILED],
                    success_rate=_rate_or_none(results[ScenarioResult.PASSED], runs),
                )
            )
        return figures

    def deliveries(self) -> AnalyticsDeliveries:
        outcomes = self.deliveries_by_outcome
        on_time = outcomes[DeliveryKind.ON_TIME]
        delayed = outcomes[DeliveryKind.DELAYED]
        failed = outcomes[DeliveryKind.FAILED]
        return AnalyticsDeliveries(
            on_time=on_time,
            delayed=delayed,
            failed=failed,
            on_time_rate=_rate_or_none(on_time, on_time + delayed + failed),
        )
