"""Where a sandbox is in its life: active, hibernating (idle) or shut down.

Only ACTIVE and SHUT_DOWN are stored. Hibernation is read from the last request's time, so
a sandbox falls asleep without anyone writing anything, and the next request (or the
persistence job) wakes it with one write. Lifecycle runs on wall time: a sandbox clock a
developer froze or moved ahead must not put the sandbox to sleep or wake it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox_common.clock import isoformat
from sandbox_common.sandboxes.models import LifecycleState, Sandbox

# A busy sandbox records its activity at most this often, so requests rarely pay a write.
MAX_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class LifecycleView:
    """The sandbox's state at one instant, why, and since when."""

    state: LifecycleState
    reason: str
    since: datetime | None


def last_activity(sandbox: Sandbox) -> datetime:
    """The last request the sandbox served (its creation until it served one)."""
    return sandbox.last_active_at or sandbox.created_at


def lifecycle_view(sandbox: Sandbox, now: datetime, idle: timedelta) -> LifecycleView:
    """The sandbox's state at ``now``: SHUT_DOWN if stored so, HIBERNATING once ``idle`` has
    passed since its last request, else ACTIVE."""
    if sandbox.lifecycle_state is LifecycleState.SHUT_DOWN:
        return LifecycleView(
            LifecycleState.SHUT_DOWN,
            sandbox.lifecycle_reason or "shut down",
            sandbox.lifecycle_changed_at,
        )
    asleep_at = last_activity(sandbox) + idle
    if asleep_at <= now:
        minutes = int(idle.total_seconds() // 60)
        return LifecycleView(
            LifecycleState.HIBERNATING,
            f"no request since {isoformat(last_activity(sandbox))} "
            f"(hibernates after {minutes} minutes idle)",
            asleep_at,
        )
    return LifecycleView(
        LifecycleState.ACTIVE,
        sandbox.lifecycle_reason or "active",
        sandbox.lifecycle_changed_at or sandbox.created_at,
    )


def touch_interval(idle: timedelta) -> timedelta:
    """How stale ``last_active_at`` may grow before a request records itself again."""
    return min(idle / 4, MAX_TOUCH_INTERVAL)


def needs_touch(sandbox: Sandbox, now: datetime, idle: timedelta) -> bool:
    """True when a request at ``now`` should record itself: activity never recorded, older
    than ``touch_interval(idle)``, or the sandbox is hibernating (the write wakes it).

    A shut-down sandbox is never touched: only re-enabling it brings it back.
    """
    if sandbox.lifecycle_state is LifecycleState.SHUT_DOWN:
        return False
    if sandbox.last_active_at is None:
        return True
    stale = now - sandbox.last_active_at >= touch_interval(idle)
    return stale or lifecycle_view(sandbox, now, idle).state is LifecycleState.HIBERNATING
