"""Usage records and the report shown by ``GET /api/v1/sandbox/usage``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel


@dataclass(frozen=True)
class RequestRecord:
    """One request as the function saw it."""

    key_id: str
    sandbox_id: str
    endpoint: str  # "GET /api/v1/sandbox/keys/{key_id}": the route, not the raw path
    status: int
    latency_ms: float
    at: datetime


@dataclass
class DailyUsage:
    """One key's counters for one UTC day."""

    day: date
    requests: int = 0
    errors: int = 0
    endpoint_requests: dict[str, int] = field(default_factory=dict)
    endpoint_errors: dict[str, int] = field(default_factory=dict)
    latency_buckets: dict[int, int] = field(default_factory=dict)


class DayFigures(BaseModel):
    """Requests and errors of one day."""

    date: date
    requests: int
    errors: int


class EndpointFigures(BaseModel):
    """Requests and errors of one route over the report's period."""

    endpoint: str
    requests: int
    errors: int


class LatencyFigures(BaseModel):
    """Latency percentiles in milliseconds (bucket upper bounds), null with no traffic."""

    p50: float | None
    p95: float | None
    p99: float | None


class QuotaFigures(BaseModel):
    """The caller's usage-plan quota in the current window."""

    limit: int | None
    period: str | None
    used: int
    remaining: int | None
    resets_at: datetime | None


class ThrottleFigures(BaseModel):
    """The caller's usage-plan throttle."""

    rate_limit: float
    burst_limit: int


class UsageReport(BaseModel):
    """The caller's usage: by day, by endpoint, errors, latency, quota."""

    key_id: str
    sandbox_id: str
    tier: str
    period_start: date
    period_end: date
    total_requests: int
    total_errors: int
    error_rate: float
    by_day: list[DayFigures]
    by_endpoint: list[EndpointFigures]
    latency_ms: LatencyFigures
    quota: QuotaFigures
    throttle: ThrottleFigures | None
