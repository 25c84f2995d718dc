"""Routes of /api/v1/sandbox/initialize and /reset: the sandbox's data set, replaced or wiped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from sandbox_common.http.auth import Caller
from sandbox_common.sandboxes import data

router = APIRouter()

BASE = "/api/v1/sandbox"

# Every field of these bodies is optional, so no body at all means every default (FastAPI
# hands each request a copy of these); an explicit JSON null is refused like any non-object.
NO_INITIALIZE_BODY = data.InitializeRequest()
NO_RESET_BODY = data.ResetRequest()


@router.post(BASE + "/initialize", response_model=data.InitializeResponse)
def initialize(
    caller: Caller, body: Annotated[data.InitializeRequest, Body()] = NO_INITIALIZE_BODY
) -> data.InitializeResponse:
    """Replace the sandbox's data with a generated, reproducible data set."""
    return data.initialize_sandbox(caller, body)


@router.post(BASE + "/reset", response_model=data.ResetResponse)
def reset(
    caller: Caller, body: Annotated[data.ResetRequest, Body()] = NO_RESET_BODY
) -> data.ResetResponse:
    """Wipe the sandbox's data at once (optionally re-initialize with a seed)."""
    return data.reset_sandbox(caller, body)
