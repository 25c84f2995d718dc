"""Route of /api/v1/sandbox/status: the caller's sandbox at a glance."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.sandboxes.status import SandboxStatus, sandbox_status

router = APIRouter()


@router.get("/api/v1/sandbox/status", response_model=SandboxStatus)
def get_status(caller: Caller) -> SandboxStatus:
    """The caller's sandbox: id, lifecycle state, data, counts, components, clock."""
    return sandbox_status(caller)
