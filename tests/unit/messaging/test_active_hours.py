"""Active hours: windows, their validation, openness and the next allowed instant (DST too)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sandbox_common.errors import InvalidInput
from sandbox_common.messaging.active_hours import (
    DEFAULT_WINDOW,
    ActiveWindow,
    is_open,
    local_clock_label,
    local_datetime_label,
    next_allowed,
    window_label,
    zone_of,
)

NEW_YORK = zone_of("America/New_York")
LONDON = zone_of("Europe/London")
ALL_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules"})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def window(start: str, end: str, days: list[int] | None = None) -> ActiveWindow:
    return ActiveWindow(start=start, end=end, days=None if days is None else tuple(days))


# --- the window itself ---------------------------------------------------------------


def test_default_window_is_nine_to_five_every_day() -> None:
    assert (DEFAULT_WINDOW.start, DEFAULT_WINDOW.end, DEFAULT_WINDOW.days) == (
        "09:00",
        "17:00",
        None,
    )
    assert window_label(DEFAULT_WINDOW) == "09:00 - 17:00"


def test_a_window_that_starts_when_it_ends_is_refused() -> None:
    with pytest.raises(ValidationError, match="start and end must differ"):
        window("09:00", "09:00")


@pytest.mark.parametrize("text", ["9:00", "24:00", "12:60", "12:00:00", "noon", ""])
def test_times_must_be_24_hour_hh_mm(text: str) -> None:
    with pytest.raises(ValidationError):
        window(text, "17:00")


@pytest.mark.parametrize("days", [[], [0], [8], [1, 2, 3, 4, 5, 6, 7, 1]])
def test_days_must_be_at_least_one_iso_weekday(days: list[int]) -> None:
    with pytest.raises(ValidationError):
        window("09:00", "17:00", days)


def test_days_are_kept_once_each_in_week_order() -> None:
    assert window("09:00", "17:00", [5, 1, 5]).days == (1, 5)


def test_a_boolean_is_not_a_weekday() -> None:
    with pytest.raises(ValidationError):
        ActiveWindow.model_validate({"start": "09:00", "end": "17:00", "days": [True]})


def test_window_label_names_the_days_when_not_every_day() -> None:
    assert window_label(window("09:00", "17:00", [1, 2, 3, 4, 5])) == "09:00 - 17:00 (Mon-Fri)"
    assert (
        window_label(window("22:00", "06:00", [1, 3, 6, 7])) == "22:00 - 06:00 (Mon, Wed, Sat, Sun)"
    )
    assert window_label(window("09:00", "17:00", list(range(1, 8)))) == "09:00 - 17:00"


# --- zones and local labels ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        "america/new_york",
        "",
        "../etc/passwd",
        "/etc/localtime",
        "localtime",
        "x" * 300,
    ],
)
def test_a_name_that_is_no_iana_zone_is_a_400(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        zone_of(name)
    assert refused.value.status_code == 400
    assert "IANA" in refused.value.message


@given(st.sampled_from(ALL_ZONES))
@settings(max_examples=100, deadline=None)
def test_every_iana_zone_is_accepted(name: str) -> None:
    assert zone_of(name).key == name


def test_local_labels_show_the_wall_clock_of_the_zone() -> None:
    instant = utc(2026, 1, 30, 16, 55)
    assert local_clock_label(instant, NEW_YORK) == "11:55"
    assert local_datetime_label(instant, NEW_YORK) == "2026-01-30 11:55:00"
    assert local_datetime_label(instant, LONDON) == "2026-01-30 16:55:00"
    assert local_clock_label(instant, zone_of("Asia/Kathmandu")) == "22:40"


def test_a_naive_instant_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(DEFAULT_WINDOW, NEW_YORK, datetime(2026, 1, 30, 12))


# --- openness and the next allowed instant ---------------------------------------------


def test_window_is_open_from_start_included_to_end_excluded() -> None:
    # 2026-01-30 is a Friday; New York is UTC-5 in winter.
    assert not is_open(DEFAULT_WINDOW, NEW_YORK, utc(2026, 1, 30, 13, 59, 59))
    assert is_open(DEFAULT_WINDOW, NEW_YORK, utc(2026, 1, 30, 14, 0))
    assert is_open(DEFAULT_WINDOW, NEW_YORK, utc(2026, 1, 30, 21, 59, 59))
    assert not is_open(DEFAULT_WINDOW, NEW_YORK, utc(2026, 1, 30, 22, 0))


def test_next_allowed_is_the_instant_itself_when_open() -> None:
    instant = utc(2026, 1, 30, 16, 55, 12, 345000)
    assert next_allowed(DEFAULT_WINDOW, NEW_YORK, instant) == instant


def test_after_closing_the_next_allowed_instant_is_tomorrows_opening() -> None:
    assert next_allowed(DEFAULT_WINDOW, NEW_YORK, utc(2026, 1, 30, 23, 0)) == utc(
        2026, 1, 31, 14, 0
    )


def test_before_opening_the_next_allowed_instant_is_todays_opening() -> None:
    assert next_allowed(DEFAULT_WINDOW, LONDON, utc(2026, 1, 30, 6, 0)) == utc(2026, 1, 30, 9, 0)


def test_weekday_window_skips_the_weekend() -> None:
    weekdays = window("09:00", "17:00", [1, 2, 3, 4, 5])
    friday_evening = utc(2026, 1, 30, 23, 0)
    assert next_allowed(weekdays, NEW_YORK, friday_evening) == utc(2026, 2, 2, 14, 0)


def test_a_wrapping_window_counts_the_day_it_opens() -> None:
    friday_nights = window("22:00", "06:00", [5])
    # 2026-01-30 is a Friday, 2026-01-29 a Thursday; London is UTC+0 in winter.
    assert is_open(friday_nights, LONDON, utc(2026, 1, 30, 23, 0))
    assert is_open(friday_nights, LONDON, utc(2026, 1, 31, 5, 59))
    assert not is_open(friday_nights, LONDON, utc(2026, 1, 31, 6, 0))
    assert not is_open(friday_nights, LONDON, utc(2026, 1, 30, 3, 0))  # Thursday's night
    assert not is_open(friday_nights, LONDON, utc(2026, 1, 31, 23, 0))  # Saturday's night
    assert next_allowed(friday_nights, LONDON, utc(2026, 1, 31, 7, 0)) == utc(2026, 2, 6, 22, 0)


def test_a_wrapping_window_on_every_day_is_closed_only_in_the_day() -> None:
    nights = window("22:00", "06:00")
    assert is_open(nights, LONDON, utc(2026, 1, 30, 2, 0))
    assert not is_open(nights, LONDON, utc(2026, 1, 30, 12, 0))
    assert next_allowed(nights, LONDON, utc(2026, 1, 30, 12, 0)) == utc(2026, 1, 30, 22, 0)


# --- the 2026 daylight-saving transitions ------------------------------------------------


def test_new_york_spring_forward_leaves_an_opening_before_the_gap_alone() -> None:
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT; 01:30 still exists (EST, UTC-5).
    early = window("01:30", "05:00")
    assert next_allowed(early, NEW_YORK, utc(2026, 3, 8, 5, 0)) == utc(2026, 3, 8, 6, 30)


def test_new_york_spring_forward_moves_a_skipped_opening_to_the_end_of_the_gap() -> None:
    skipped = window("02:30", "17:00")
    opens = next_allowed(skipped, NEW_YORK, utc(2026, 3, 8, 5, 0))
    assert opens == utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    assert local_clock_label(opens, NEW_YORK) == "03:00"
    assert not is_open(skipped, NEW_YORK, opens - timedelta(microseconds=1))


def test_new_york_spring_forward_window_inside_the_gap_waits_for_its_next_day() -> None:
    sundays_in_the_gap = window("02:00", "02:45", [7])
    opens = next_allowed(sundays_in_the_gap, NEW_YORK, utc(2026, 3, 8, 5, 0))
    assert opens == utc(2026, 3, 15, 6, 0)  # 15 March 02:00 EDT


def test_new_york_fall_back_opening_in_the_repeated_hour_takes_the_first_one() -> None:
    # 1 November 2026: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice.
    repeated = window("01:30", "05:00")
    opens = next_allowed(repeated, NEW_YORK, utc(2026, 11, 1, 4, 0))  # 00:00 EDT
    assert opens == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST (06:30Z)


def test_new_york_fall_back_reopens_a_window_on_the_second_pass_of_the_hour() -> None:
    short = window("01:30", "01:45")
    assert is_open(short, NEW_YORK, utc(2026, 11, 1, 5, 40))  # 01:40 EDT
    assert not is_open(short, NEW_YORK, utc(2026, 11, 1, 5, 50))  # 01:50 EDT
    assert next_allowed(short, NEW_YORK, utc(2026, 11, 1, 5, 50)) == utc(2026, 11, 1, 6, 30)


def test_london_spring_forward_moves_a_skipped_opening_to_two_o_clock_summer_time() -> None:
    # 29 March 2026: 01:00 GMT jumps to 02:00 BST.
    skipped = window("01:30", "09:00")
    opens = next_allowed(skipped, LONDON, utc(2026, 3, 29, 0, 0))
    assert opens == utc(2026, 3, 29, 1, 0)
    assert local_clock_label(opens, LONDON) == "02:00"


def test_london_fall_back_opening_in_the_repeated_hour_takes_the_first_one() -> None:
    # 25 October 2026: 02:00 BST falls back to 01:00 GMT.
    repeated = window("01:30", "09:00")
    opens = next_allowed(repeated, LONDON, utc(2026, 10, 24, 23, 0))  # 00:00 BST
    assert opens == utc(2026, 10, 25, 0, 30)  # 01:30 BST


def test_london_fall_back_window_ending_in_the_repeated_hour_is_open_on_both_passes() -> None:
    until_half_past_one = window("00:00", "01:30")
    assert is_open(until_half_past_one, LONDON, utc(2026, 10, 25, 0, 15))  # 01:15 BST
    assert not is_open(until_half_past_one, LONDON, utc(2026, 10, 25, 0, 45))  # 01:45 BST
    assert is_open(until_half_past_one, LONDON, utc(2026, 10, 25, 1, 15))  # 01:15 GMT
    assert next_allowed(until_half_past_one, LONDON, utc(2026, 10, 25, 0, 45)) == utc(
        2026, 10, 25, 1, 0
    )


# --- properties ---------------------------------------------------------------------------

clock_texts = st.builds(
    lambda hour, minute: f"{hour:02d}:{minute:02d}",
    st.one_of(st.integers(0, 3), st.integers(0, 23)),
    st.sampled_from([0, 1, 15, 30, 45, 59]) | st.integers(0, 59),
)
valid_windows = (
    st.tuples(clock_texts, clock_texts)
    .filter(lambda pair: pair[0] != pair[1])
    .flatmap(
        lambda pair: st.builds(
            ActiveWindow,
            start=st.just(pair[0]),
            end=st.just(pair[1]),
            days=st.none() | st.sets(st.integers(1, 7), min_size=1).map(lambda d: tuple(sorted(d))),
        )
    )
)
any_instant = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "America/St_Johns",
    "Africa/Casablanca",
    "Europe/Chisinau",
]
TRANSITIONS_2026 = [
    utc(2026, 3, 8, 7),
    utc(2026, 3, 29, 1),
    utc(2026, 4, 5, 0),
    utc(2026, 10, 4, 0),
    utc(2026, 10, 25, 1),
    utc(2026, 11, 1, 6),
]
near_a_transition = st.builds(
    lambda anchor, minutes: anchor + timedelta(minutes=minutes),
    st.sampled_from(TRANSITIONS_2026),
    st.integers(-4 * 24 * 60, 24 * 60),
)


def _assert_is_the_next_allowed_instant(
    window_: ActiveWindow, zone_name: str, instant: datetime
) -> None:
    zone = zone_of(zone_name)
    answer = next_allowed(window_, zone, instant)
    assert answer >= instant
    assert is_open(window_, zone, answer)
    assert answer - instant < timedelta(days=15)
    minute = instant.replace(second=0, microsecond=0)
    if minute < instant:
        minute += timedelta(minutes=1)
    while minute < answer:
        assert not is_open(window_, zone, minute), f"open at {minute} before {answer}"
        minute += timedelta(minutes=1)


@given(st.data(), any_instant, st.sampled_from(ALL_ZONES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_next_allowed_is_the_first_open_instant_anywhere(
    data: st.DataObject, instant: datetime, zone_name: str
) -> None:
    window_ = data.draw(valid_windows)
    _assert_is_the_next_allowed_instant(window_, zone_name, instant)


@given(st.data(), near_a_transition, st.sampled_from(DST_ZONES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_next_allowed_is_the_first_open_instant_around_daylight_saving_changes(
    data: st.DataObject, instant: datetime, zone_name: str
) -> None:
    window_ = data.draw(valid_windows)
    _assert_is_the_next_allowed_instant(window_, zone_name, instant)
