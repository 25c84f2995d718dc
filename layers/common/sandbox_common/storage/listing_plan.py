"""Listing plans: which index answers a filtered listing, over which key range.

A listable kind keeps its records in one partition with five local indexes: ``by_time``
orders the partition by ``ts`` (a sort position unique within the partition), and
``by_ix1``..``by_ix4`` by ``<filter value>#<ts>``. A kind declares in one ``ListingSpec``
which record field each slot holds and which filters those slots serve, most selective
first. ``plan_listing`` takes the first of those filters the request gives: one equality
plus time order (and a time range) is then one Query. The filters the index does not cover
are *residual*: the records read are tested against them, within a bounded read budget, so
a listing whose residual filters match little returns a short (even empty) page with a
cursor, as DynamoDB's own Query with a FilterExpression does.

A cursor holds only the last position evaluated (a ``ts``); the next page continues with a
key condition that ends (or starts) at it, so one shape serves single and merged streams.
Everything here is pure: the storage code runs the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel

TIME_INDEX = "by_time"
TIME_ATTRIBUTE = "ts"
SLOTS = ("ix1", "ix2", "ix3", "ix4")
# Positions are printable ASCII; DEL sorts after every one of them, so "<value>#" + DEL
# bounds every key of one value from above.
_ABOVE_EVERY_POSITION = "\x7f"
_MAX_POSITION = 200

# Reads per request when residual filters apply: four per record asked for fills most pages
# of a filter that keeps one record in four; at least 100 so small pages still look ahead;
# at most 200 (~200 KB, a fifth of one DynamoDB Query page) so that even a page of 100
# answers within 100 ms locally (benchmarks/listing_latency.py), where each record read
# costs about a quarter of a millisecond.
BUDGET_PER_ITEM = 4
MIN_BUDGET = 100
MAX_BUDGET = 200


def index_name(slot: str) -> str:
    """The local index whose sort key is attribute ``slot``."""
    return f"by_{slot}"


def key_value(value: Any) -> str:
    """How a filter or field value is written in an index key (enums by value, bools lower)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


@dataclass(frozen=True)
class ListingSpec:
    """How one kind of record is listed.

    ``slots`` maps a record field to the index slot that holds it; ``indexed`` maps a filter
    to the indexed fields it equals (any of them: a transaction's ``account_id`` is either
    side), in preference order, most selective first; ``time_filters`` names the filters that
    bound the creation time (``since``, ``until``), answered by the key range.
    """

    newest_first: bool
    slots: Mapping[str, str]
    indexed: Mapping[str, tuple[str, ...]]
    time_filters: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.slots.values()) - set(SLOTS)
        unmapped = {f for fields in self.indexed.values() for f in fields} - set(self.slots)
        if unknown or unmapped or len(set(self.slots.values())) != len(self.slots):
            raise ValueError(f"bad listing spec: slots {unknown or ''} fields {unmapped or ''}")

    def index_attributes(self, record: BaseModel, ts: str) -> dict[str, str]:
        """The index attributes of ``record`` stored at position ``ts`` (none for a None field)."""
        attributes: dict[str, str] = {}
        for name, slot in self.slots.items():
            value = getattr(record, name)
            if value is not None:
                attributes[slot] = f"{key_value(value)}#{ts}"
        return attributes


@dataclass(frozen=True)
class KeyRange:
    """One Query: ``attribute`` of index ``index`` between ``low`` and ``high`` (inclusive)."""

    index: str
    attribute: str
    low: str | None
    high: str | None


@dataclass(frozen=True)
class ListingPlan:
    """The Queries that answer a listing and what is left to test on the records read.

    ``streams`` are merged by position (no streams: nothing can match); ``after`` is the
    cursor's position, read on the previous page and skipped; ``residual`` names the filters
    the keys do not cover.
    """

    streams: tuple[KeyRange, ...]
    newest_first: bool
    after: str | None = None
    residual: frozenset[str] = field(default_factory=frozenset)

    def read_budget(self, limit: int) -> int:
        """The most items one page of ``limit`` records may read (see MAX_BUDGET)."""
        if not self.residual:
            # Every record read is returned: a page reads its size, plus one per stream to
            # learn whether more follow and one for the cursor's own position.
            return len(self.streams) * (limit + 2)
        budget = min(max(BUDGET_PER_ITEM * limit, MIN_BUDGET), MAX_BUDGET)
        return max(budget, len(self.streams) * (limit + 2))


def plan_listing(
    spec: ListingSpec, conditions: Mapping[str, Any], *, after: str | None = None
) -> ListingPlan:
    """The plan for a listing with filter values ``conditions`` (None means not given)."""
    given = {name: value for name, value in conditions.items() if value is not None}
    low, high = _time_bounds(spec, given)
    if after is not None:
        if spec.newest_first:
            high = after if high is None else min(high, after)
        else:
            low = after if low is None else max(low, after)
    chosen = next((name for name in spec.indexed if name in given), None)
    time_names = set(spec.time_filters or ())
    residual = frozenset(name for name in given if name != chosen and name not in time_names)
    if low is not None and high is not None and low > high:
        return ListingPlan((), spec.newest_first, after, residual)
    if chosen is None:
        streams: tuple[KeyRange, ...] = (KeyRange(TIME_INDEX, TIME_ATTRIBUTE, low, high),)
    else:
        prefix = key_value(given[chosen]) + "#"
        streams = tuple(
            KeyRange(
                index_name(spec.slots[name]),
                spec.slots[name],
                prefix + (low or ""),
                prefix + (high if high is not None else _ABOVE_EVERY_POSITION),
            )
            for name in spec.indexed[chosen]
        )
    return ListingPlan(streams, spec.newest_first, after, residual)


def checked_position(decoded: Mapping[str, Any] | None) -> str | None:
    """The position inside a decoded cursor; InvalidInput unless it is one plausible ``ts``."""
    if decoded is None:
        return None
    position = decoded.get("p") if set(decoded) == {"p"} else None
    if (
        not isinstance(position, str)
        or not 0 < len(position) <= _MAX_POSITION
        or not all(" " <= char <= "~" for char in position)
    ):
        raise InvalidInput("The cursor is not valid")
    return position


def cursor_payload(position: str | None) -> dict[str, str] | None:
    """What a cursor carries for a page that stopped at ``position`` (None at the end)."""
    return None if position is None else {"p": position}


def _time_bounds(spec: ListingSpec, given: Mapping[str, Any]) -> tuple[str | None, str | None]:
    if spec.time_filters is None:
        return None, None
    since, until = (given.get(name) for name in spec.time_filters)
    # A timed position is "<time>#<id>": '~' sorts after every id character, so 'until' is
    # inclusive of every record created at that instant.
    low = isoformat(since) if isinstance(since, datetime) else None
    high = isoformat(until) + "~" if isinstance(until, datetime) else None
    return low, high
