"""The pure side of delivery: what a waiting message becomes at a sandbox time, why it
waits, and the wall-clock time its execution waits for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox_common.messaging.active_hours import DEFAULT_WINDOW, ActiveWindow, is_open, zone_of
from sandbox_common.messaging.delivery_rules import (
    FROZEN_RECHECK,
    delivered_entry_id,
    due_step,
    settled,
    wall_time_due,
)
from sandbox_common.messaging.message_models import Message
from sandbox_common.messaging.message_states import MessageStatus
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.sandboxes.sandbox_clock import SandboxClock

EIGHT_PM = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)


def waiting(due: datetime, *, zone: str = "Europe/London", status=MessageStatus.SCHEDULED):
    return Message(
        messageId="msg_unit00000000000000000",
        senderId="user_sender",
        receiverId="user_receiver",
        senderTimezone="America/New_York",
        receiverTimezone=zone,
        content="hi",
        status=status,
        createdAt=due - timedelta(hours=8),
        scheduledFor=due,
        deliverAt=due,
    )


def sandbox(clock: SandboxClock) -> Sandbox:
    return Sandbox(sandbox_id="sb-unit", created_at=EIGHT_PM, clock=clock)


def test_settling_after_a_long_advance_delays_then_delivers_in_one_settlement():
    next_morning = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)  # London is on UTC in January

    settlement = settled(waiting(EIGHT_PM), DEFAULT_WINDOW, next_morning + timedelta(hours=3))

    assert settlement is not None
    assert settlement.message.status is MessageStatus.DELIVERED
    assert settlement.message.deliveredAt == next_morning
    assert [entry.type for entry in settlement.entries] == ["message_delayed", "message_delivered"]
    assert [entry.timestampUtc for entry in settlement.entries] == [EIGHT_PM, next_morning]


def test_settling_before_the_next_opening_only_delays():
    settlement = settled(waiting(EIGHT_PM), DEFAULT_WINDOW, EIGHT_PM + timedelta(hours=1))

    assert settlement is not None
    assert settlement.message.status is MessageStatus.DELAYED
    assert len(settlement.entries) == 1
    assert settled(waiting(EIGHT_PM), DEFAULT_WINDOW, EIGHT_PM - timedelta(seconds=1)) is None


def test_a_message_not_yet_due_stays_as_it_is():
    assert due_step(waiting(EIGHT_PM), DEFAULT_WINDOW, EIGHT_PM - timedelta(seconds=1)) is None


def test_due_inside_the_window_is_delivered_at_its_due_time_with_a_fixed_entry_id():
    noon = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)

    step = due_step(waiting(noon), DEFAULT_WINDOW, noon + timedelta(hours=3))

    assert step is not None
    assert (step.message.status, step.message.deliveredAt) == (MessageStatus.DELIVERED, noon)
    assert step.entry.id == delivered_entry_id("msg_unit00000000000000000")
    assert step.entry.userId == "user_receiver"


def test_8pm_in_london_is_delayed_to_9am_next_morning_with_the_why():
    step = due_step(waiting(EIGHT_PM), DEFAULT_WINDOW, EIGHT_PM)

    assert step is not None
    assert step.message.status is MessageStatus.DELAYED
    assert step.message.deliverAt == datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert step.message.delayReason == (
        "Outside active hours: 20:00 in Europe/London, active window 09:00 - 17:00; "
        "next allowed delivery 2026-01-31T09:00:00.000Z (09:00 local)"
    )
    assert step.entry.details["localTime"] == "20:00"
    assert step.entry.details["nextAllowedUtc"] == "2026-01-31T09:00:00.000Z"
    assert step.entry.timestampUtc == EIGHT_PM


def test_a_delay_across_a_dst_change_lands_on_local_opening_time():
    # Saturday 28 March 2026, 20:00 GMT; clocks go forward that night: 09:00 BST is 08:00 UTC.
    due = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)

    step = due_step(waiting(due), DEFAULT_WINDOW, due)

    assert step is not None
    assert step.message.deliverAt == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    due=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(
        ["Europe/London", "Asia/Kathmandu", "Australia/Sydney", "America/New_York"]
    ),
    start=st.integers(0, 22),
    length=st.integers(1, 12),
)
def test_a_due_message_is_delivered_inside_the_window_or_delayed_to_its_next_opening(
    due, zone, start, length
):
    window = ActiveWindow(start=f"{start:02d}:00", end=f"{(start + length) % 24:02d}:00")
    tz = zone_of(zone)

    step = due_step(waiting(due, zone=zone), window, due)

    assert step is not None
    if step.message.status is MessageStatus.DELIVERED:
        assert is_open(window, tz, due)
    else:
        assert not is_open(window, tz, due)
        assert step.message.deliverAt is not None and step.message.deliverAt > due
        assert is_open(window, tz, step.message.deliverAt)
        assert not is_open(window, tz, step.message.deliverAt - timedelta(seconds=1))


@pytest.mark.parametrize("status", [MessageStatus.DELIVERED, MessageStatus.FAILED])
def test_a_message_that_no_longer_waits_has_no_step(status):
    message = waiting(EIGHT_PM).model_copy(update={"status": status})

    assert due_step(message, DEFAULT_WINDOW, EIGHT_PM + timedelta(days=1)) is None


def test_the_wall_time_due_follows_a_running_clock_ahead_of_wall_time():
    wall_now = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
    ahead = sandbox(SandboxClock(offset_seconds=8 * 3600))

    assert wall_time_due(ahead, waiting(datetime(2026, 1, 31, 9, 0, tzinfo=UTC)), wall_now) == (
        datetime(2026, 1, 31, 1, 0, tzinfo=UTC)
    )


def test_an_overdue_message_is_due_now_and_a_frozen_clock_is_looked_at_again_in_an_hour():
    wall_now = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
    frozen = sandbox(SandboxClock(frozen_at=datetime(2026, 1, 30, 15, 0, tzinfo=UTC)))
    running = sandbox(SandboxClock())

    assert wall_time_due(running, waiting(wall_now - timedelta(hours=2)), wall_now) == wall_now
    assert wall_time_due(frozen, waiting(EIGHT_PM), wall_now) == wall_now + FROZEN_RECHECK
    assert wall_time_due(frozen, waiting(wall_now), wall_now) == wall_now
