"""What clients send is read strictly: no booleans as numbers, no numbers as times, no
unbounded JSON, no instant that date arithmetic cannot handle."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from pydantic import TypeAdapter, ValidationError

from sandbox_common.inputs import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    Anchor,
    ClockTime,
    Instant,
    Integer,
    SmallJsonObject,
)


def _nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_an_integer(value):
    with pytest.raises(ValidationError, match="not a boolean"):
        TypeAdapter(Integer).validate_python(value)


def test_integers_and_their_stored_forms_are_accepted():
    from decimal import Decimal

    # DynamoDB hands numbers back as Decimal: a stored setting must still read.
    assert [TypeAdapter(Integer).validate_python(v) for v in (0, 7, Decimal("100"))] == [0, 7, 100]


@pytest.mark.parametrize(
    "text",
    ["2026-01-15T12:00:00Z", "2026-01-15T12:00:00.123+03:00", "2026-01-15 12:00-05:00"],
)
def test_iso_8601_text_with_a_timezone_is_an_instant(text):
    parsed = TypeAdapter(Instant).validate_python(text)
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [
        0.5,  # a unix time to pydantic
        1_700_000_000,
        "0.5",
        "1700000000",
        True,
        "2026-01-15",  # a date, not an instant
        "2026-01-15T12:00:00",  # no timezone
        "yesterday",
    ],
)
def test_numbers_dates_and_naive_times_are_not_instants(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Instant).validate_python(value)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",  # before datetime.min once in UTC
        "9999-12-31T23:59:59-14:00",  # after datetime.max once in UTC
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
def test_instants_outside_1970_to_2100_are_refused(text):
    with pytest.raises(ValidationError, match="must be from 1970-01-01"):
        TypeAdapter(Instant).validate_python(text)


def test_an_anchor_is_from_2000_to_before_2100():
    adapter = TypeAdapter(Anchor)
    assert adapter.validate_python("2000-01-01T00:00:00Z") == datetime(2000, 1, 1, tzinfo=UTC)
    assert adapter.validate_python("2099-12-31T23:59:59Z").year == 2099
    for text in ("1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "0001-01-01T00:00:00Z"):
        with pytest.raises(ValidationError, match="must be from 2000-01-01"):
            adapter.validate_python(text)


def test_python_callers_may_pass_datetime_and_time_objects():
    moment = datetime(2026, 1, 15, tzinfo=UTC)
    assert TypeAdapter(Instant).validate_python(moment) == moment
    assert TypeAdapter(ClockTime).validate_python(time(9, 30)) == time(9, 30)


@pytest.mark.parametrize("value", [3600, 9.5, True, "9"])
def test_a_clock_time_is_text_not_a_number_of_seconds(value):
    with pytest.raises(ValidationError):
        TypeAdapter(ClockTime).validate_python(value)


def test_json_up_to_the_depth_limit_is_kept_as_sent():
    value = {"tags": ["a", {"b": [1, 2.5, None, True]}], **_nested(MAX_JSON_DEPTH)}
    assert TypeAdapter(SmallJsonObject).validate_python(value) == value


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 900])
def test_json_nested_past_the_limit_is_refused(levels):
    with pytest.raises(ValidationError, match="nest deeper"):
        TypeAdapter(SmallJsonObject).validate_python(_nested(levels))


def test_lists_count_as_nesting_too():
    value: list = []
    for _ in range(MAX_JSON_DEPTH):
        value = [value]
    with pytest.raises(ValidationError, match="nest deeper"):
        TypeAdapter(SmallJsonObject).validate_python({"a": value})


def test_json_longer_than_the_limit_is_refused():
    with pytest.raises(ValidationError, match=f"{MAX_JSON_BYTES} bytes"):
        TypeAdapter(SmallJsonObject).validate_python({"note": "x" * MAX_JSON_BYTES})


def test_the_size_limit_counts_utf8_bytes_not_characters():
    # 1,500 three-byte characters: under the limit in characters, over it in bytes.
    with pytest.raises(ValidationError, match="bytes"):
        TypeAdapter(SmallJsonObject).validate_python({"note": "€" * 1500})


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_json_with_nan_or_infinity_is_refused(number):
    with pytest.raises(ValidationError, match="NaN or Infinity"):
        TypeAdapter(SmallJsonObject).validate_python({"score": [number]})
