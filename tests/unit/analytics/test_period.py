import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common.analytics.period import TimePeriod
from sandbox_common.errors import InvalidInput

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("1h", timedelta(hours=1)),
        ("24h", timedelta(hours=24)),
        ("720h", timedelta(hours=720)),
        ("1d", timedelta(days=1)),
        ("7d", timedelta(days=7)),
        ("30d", timedelta(days=30)),
        ("365d", timedelta(days=365)),
    ],
)
def test_hours_and_days_within_bounds_are_accepted(text: str, duration: timedelta) -> None:
    period = TimePeriod.parse(text)
    assert period.label == text
    assert period.duration == duration


@pytest.mark.parametrize(
    "text",
    ["7w", "0d", "", "366d", "-1d", "0h", "721h", "7", "d", "07d", " 7d", "7d ", "7D", "7.5d"],
)
def test_unknown_period_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        TimePeriod.parse(text)
    assert raised.value.status_code == 400
    assert "time_period" in raised.value.message
    assert repr(text) in raised.value.message
    assert raised.value.details == [
        {"loc": ["query", "time_period"], "msg": raised.value.message, "type": "value_error"}
    ]


def test_window_ends_now_and_reaches_back_by_the_duration() -> None:
    assert TimePeriod.parse("7d").window(NOW) == (datetime(2026, 11, 15, 15, 30, tzinfo=UTC), NOW)
    assert TimePeriod.parse("24h").window(NOW) == (NOW - timedelta(days=1), NOW)


def test_a_period_is_an_immutable_value() -> None:
    period = TimePeriod.parse("30d")
    assert period == TimePeriod.parse("30d")
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.label = "1d"  # type: ignore[misc]
