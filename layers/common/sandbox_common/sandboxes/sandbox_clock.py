"""A sandbox's own clock: wall time shifted forward, or frozen, and never moved backwards.

Integrators test time-dependent behaviour (delays, schedules, dashboards over a period) by
freezing and advancing their sandbox's clock instead of waiting. The clock is two numbers
stored on the sandbox, so reading it costs nothing beyond loading the sandbox, and the
current sandbox time is always computed from the wall time of the moment:

- running: sandbox now = wall now + ``offset_seconds``;
- frozen: sandbox now = ``frozen_at`` whatever the wall time.

Every move is checked here, purely: none may take the clock backwards (anything already
stamped with sandbox time would then lie in its future), and none may jump more than a year
at once, which catches a unit mistake (milliseconds sent as seconds) before it strands the
sandbox far in the future.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from sandbox_common.clock import Clock, isoformat
from sandbox_common.errors import Conflict, InvalidInput
from sandbox_common.inputs import LATEST_INSTANT

# The largest single move; a longer trip takes several advances.
MAX_MOVE = timedelta(days=365)
MAX_MOVE_SECONDS = MAX_MOVE.total_seconds()
# Instants clients may name stop here, and so does the clock: data dated by it must stay
# readable and writable through the API.
LATEST_SANDBOX_TIME = LATEST_INSTANT


class ClockAhead(Conflict):
    """Returning to wall time would move the sandbox clock backwards."""

    code = "clock_ahead"


class SandboxClock(BaseModel):
    """A sandbox's clock as stored on the sandbox (the default is plain wall time)."""

    model_config = ConfigDict(frozen=True)

    # Frozen: time stands still here until an advance moves it or a reset releases it.
    frozen_at: datetime | None = None
    # Running: how far the sandbox is ahead of wall time (ignored, and 0, while frozen).
    offset_seconds: float = 0.0

    @property
    def frozen(self) -> bool:
        """True while the clock stands still."""
        return self.frozen_at is not None

    def now(self, wall_now: datetime) -> datetime:
        """The sandbox time when the wall clock shows ``wall_now``."""
        if self.frozen_at is not None:
            return self.frozen_at.astimezone(UTC)
        return wall_now.astimezone(UTC) + _seconds(self.offset_seconds)

    def wall_time_of(self, instant: datetime, wall_now: datetime) -> datetime | None:
        """The wall-clock moment at which this clock shows ``instant`` (or shows it passed).

        Frozen, an instant already reached is reached now (``wall_now``) and a later one is
        never reached by waiting (None): only an advance gets there.
        """
        if self.frozen_at is not None:
            return wall_now.astimezone(UTC) if instant <= self.frozen_at else None
        return instant.astimezone(UTC) - _seconds(self.offset_seconds)

    def freeze(self, wall_now: datetime, at: datetime | None = None) -> SandboxClock:
        """This clock stopped at ``at`` (default: its current time).

        400 if ``at`` is earlier than the sandbox's now (at the API's millisecond
        resolution: an ``at`` within the current millisecond freezes at now exactly),
        more than a year ahead, or past the latest sandbox time.
        """
        current = self.now(wall_now)
        target = current if at is None else at.astimezone(UTC)
        if _floor_ms(target) < _floor_ms(current):
            raise InvalidInput(
                f"The sandbox clock never moves backwards: 'at' ({isoformat(target)}) is "
                f"earlier than the sandbox's now ({isoformat(current)})"
            )
        _check_move(current, max(target, current))
        return SandboxClock(frozen_at=max(target, current), offset_seconds=0.0)

    def advance(self, seconds: float, wall_now: datetime) -> SandboxClock:
        """This clock moved forward by ``seconds``, frozen or running as it was.

        400 unless ``seconds`` is a finite number above 0 and at most a year, or if the
        move would pass the latest sandbox time.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise InvalidInput("'seconds' must be a number")
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_MOVE_SECONDS:
            raise InvalidInput(
                f"'seconds' must be above 0 and at most {MAX_MOVE_SECONDS:.0f} (a year)"
            )
        step = _seconds(seconds)
        if step <= timedelta(0):
            raise InvalidInput("'seconds' must be at least a microsecond")
        current = self.now(wall_now)
        _check_move(current, current + step)
        if self.frozen_at is not None:
            return SandboxClock(frozen_at=self.frozen_at.astimezone(UTC) + step)
        offset = _seconds(self.offset_seconds) + step
        return SandboxClock(offset_seconds=offset.total_seconds())

    def reset(self, wall_now: datetime) -> SandboxClock:
        """This clock back to plain wall time; 409 ``clock_ahead`` if that would move it back.

        A clock ahead of wall time can only come back with the sandbox's data (a data reset
        resets the clock too): otherwise records would be stamped later than the time now.
        """
        current = self.now(wall_now)
        if current > wall_now:
            raise ClockAhead(
                f"The sandbox clock ({isoformat(current)}) is ahead of wall time "
                f"({isoformat(wall_now)}) and never moves backwards; a data reset "
                "(POST /api/v1/sandbox/reset) resets the clock with the data"
            )
        return SandboxClock()


def sandbox_time(clock: SandboxClock, wall: Clock) -> Clock:
    """A :class:`Clock` showing ``clock``'s time, computed from ``wall`` on every read."""
    return _SandboxTime(clock, wall)


class _SandboxTime:
    def __init__(self, clock: SandboxClock, wall: Clock) -> None:
        self.clock = clock
        self._wall = wall

    def now(self) -> datetime:
        return self.clock.now(self._wall.now())


def _seconds(value: float) -> timedelta:
    # timedelta rounds to whole microseconds, so now() and wall_time_of() invert exactly.
    return timedelta(seconds=value)


def _floor_ms(moment: datetime) -> datetime:
    return moment - timedelta(microseconds=moment.microsecond % 1000)


def _check_move(current: datetime, target: datetime) -> None:
    if target - current > MAX_MOVE:
        raise InvalidInput(
            "The sandbox clock moves at most a year at once "
            f"({isoformat(current)} to {isoformat(target)} is more); advance in steps"
        )
    if target >= LATEST_SANDBOX_TIME:
        raise InvalidInput(
            f"The sandbox clock cannot reach {isoformat(LATEST_SANDBOX_TIME)} "
            f"(asked for {isoformat(target)})"
        )
