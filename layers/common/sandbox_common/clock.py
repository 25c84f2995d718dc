"""The one source of "now" for the layer.

Everything time-dependent takes a :class:`Clock` so that tests (and, later, the per-sandbox
clock an integrator controls) can decide what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """Current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        """Current wall-clock time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, frozen sandboxes)."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen instant."""
        return self._at

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self._at += timedelta(seconds=seconds)


def isoformat(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z`` suffix, e.g. ``2024-01-01T00:00:00.000Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
