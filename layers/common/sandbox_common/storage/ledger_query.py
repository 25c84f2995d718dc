"""Paged and full reads of one ledger partition through its ``by_time`` index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.pagination import RawPage
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.ledger_items import TIME_INDEX, cursor_key

# A filtered page reads ahead in chunks: DynamoDB applies Limit before the filter.
_FILTERED_CHUNK = 200


@dataclass(frozen=True)
class TimeRange:
    """Bounds on ``ts`` (inclusive); either may be open."""

    low: str | None = None
    high: str | None = None


def query_page(
    table: Any,
    pk: str,
    *,
    limit: int,
    start: dict[str, str] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    ts_range: TimeRange | None = None,
    newest_first: bool = False,
) -> RawPage:
    """Up to ``limit`` items of partition ``pk`` that ``keep`` accepts, after ``start``.

    Filtering happens here rather than in a FilterExpression: DynamoDB charges the same
    reads either way, and the records' fields live in one document. The page's last key is
    taken from the last item returned (not from where the read stopped), so a filtered
    listing neither skips nor repeats items.
    """
    request = _request(pk, ts_range, newest_first)
    request["Limit"] = _FILTERED_CHUNK if keep is not None else limit
    exclusive = {**start, "pk": pk} if start else None
    items: list[dict[str, Any]] = []
    while True:
        if exclusive:
            request["ExclusiveStartKey"] = exclusive
        with translated_errors():
            response = table.query(**request)
        found = response.get("Items", [])
        items.extend([item for item in found if keep(item)] if keep else found)
        exclusive = response.get("LastEvaluatedKey")
        if len(items) >= limit or not exclusive:
            break
    if len(items) > limit or (len(items) == limit and exclusive):
        items = items[:limit]
        return RawPage(items=items, last_key=cursor_key(items[-1]))
    return RawPage(items=items, last_key=None)


def query_all(
    table: Any, pk: str, *, ts_range: TimeRange | None = None
) -> Iterator[dict[str, Any]]:
    """Every item of partition ``pk`` (within ``ts_range``), oldest first."""
    request = _request(pk, ts_range, newest_first=False)
    while True:
        with translated_errors():
            response = table.query(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def created_between(since: datetime | None, until: datetime | None) -> TimeRange | None:
    """The ``ts`` bounds of records created between ``since`` and ``until`` inclusive."""
    if since is None and until is None:
        return None
    # ts is "<time>#<id>": '~' sorts after every id character, so 'until' is inclusive.
    return TimeRange(
        low=isoformat(since) if since else None,
        high=isoformat(until) + "~" if until else None,
    )


def _request(pk: str, ts_range: TimeRange | None, newest_first: bool) -> dict[str, Any]:
    from boto3.dynamodb.conditions import Key

    key = Key("pk").eq(pk)
    if ts_range and ts_range.low is not None and ts_range.high is not None:
        key = key & Key("ts").between(ts_range.low, ts_range.high)
    elif ts_range and ts_range.low is not None:
        key = key & Key("ts").gte(ts_range.low)
    elif ts_range and ts_range.high is not None:
        key = key & Key("ts").lte(ts_range.high)
    request: dict[str, Any] = {
        "IndexName": TIME_INDEX,
        "KeyConditionExpression": key,
        "ScanIndexForward": not newest_first,
    }
    return request
