"""Value types for what clients send: integers, instants, clock times and free-form JSON.

Pydantic's lax mode reads ``true`` as 1, a number as a unix time or a count of seconds, and
any nesting depth as a fine object. Each of those turned a client's mistake into a silent
surprise or a 500, so request models take these stricter types instead. Python callers may
still pass ``datetime`` and ``time`` objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

__all__ = [
    "ANCHOR_EARLIEST",
    "CLOCK_TIME_PATTERN",
    "EARLIEST_INSTANT",
    "LATEST_INSTANT",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "Anchor",
    "ClockTime",
    "Instant",
    "Integer",
    "SmallJsonObject",
]

# Instants a client may name. Past these, date arithmetic (a data set spans weeks before its
# anchor) leaves the range Python's datetime can represent.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)
# A data set's anchor: its records are dated up to a month before it.
ANCHOR_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

# Free-form JSON is stored inside its record and returned with it.
MAX_JSON_DEPTH = 5
MAX_JSON_BYTES = 4096

_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
# HH:MM or HH:MM:SS, 24-hour: what the OpenAPI document states, and what is sent back.
CLOCK_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_CLOCK_TIME = re.compile(CLOCK_TIME_PATTERN)


def _not_a_bool(value: object) -> object:
    # JSON's true and false are ints to Python; a seed or a count must be a number.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


def _iso_date_time_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_TIME.match(value):
        return value
    raise ValueError("must be an ISO-8601 date-time with a timezone, e.g. 2026-01-15T12:00:00Z")


def _between(earliest: datetime, latest: datetime) -> Callable[[datetime], datetime]:
    message = f"must be from {earliest:%Y-%m-%d} (inclusive) to {latest:%Y-%m-%d} (exclusive)"

    def check(value: datetime) -> datetime:
        try:
            utc = value.astimezone(UTC)
        except OverflowError:  # e.g. year 1 at +14:00 is before datetime.min in UTC
            raise ValueError(message) from None
        if not earliest <= utc < latest:
            raise ValueError(message)
        return value

    return check


def _clock_time_text(value: object) -> object:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _CLOCK_TIME.fullmatch(value):
        return value
    raise ValueError("must be a time of day as text, HH:MM or HH:MM:SS, e.g. 09:00")


def _small_json(value: dict[str, Any]) -> dict[str, Any]:
    # Iterative, so a deeply nested value is refused without recursing into it.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"must not nest deeper than {MAX_JSON_DEPTH} levels")
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        raise ValueError("must not hold NaN or Infinity") from None
    if len(text.encode("utf-8")) > MAX_JSON_BYTES:
        raise ValueError(f"must not exceed {MAX_JSON_BYTES} bytes as JSON")
    return value


Integer = Annotated[int, BeforeValidator(_not_a_bool)]
"""An int that refuses booleans (pydantic would read ``true`` as 1)."""

Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_date_time_text),
    AfterValidator(_between(EARLIEST_INSTANT, LATEST_INSTANT)),
]
"""A point in time given as ISO-8601 text with a timezone, from 1970 to before 2100."""

Anchor = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_date_time_text),
    AfterValidator(_between(ANCHOR_EARLIEST, LATEST_INSTANT)),
]
"""A data set's anchor: ISO-8601 text with a timezone, from 2000 to before 2100."""

ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time_text),
    # Not `format: time`, which demands a timezone ("09:00:00Z") that these never carry.
    WithJsonSchema({"type": "string", "pattern": CLOCK_TIME_PATTERN, "examples": ["09:00"]}),
]
"""A time of day given as text (``HH:MM[:SS]``), never a number of seconds."""

SmallJsonObject = Annotated[dict[str, Any], AfterValidator(_small_json)]
"""A free-form JSON object at most MAX_JSON_DEPTH deep and MAX_JSON_BYTES long, finite."""
