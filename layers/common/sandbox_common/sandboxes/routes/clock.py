"""``/api/v1/sandbox/clock``: the caller's sandbox clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from sandbox_common.http.auth import Caller
from sandbox_common.sandboxes import clock_service
from sandbox_common.sandboxes.clock_service import (
    AdvanceRequest,
    ClockView,
    FreezeRequest,
    MovedClockView,
)

router = APIRouter()

BASE = "/api/v1/sandbox/clock"

# No body freezes at the sandbox's current time (FastAPI hands each request a copy).
NO_FREEZE_BODY = FreezeRequest()


@router.get(BASE, response_model=ClockView)
def get_clock(caller: Caller) -> ClockView:
    """The sandbox clock: its time, whether it is frozen, and how far it is from wall time."""
    return clock_service.get_clock(caller)


@router.post(BASE + "/freeze", response_model=MovedClockView)
def freeze_clock(
    caller: Caller, body: Annotated[FreezeRequest, Body()] = NO_FREEZE_BODY
) -> MovedClockView:
    """Stop the sandbox clock now, or at a later instant (never earlier than its time)."""
    return clock_service.freeze_clock(caller, body)


@router.post(BASE + "/advance", response_model=MovedClockView)
def advance_clock(caller: Caller, body: Annotated[AdvanceRequest, Body()]) -> MovedClockView:
    """Move the sandbox clock forward (frozen or running) and deliver what became due."""
    return clock_service.advance_clock(caller, body)


@router.post(BASE + "/reset", response_model=ClockView)
def reset_clock(caller: Caller) -> ClockView:
    """Return the sandbox clock to wall time; 409 ``clock_ahead`` if that would go backwards."""
    return clock_service.reset_clock(caller)
