"""``GET /admin/analytics``: adoption and usage across every sandbox, from the project's
counters. camelCase on the wire, like the manager's other admin answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from sandbox_common.payments.models import credits_text
from sandbox_common.wire import CamelModel

DEFAULT_DAYS = 30
MAX_DAYS = 90

# Exact decimals inside, decimal strings on the wire (as every credits amount).
Credits = Annotated[Decimal, PlainSerializer(credits_text, return_type=str, when_used="json")]
# tier -> count; a tier with nothing that day is absent.
ByTier = dict[str, int]


class AnalyticsTotals(CamelModel):
    """Requests and errors (4xx and 5xx answers) over the period."""

    requests: int
    errors: int
    error_rate: float = Field(description="errors / requests, to 4 places; 0 with no requests")


class AnalyticsDay(CamelModel):
    """One UTC day: requests, errors, and the keys and sandboxes that made a request."""

    date: date
    requests: int
    errors: int
    active_keys: ByTier = Field(description="Keys with at least one request that day, by tier")
    active_sandboxes: ByTier = Field(
        description="Sandboxes with at least one request that day, by the tier of the key "
        "that made the sandbox's first request of the day"
    )


class AnalyticsGroup(CamelModel):
    """Requests and errors of one group of the API (the function that served them)."""

    group: str
    requests: int
    errors: int


class AnalyticsEndpoint(CamelModel):
    """Requests and errors of one route (``GET /api/v1/sandbox/keys/{key_id}``)."""

    endpoint: str
    requests: int
    errors: int


class AnalyticsScenario(CamelModel):
    """Runs of one scenario and how many passed."""

    scenario_id: str
    runs: int
    passed: int
    failed: int
    success_rate: float | None = Field(description="passed / runs, to 4 places; null with no runs")


class AnalyticsDeliveries(CamelModel):
    """Scheduled message deliveries by outcome."""

    on_time: int
    delayed: int
    failed: int
    on_time_rate: float | None = Field(
        description="onTime / all three, to 4 places; null with no deliveries"
    )


class AnalyticsSandboxes(CamelModel):
    """Sandboxes initialized and reset."""

    initialized: int
    reset: int


class PlatformAnalytics(CamelModel):
    """Adoption and usage over the period: every figure adds up to the counters exactly
    (``totals`` is the sum of ``byDay`` and of ``byGroup``)."""

    period_start: date
    period_end: date
    days: int
    totals: AnalyticsTotals
    by_day: list[AnalyticsDay]
    by_group: list[AnalyticsGroup]
    top_endpoints: list[AnalyticsEndpoint] = Field(
        description="The 10 routes with the most requests (ties by name)"
    )
    scenarios: list[AnalyticsScenario]
    deliveries: AnalyticsDeliveries
    credits_charged: Credits
    keys_created: ByTier
    sandboxes: AnalyticsSandboxes
    signals: int
    job_failures: int = Field(description="Configs the persistence job could not settle")
