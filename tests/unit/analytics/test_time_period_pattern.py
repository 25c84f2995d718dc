"""The documented time_period pattern accepts exactly what TimePeriod.parse accepts."""

from __future__ import annotations

import re

import pytest

from sandbox_common.analytics.period import TIME_PERIOD_PATTERN, TimePeriod
from sandbox_common.errors import InvalidInput

JUNK = ["", "h", "d", "7", "07d", "+7d", "-7d", "7D", "7w", " 7d", "7d ", "7d\n", "1.5d", "٣d"]


def parses(text: str) -> bool:
    try:
        TimePeriod.parse(text)
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize("unit", ["h", "d"])
def test_pattern_and_parser_agree_on_every_count_up_to_four_digits(unit):
    for count in range(0, 10_000):
        text = f"{count}{unit}"
        assert (re.fullmatch(TIME_PERIOD_PATTERN, text) is not None) == parses(text), text


@pytest.mark.parametrize("text", JUNK)
def test_pattern_and_parser_both_refuse_malformed_periods(text):
    assert re.fullmatch(TIME_PERIOD_PATTERN, text) is None
    assert not parses(text)
