"""Frequency caps: a rule's recent decision times, counted and kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox_common.messaging.rules import FrequencyCap, Rule
from sandbox_common.messaging.signals import recent_count, with_decision

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def capped(max_decisions: int, hours: int) -> Rule:
    return Rule(
        id="r",
        name="Capped",
        trigger="user_click",
        action="show_banner",
        priority=1,
        confidence=0.5,
        reason="r",
        conditions=(FrequencyCap(maxDecisions=max_decisions, withinHours=hours),),
    )


def test_only_decisions_within_the_caps_hours_count():
    rule = capped(3, 24)
    times = (NOW - timedelta(hours=25), NOW - timedelta(hours=24), NOW - timedelta(minutes=1))

    assert recent_count(times, rule, NOW) == 2


def test_a_new_decision_keeps_only_what_the_cap_can_still_count():
    rule = capped(2, 1)
    times = (NOW - timedelta(hours=2), NOW - timedelta(minutes=30), NOW - timedelta(minutes=5))

    kept = with_decision(times, rule, NOW)

    assert kept == (NOW - timedelta(minutes=5), NOW)
    assert recent_count(kept, rule, NOW) == 2
