"""Route of ``GET /admin/analytics``: adoption and usage across every sandbox (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sandbox_common.http.auth import Admin
from sandbox_common.http.envelope import DataEnvelope
from sandbox_common.platform_usage.models import DEFAULT_DAYS, MAX_DAYS, PlatformAnalytics

router = APIRouter()


@router.get("/admin/analytics", response_model=DataEnvelope[PlatformAnalytics])
def project_analytics(
    caller: Admin,
    days: Annotated[
        int, Query(ge=1, le=MAX_DAYS, description="UTC days up to today, today included")
    ] = DEFAULT_DAYS,
) -> DataEnvelope[PlatformAnalytics]:
    """Active keys and sandboxes, requests and errors by day, group and endpoint, scenario
    success rates, deliveries, credits charged and the other business counts (admin)."""
    # Imported here: only this route needs the report, and the manager's cold start pays.
    from sandbox_common.platform_usage.report import platform_analytics

    return DataEnvelope(data=platform_analytics(caller, days))
