"""Runs a listing plan against one partition: bounded reads, streams merged by position."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.listing_plan import (
    BUDGET_PER_ITEM,
    TIME_ATTRIBUTE,
    KeyRange,
    ListingPlan,
)


@dataclass(frozen=True)
class ListingPage[T]:
    """One page: the records, the position to continue after (None at the end), and how
    many items were read to find them."""

    items: list[T]
    next_position: str | None
    evaluated: int


def query_listing[T](
    table: Any,
    pk: str,
    plan: ListingPlan,
    *,
    limit: int,
    decode: Callable[[dict[str, Any]], T],
    keep: Callable[[T], bool],
) -> ListingPage[T]:
    """Up to ``limit`` records of partition ``pk`` that ``keep`` accepts, in plan order.

    Reads at most ``plan.read_budget(limit)`` items: when the budget is spent before the
    page is full, the page is short (possibly empty) and continues after the last position
    read. ``keep`` is the whole filter, so the index only ever narrows what is read.
    """
    budget = plan.read_budget(limit)
    # Enough for a full page, one more to know whether more follow, and the cursor's own;
    # with residual filters, as many reads as the budget expects per record returned (one
    # Query rather than several small ones, each of which costs a round trip).
    first_chunk = limit + 1 + (1 if plan.after is not None else 0)
    if plan.residual:
        share = budget // max(1, len(plan.streams))
        first_chunk = max(first_chunk, min(share, BUDGET_PER_ITEM * first_chunk))
    streams = [_Stream(table, pk, key_range, plan.newest_first) for key_range in plan.streams]
    evaluated = sum(stream.fetch(first_chunk) for stream in streams)
    pick = max if plan.newest_first else min
    items: list[T] = []
    last: str | None = None
    while len(items) < limit:
        for stream in streams:
            # Past the budget a page still evaluates one position, so every page progresses.
            if not stream.buffer and not stream.exhausted and (evaluated < budget or not last):
                evaluated += stream.fetch(max(1, min(stream.chunk * 2, budget - evaluated)))
        if any(not stream.buffer and not stream.exhausted for stream in streams):
            break  # budget spent: a stream's next position is unknown, so stop before it
        heads = [stream for stream in streams if stream.buffer]
        if not heads:
            break
        item = pick(heads, key=_head_position).buffer.popleft()
        position = str(item[TIME_ATTRIBUTE])
        if position in (plan.after, last):
            continue  # the cursor's own record, or one record found by both streams
        last = position
        record = decode(item)
        if keep(record):
            items.append(record)
    more = any(stream.buffer or not stream.exhausted for stream in streams)
    return ListingPage(items, last if more else None, evaluated)


class _Stream:
    """One Query's items, read in chunks on demand."""

    def __init__(self, table: Any, pk: str, key_range: KeyRange, newest_first: bool) -> None:
        self._table = table
        self._request = _request(pk, key_range, newest_first)
        self.buffer: deque[dict[str, Any]] = deque()
        self.exhausted = False
        self.chunk = 0

    def fetch(self, count: int) -> int:
        """Read up to ``count`` more items into the buffer; returns how many were read."""
        self.chunk = count
        with translated_errors():
            response = self._table.query(**self._request, Limit=count)
        found = response.get("Items", [])
        self.buffer.extend(found)
        if "LastEvaluatedKey" in response:
            self._request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        else:
            self.exhausted = True
        return len(found)


def _head_position(stream: _Stream) -> str:
    return str(stream.buffer[0][TIME_ATTRIBUTE])


def _request(pk: str, key_range: KeyRange, newest_first: bool) -> dict[str, Any]:
    from boto3.dynamodb.conditions import Key

    key = Key("pk").eq(pk)
    sort = Key(key_range.attribute)
    if key_range.low is not None and key_range.high is not None:
        key = key & sort.between(key_range.low, key_range.high)
    elif key_range.low is not None:
        key = key & sort.gte(key_range.low)
    elif key_range.high is not None:
        key = key & sort.lte(key_range.high)
    return {
        "IndexName": key_range.index,
        "KeyConditionExpression": key,
        "ScanIndexForward": not newest_first,
    }
