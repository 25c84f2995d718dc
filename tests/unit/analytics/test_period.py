import dataclasses
from datetime import UTC, datetime, timedelta, timezone

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


def test_window_is_whole_hours_from_the_duration_ago_to_the_end_of_this_hour() -> None:
    end_of_hour = datetime(2026, 11, 22, 15, 59, 59, 999_999, tzinfo=UTC)
    assert TimePeriod.parse("7d").window(NOW) == (
        datetime(2026, 11, 15, 15, 0, tzinfo=UTC),
        end_of_hour,
    )
    assert TimePeriod.parse("24h").window(NOW) == (
        datetime(2026, 11, 21, 15, tzinfo=UTC),
        end_of_hour,
    )


def test_window_at_the_top_of_an_hour_still_covers_that_whole_hour() -> None:
    top = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    start, end = TimePeriod.parse("1h").window(top)
    assert start == datetime(2026, 11, 21, 23, tzinfo=UTC)
    assert end == top + timedelta(hours=1) - timedelta(microseconds=1)


def test_window_of_an_offset_or_naive_now_is_in_utc() -> None:
    nairobi = timezone(timedelta(hours=3))
    local = datetime(2026, 11, 22, 18, 30, tzinfo=nairobi)
    assert TimePeriod.parse("2h").window(local) == TimePeriod.parse("2h").window(NOW)
    assert TimePeriod.parse("2h").window(NOW.replace(tzinfo=None)) == TimePeriod.parse("2h").window(
        NOW
    )


def test_a_period_is_an_immutable_value() -> None:
    period = TimePeriod.parse("30d")
    assert period == TimePeriod.parse("30d")
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.label = "1d"  # type: ignore[misc]
