"""Routes of /api/v1/sandbox/analytics: the dashboard computed from the sandbox's data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sandbox_common.analytics.dashboard import Dashboard
from sandbox_common.analytics.period import TIME_PERIOD_PATTERN
from sandbox_common.analytics.service import sandbox_dashboard
from sandbox_common.http.auth import Caller

router = APIRouter()


@router.get("/api/v1/sandbox/analytics/dashboard", response_model=Dashboard)
def get_dashboard(
    caller: Caller, time_period: Annotated[str, Query(pattern=TIME_PERIOD_PATTERN)] = "7d"
) -> Dashboard:
    """Volumes, counts, corridors and a daily series computed from the sandbox's data."""
    return sandbox_dashboard(caller, time_period)
