"""What a decision becomes when orchestrated: run now, or wait for its delay or the user's
active hours (and why)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox_common.messaging.actions import outside_hours, plan_action
from sandbox_common.messaging.active_hours import ActiveWindow
from sandbox_common.messaging.behavior_models import ActionStatus, Decision
from sandbox_common.messaging.users import MessagingUser

NY_MIDDAY = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)  # Friday 11:55 in New York
NY_EVENING = datetime(2026, 1, 30, 23, 0, tzinfo=UTC)  # Friday 18:00 in New York


def user(start="09:00", end="17:00", days=None, zone="America/New_York") -> MessagingUser:
    return MessagingUser(
        id="user_us",
        timezone=zone,
        internalId="i",
        activeHours=ActiveWindow(start=start, end=end, days=days),
    )


def decision(action="send_message", delay_ms=0) -> Decision:
    return Decision(
        decisionId="decision_1",
        userId="user_us",
        type=action,
        channel="sandbox",
        reason="because",
        confidence=0.5,
        ruleId="rule_1",
        ruleName="Rule",
        priority=1,
        delayMs=delay_ms,
        eventId="evt_1",
        signalId="sig_1",
        createdAt=NY_MIDDAY,
    )


def test_a_message_without_delay_inside_active_hours_runs_now():
    action, why = plan_action(decision(), user(), NY_MIDDAY)

    assert action.status is ActionStatus.EXECUTED
    assert action.executedAt == NY_MIDDAY == action.scheduledAt
    assert action.delayReason is None and why == {}


def test_a_rule_delay_makes_the_action_wait_that_long():
    action, why = plan_action(decision("send_notification", 300_000), user(), NY_MIDDAY)

    assert action.status is ActionStatus.PENDING
    assert action.scheduledAt == NY_MIDDAY + timedelta(minutes=5)
    assert why["delayMs"] == 300_000
    assert "rule rule_1 delays it 300000 ms" == action.delayReason


def test_a_message_outside_active_hours_waits_for_the_next_opening():
    action, why = plan_action(decision(), user(), NY_EVENING)

    assert action.status is ActionStatus.PENDING
    # Saturday 09:00 in New York.
    assert action.scheduledAt == datetime(2026, 1, 31, 14, 0, tzinfo=UTC)
    assert why["localTime"] == "18:00"
    assert why["nextAllowedUtc"] == "2026-01-31T14:00:00.000Z"


def test_actions_that_are_not_messages_ignore_active_hours():
    action, _ = plan_action(decision("show_banner"), user(), NY_EVENING)

    assert action.status is ActionStatus.EXECUTED


def test_a_delay_that_ends_after_closing_moves_on_to_the_next_opening_on_an_allowed_day():
    # Weekdays only: Friday 16:58 + 5 minutes is past 17:00, so Monday 09:00.
    friday_late = datetime(2026, 1, 30, 21, 58, tzinfo=UTC)

    action, why = plan_action(decision(delay_ms=300_000), user(days=(1, 2, 3, 4, 5)), friday_late)

    assert action.scheduledAt == datetime(2026, 2, 2, 14, 0, tzinfo=UTC)
    assert why["delayMs"] == 300_000 and why["window"].startswith("09:00 - 17:00")


def test_a_window_wrapping_midnight_is_open_after_midnight():
    night_owl = user(start="22:00", end="02:00")
    one_am = datetime(2026, 1, 31, 6, 0, tzinfo=UTC)  # 01:00 in New York

    assert outside_hours(night_owl, "send_message", one_am) is None
    blocked = outside_hours(night_owl, "send_message", NY_MIDDAY)
    assert blocked is not None
    assert blocked.next_allowed == datetime(2026, 1, 31, 3, 0, tzinfo=UTC)
