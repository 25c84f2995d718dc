"""Route of /api/v1/sandbox/usage: the caller's own usage of the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sandbox_common.auth import Permission
from sandbox_common.http.auth import Caller
from sandbox_common.usage.models import UsageReport
from sandbox_common.usage.report import usage_report

router = APIRouter()


@router.get("/api/v1/sandbox/usage", response_model=UsageReport)
def get_usage(caller: Caller, days: Annotated[int, Query(ge=1, le=90)] = 7) -> UsageReport:
    """The caller's requests by day and endpoint, errors, latency percentiles and quota."""
    caller.require(Permission.ANALYTICS)
    return usage_report(caller, days)
