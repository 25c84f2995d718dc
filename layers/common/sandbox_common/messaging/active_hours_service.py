"""Active-hours use cases: a user's window, whether a message would be delivered now, and
when next (all in sandbox time; the user must exist in the sandbox, else 404)."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.messaging.active_hours import (
    is_open,
    local_clock_label,
    next_allowed,
    window_label,
    zone_of,
)
from sandbox_common.messaging.message_models import (
    ActiveHoursAnswer,
    CanDeliverAnswer,
    NextDeliveryAnswer,
)
from sandbox_common.messaging.users import MessagingUser, get_user
from sandbox_common.sandboxes.data_scope import data_scope

OUTSIDE_ACTIVE_HOURS = "Outside active hours"


def active_hours(caller: AuthContext, user_id: str) -> ActiveHoursAnswer:
    """The user's active window and the local time now."""
    user = _user(caller, user_id)
    now = providers.clock().now()
    return ActiveHoursAnswer(
        userId=user.id,
        timezone=user.timezone,
        activeWindow=window_label(user.activeHours),
        nowLocalTime=local_clock_label(now, zone_of(user.timezone)),
    )


def can_deliver(caller: AuthContext, user_id: str) -> CanDeliverAnswer:
    """Whether a message to the user would be delivered now, and why not."""
    user = _user(caller, user_id)
    now = providers.clock().now()
    zone = zone_of(user.timezone)
    open_now = is_open(user.activeHours, zone, now)
    return CanDeliverAnswer(
        userId=user.id,
        canDeliver=open_now,
        reason=None if open_now else OUTSIDE_ACTIVE_HOURS,
        timezone=user.timezone,
        activeWindow=window_label(user.activeHours),
        localTime=local_clock_label(now, zone),
    )


def next_allowed_delivery(caller: AuthContext, user_id: str) -> NextDeliveryAnswer:
    """The next time a message to the user may be delivered (now when inside the window)."""
    user = _user(caller, user_id)
    now = providers.clock().now()
    zone = zone_of(user.timezone)
    at = next_allowed(user.activeHours, zone, now)
    return NextDeliveryAnswer(
        userId=user.id,
        nextDeliveryUtc=at,
        localTime=local_clock_label(at, zone),
        isDelayed=at > now,
        timezone=user.timezone,
    )


def _user(caller: AuthContext, user_id: str) -> MessagingUser:
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return get_user(scope, user_id)
