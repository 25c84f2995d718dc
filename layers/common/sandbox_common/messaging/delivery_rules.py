"""What a waiting message becomes when it falls due, and why (pure).

A waiting message is checked against its receiver's active hours at its due time, as if the
sandbox had lived through that moment: open, it is delivered then; closed, it is delayed to
the next time the window opens. Every move comes with the audit entry that records it; a
delivery's entry has a fixed id, so it can be written only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox_common.clock import isoformat
from sandbox_common.messaging.active_hours import (
    ActiveWindow,
    is_open,
    local_clock_label,
    next_allowed,
    window_label,
    zone_of,
)
from sandbox_common.messaging.audit import AuditEntry, AuditType, new_audit_entry
from sandbox_common.messaging.message_models import Message, details_of
from sandbox_common.messaging.message_states import MessageStatus
from sandbox_common.sandboxes.models import Sandbox

# A frozen sandbox clock never reaches a later due time by waiting: the execution looks
# again this often (a clock advance delivers the message meanwhile).
FROZEN_RECHECK = timedelta(hours=1)


@dataclass(frozen=True)
class Step:
    """One move of a waiting message and the audit entry that records it."""

    message: Message
    entry: AuditEntry


@dataclass(frozen=True)
class Settlement:
    """Every move a waiting message makes by a sandbox time, written as one: the message as
    it ends up and each move's audit entry, in order."""

    message: Message
    entries: tuple[AuditEntry, ...]


# Delayed to the next opening, a message is due then and open: two moves at most; the bound
# only guards against a window that could never open.
_MAX_MOVES = 4


def delay_reason(window: ActiveWindow, zone: ZoneInfo, at: datetime, until: datetime) -> str:
    """Why a message waits: the receiver's local time, window and next allowed time."""
    return (
        f"Outside active hours: {local_clock_label(at, zone)} in {zone.key}, active window "
        f"{window_label(window)}; next allowed delivery {isoformat(until)} "
        f"({local_clock_label(until, zone)} local)"
    )


def delay_details(
    window: ActiveWindow, zone: ZoneInfo, at: datetime, until: datetime
) -> dict[str, str]:
    """The ``details`` of a ``message_delayed`` entry."""
    return {
        "reason": "Outside active hours",
        "activeWindow": window_label(window),
        "timezone": zone.key,
        "localTime": local_clock_label(at, zone),
        "nextAllowedUtc": isoformat(until),
        "nextAllowedLocalTime": local_clock_label(until, zone),
    }


def delivered(message: Message, at: datetime) -> Step:
    """``message`` delivered at ``at`` (the entry's id is the message's: written once)."""
    after = message.model_copy(update={"status": MessageStatus.DELIVERED, "deliveredAt": at})
    entry = new_audit_entry(
        AuditType.MESSAGE_DELIVERED,
        message.receiverId,
        at,
        message_id=message.messageId,
        status=MessageStatus.DELIVERED.value,
        details={**details_of(message), "from": message.status.value},
        entry_id=delivered_entry_id(message.messageId),
    )
    return Step(after, entry)


def delayed(message: Message, window: ActiveWindow, zone: ZoneInfo, at: datetime) -> Step:
    """``message`` delayed at ``at`` to the next time the receiver's window opens."""
    until = next_allowed(window, zone, at)
    after = message.model_copy(
        update={
            "status": MessageStatus.DELAYED,
            "deliverAt": until,
            "delayReason": delay_reason(window, zone, at, until),
        }
    )
    entry = new_audit_entry(
        AuditType.MESSAGE_DELAYED,
        message.receiverId,
        at,
        message_id=message.messageId,
        status=MessageStatus.DELAYED.value,
        details={**details_of(message), **delay_details(window, zone, at, until)},
    )
    return Step(after, entry)


def due_step(message: Message, window: ActiveWindow, now: datetime) -> Step | None:
    """What a waiting ``message`` becomes at sandbox time ``now``: None while not yet due;
    delivered at its due time if the receiver's window is open then, else delayed."""
    due = message.deliverAt
    if not message.waiting or due is None or due > now:
        return None
    zone = zone_of(message.receiverTimezone)
    if is_open(window, zone, due):
        return delivered(message, due)
    return delayed(message, window, zone, due)


def settled(message: Message, window: ActiveWindow, now: datetime) -> Settlement | None:
    """Where a waiting ``message`` ends up by sandbox time ``now`` (after a long clock
    advance: delayed to the receiver's next opening and delivered then), with the entry of
    each move; None while it is not yet due."""
    entries: list[AuditEntry] = []
    current = message
    for _ in range(_MAX_MOVES):
        step = due_step(current, window, now)
        if step is None:
            break
        entries.append(step.entry)
        current = step.message
    return Settlement(current, tuple(entries)) if entries else None


def delivered_entry_id(message_id: str) -> str:
    """The id of a message's one ``message_delivered`` entry."""
    return f"audit_{message_id}_delivered"


def wall_time_due(sandbox: Sandbox, message: Message, wall_now: datetime) -> datetime:
    """The wall-clock time at which ``message`` falls due by the sandbox's clock (with a
    frozen clock that never comes by waiting: an hour from now, to look again)."""
    due = message.deliverAt or wall_now
    wall = sandbox.clock.wall_time_of(due, wall_now)
    if wall is None:
        return wall_now + FROZEN_RECHECK
    return max(wall, wall_now)
