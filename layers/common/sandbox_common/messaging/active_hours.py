"""Active hours: the local-time window in which a user may be reached (pure).

A window runs from ``start`` (included) to ``end`` (excluded), both local wall-clock
``HH:MM`` in the user's IANA zone, optionally only on some ISO weekdays (1 = Monday ...
7 = Sunday). A window whose end is earlier than its start wraps midnight (22:00 - 06:00);
its night belongs to the day it opens, so ``days=[5]`` covers Friday 22:00 to Saturday 06:00.

Openness is read off the local wall clock, so daylight-saving changes behave as a user
would expect: an opening time the clock skips (spring forward) opens the window at the
first instant after the skip, and an opening time the clock shows twice (fall back) opens
it at the first of the two.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sandbox_common.errors import InvalidInput

__all__ = [
    "DEFAULT_WINDOW",
    "HHMM_PATTERN",
    "ActiveWindow",
    "ClockText",
    "IsoWeekday",
    "is_open",
    "is_open_at_local",
    "local_clock_label",
    "local_datetime_label",
    "local_time_of",
    "next_allowed",
    "window_label",
    "zone_of",
]

HHMM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockText = Annotated[str, StringConstraints(pattern=HHMM_PATTERN)]
IsoWeekday = Annotated[int, Field(strict=True, ge=1, le=7)]

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Openings are looked for this many local days after the instant's: a window opens at least
# once a week, and a week plus the days a skipped opening can cost fits well inside.
_SEARCH_DAYS = 16
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")
# Files of the zone database that describe the host, not a place.
_HOST_ZONES = frozenset({"localtime", "posixrules"})


def _parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class ActiveWindow(BaseModel):
    """When a user may be reached: local ``start``-``end`` (end excluded) on ``days``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: ClockText = Field(description="Local opening time, HH:MM (24-hour)")
    end: ClockText = Field(description="Local closing time, HH:MM; earlier than start wraps")
    days: tuple[IsoWeekday, ...] | None = Field(
        default=None,
        max_length=7,
        description="ISO weekdays the window opens on (1 = Monday); every day when absent",
    )

    @field_validator("days")
    @classmethod
    def _distinct_sorted_days(cls, days: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if days is None:
            return None
        if not days:
            raise ValueError("days must name at least one ISO weekday (1 = Monday ... 7 = Sunday)")
        return tuple(sorted(set(days)))

    @model_validator(mode="after")
    def _has_length(self) -> ActiveWindow:
        if self.start == self.end:
            raise ValueError("start and end must differ (use 00:00 - 23:59 for most of a day)")
        return self

    @property
    def start_time(self) -> time:
        """The opening time as a ``time``."""
        return _parse_clock(self.start)

    @property
    def end_time(self) -> time:
        """The closing time as a ``time``."""
        return _parse_clock(self.end)

    @property
    def wraps_midnight(self) -> bool:
        """Whether the window closes on the day after it opens."""
        return self.end < self.start

    def opens_on(self, weekday: int) -> bool:
        """Whether the window opens on ISO ``weekday``."""
        return self.days is None or weekday in self.days


DEFAULT_WINDOW = ActiveWindow(start="09:00", end="17:00")


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``; 400 when there is none."""
    if len(name) <= 64 and _ZONE_NAME.match(name) and name not in _HOST_ZONES:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    shown = name if len(name) <= 64 else name[:64] + "..."
    message = f"Unknown time zone '{shown}': use an IANA name such as America/New_York"
    raise InvalidInput(
        message, details=[{"loc": ["timezone"], "msg": message, "type": "unknown_timezone"}]
    )


def local_time_of(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` on the local wall clock of ``zone``."""
    return _aware(instant).astimezone(zone)


def local_clock_label(instant: datetime, zone: ZoneInfo) -> str:
    """The local wall-clock time of ``instant``, e.g. ``14:30``."""
    return local_time_of(instant, zone).strftime("%H:%M")


def local_datetime_label(instant: datetime, zone: ZoneInfo) -> str:
    """The local date and time of ``instant``, e.g. ``2026-01-30 11:55:00``."""
    return local_time_of(instant, zone).strftime("%Y-%m-%d %H:%M:%S")


def window_label(window: ActiveWindow) -> str:
    """``09:00 - 17:00``, followed by the days when the window does not open every day."""
    label = f"{window.start} - {window.end}"
    if window.days is None or len(window.days) == 7:
        return label
    return f"{label} ({_days_label(window.days)})"


def is_open(window: ActiveWindow, zone: ZoneInfo, instant: datetime) -> bool:
    """Whether ``window`` is open at ``instant`` for a user in ``zone``."""
    return is_open_at_local(window, local_time_of(instant, zone))


def is_open_at_local(window: ActiveWindow, local: datetime) -> bool:
    """Whether ``window`` is open at ``local``, a datetime on the user's own wall clock."""
    clock = local.time()
    start, end = window.start_time, window.end_time
    weekday = local.isoweekday()
    if start < end:
        return start <= clock < end and window.opens_on(weekday)
    if clock >= start:
        return window.opens_on(weekday)
    # After midnight, a wrapping window is open if it opened yesterday.
    return clock < end and window.opens_on(weekday - 1 if weekday > 1 else 7)


def next_allowed(window: ActiveWindow, zone: ZoneInfo, instant: datetime) -> datetime:
    """The first instant (UTC) at or after ``instant`` at which ``window`` is open."""
    moment = _aware(instant).astimezone(UTC)
    if is_open(window, zone, moment):
        return moment
    # The window only opens when the wall clock reaches its start (on either pass of a
    # repeated hour) or when the clock jumps into it: one of those is the answer.
    first_day = moment.astimezone(zone).date() - timedelta(days=1)
    openings = sorted(
        candidate
        for candidate in _start_instants(window, zone, first_day, _SEARCH_DAYS + 1)
        if candidate > moment
    )
    found = next((c for c in openings if is_open_at_local(window, c.astimezone(zone))), None)
    horizon = found or moment + timedelta(days=_SEARCH_DAYS)
    for jump in _offset_changes(zone, moment, horizon):
        if jump > moment and is_open_at_local(window, jump.astimezone(zone)):
            found = jump if found is None else min(found, jump)
            break
    if found is None:  # only a zone that skips every opening for weeks could get here
        raise ValueError(f"window {window_label(window)} does not open in {zone.key}")
    return found


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant


def _start_instants(window: ActiveWindow, zone: ZoneInfo, first: date, count: int) -> set[datetime]:
    """Every instant the local clock shows ``window.start`` on an opening day (both passes)."""
    instants = set()
    for offset in range(count):
        day = first + timedelta(days=offset)
        if not window.opens_on(day.isoweekday()):
            continue
        wall = datetime.combine(day, window.start_time, tzinfo=zone)
        # fold=1 is the second pass of a repeated hour; elsewhere both folds are one instant.
        # A skipped time maps to an instant after the skip; the jump itself (found by
        # next_allowed among the offset changes) is earlier, so it wins.
        instants.add(wall.astimezone(UTC))
        instants.add(wall.replace(fold=1).astimezone(UTC))
    return instants


def _offset_changes(zone: ZoneInfo, after: datetime, until: datetime) -> list[datetime]:
    """The instants in (``after``, ``until``] at which ``zone``'s UTC offset changes."""
    # Sampled hourly (no zone changes its offset twice within an hour), then pinned to the
    # second by bisection; zone transitions fall on whole seconds.
    step = timedelta(hours=1)
    previous = after.replace(minute=0, second=0, microsecond=0)
    previous_offset = previous.astimezone(zone).utcoffset()
    changes: list[datetime] = []
    while previous < until:
        current = previous + step
        current_offset = current.astimezone(zone).utcoffset()
        if current_offset != previous_offset:
            changes.append(_bisect_change(zone, previous, current))
        previous, previous_offset = current, current_offset
    return changes


def _bisect_change(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    old_offset = before.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=int((high - low).total_seconds()) // 2)
        if middle.astimezone(zone).utcoffset() == old_offset:
            low = middle
        else:
            high = middle
    return high


def _days_label(days: tuple[int, ...]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = _WEEKDAY_NAMES[run[0] - 1], _WEEKDAY_NAMES[run[-1] - 1]
        parts.append(
            first if len(run) == 1 else f"{first}-{last}" if len(run) > 2 else f"{first}, {last}"
        )
    return ", ".join(parts)
