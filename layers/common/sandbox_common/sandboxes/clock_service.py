"""``/api/v1/sandbox/clock``: read, freeze, advance and reset the caller's sandbox clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictFloat

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.inputs import Instant
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.sandboxes.sandbox_clock import MAX_MOVE_SECONDS, SandboxClock

ApiInstant = Annotated[datetime, PlainSerializer(isoformat, return_type=str, when_used="json")]

# A move that lost the race to a concurrent one is applied again to the clock that won
# (so two concurrent advances both count); past this many losses the client gets 409.
MOVE_ATTEMPTS = 3


class FreezeRequest(BaseModel):
    """``POST /api/v1/sandbox/clock/freeze``: stop the clock, now or at a later instant."""

    model_config = ConfigDict(extra="forbid")

    # Default: the sandbox's current time. Never earlier than it, at most a year later.
    at: Instant | None = None


class AdvanceRequest(BaseModel):
    """``POST /api/v1/sandbox/clock/advance``: move the clock forward, frozen or running."""

    model_config = ConfigDict(extra="forbid")

    # A JSON number (not a string, not a boolean) above 0 and at most a year.
    seconds: Annotated[StrictFloat, Field(gt=0, le=MAX_MOVE_SECONDS, allow_inf_nan=False)]


class ClockView(BaseModel):
    """The sandbox clock as the API shows it."""

    sandbox_id: str
    now: ApiInstant
    frozen: bool
    frozen_at: ApiInstant | None
    # How far the sandbox is ahead of wall time, in seconds (falls below 0 as wall time
    # passes a frozen clock).
    offset_seconds: float
    wall_now: ApiInstant

    @classmethod
    def of(cls, sandbox: Sandbox, wall_now: datetime) -> ClockView:
        """The view of ``sandbox``'s clock when the wall clock shows ``wall_now``."""
        clock = sandbox.clock
        now = clock.now(wall_now)
        offset = clock.offset_seconds if not clock.frozen else (now - wall_now).total_seconds()
        return cls(
            sandbox_id=sandbox.sandbox_id,
            now=now,
            frozen=clock.frozen,
            frozen_at=clock.frozen_at,
            offset_seconds=round(offset, 6),
            wall_now=wall_now,
        )


class MovedClockView(ClockView):
    """The clock after it moved forward (an advance, or a freeze at a later instant), and how
    many of the messages that became due on the way it delivered."""

    delivered: int


def get_clock(caller: AuthContext) -> ClockView:
    """The caller's sandbox clock."""
    caller.require(Permission.READ)
    return ClockView.of(caller_sandbox(caller), providers.wall_clock().now())


def freeze_clock(caller: AuthContext, request: FreezeRequest) -> MovedClockView:
    """Stop the caller's sandbox clock at ``request.at`` (default: its current time); a later
    instant moves it forward like an advance, delivering what became due."""
    caller.require(Permission.WRITE)
    sandbox = _moved(caller_sandbox(caller), lambda clock, wall: clock.freeze(wall, request.at))
    return _delivering(sandbox)


def advance_clock(caller: AuthContext, request: AdvanceRequest) -> MovedClockView:
    """Move the caller's sandbox clock forward, then deliver every message that became due."""
    caller.require(Permission.WRITE)
    sandbox = _moved(
        caller_sandbox(caller), lambda clock, wall: clock.advance(request.seconds, wall)
    )
    return _delivering(sandbox)


def _delivering(sandbox: Sandbox) -> MovedClockView:
    """The view of a clock just moved forward, once the messages due by it are delivered."""
    from sandbox_common.messaging.delivery import deliver_due

    wall_now = providers.wall_clock().now()
    delivered = deliver_due(sandbox, sandbox.clock.now(wall_now))
    return MovedClockView(**ClockView.of(sandbox, wall_now).model_dump(), delivered=delivered)


def reset_clock(caller: AuthContext) -> ClockView:
    """Return the caller's sandbox clock to wall time (409 ``clock_ahead`` if it is ahead)."""
    caller.require(Permission.WRITE)
    sandbox = _moved(caller_sandbox(caller), lambda clock, wall: clock.reset(wall))
    return ClockView.of(sandbox, providers.wall_clock().now())


def _moved(sandbox: Sandbox, move: Callable[[SandboxClock, datetime], SandboxClock]) -> Sandbox:
    """``sandbox`` with ``move`` applied to its clock and stored (one conditional write)."""
    sandboxes = providers.sandboxes_repository()
    for attempt in range(1, MOVE_ATTEMPTS + 1):
        # Refusals (400, clock_ahead) come from the move itself, before anything is written.
        moved = move(sandbox.clock, providers.wall_clock().now())
        try:
            sandbox = sandboxes.set_clock(sandbox, moved)
            break
        except Conflict:
            latest = sandboxes.get(sandbox.sandbox_id)
            if attempt == MOVE_ATTEMPTS or latest is None:
                raise
            sandbox = latest
    # The rest of this request (deliveries, audit entries) reads the moved clock.
    providers.use_sandbox_clock(sandbox.clock)
    return sandbox
