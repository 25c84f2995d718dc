"""Per-key, per-day request counters (one atomic UpdateItem per request)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.usage.histogram import bucket_of
from sandbox_common.usage.models import DailyUsage, RequestRecord

_ENDPOINT = "ep#"
_ENDPOINT_ERRORS = "epe#"
_LATENCY = "lat#"


class UsageRepository:
    """Counters keyed ``pk = KEY#<key_id>``, ``sk = DAY#<yyyy-mm-dd>``, expiring by TTL."""

    def __init__(self, table: Any, *, retention_days: int = 400) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)

    def record(self, request: RequestRecord) -> int:
        """Count one request; returns the key's request count for that UTC day so far."""
        is_error = 1 if request.status >= 400 else 0
        expires_at = int((request.at + self._retention).timestamp())
        with translated_errors():
            response = self._table.update_item(
                Key={"pk": f"KEY#{request.key_id}", "sk": f"DAY#{request.at.date().isoformat()}"},
                UpdateExpression=(
                    "ADD requests :one, errors :err, #ep :one, #epe :err, #lat :one "
                    "SET sandbox_id = :sandbox, expires_at = if_not_exists(expires_at, :ttl)"
                ),
                ExpressionAttributeNames={
                    "#ep": _ENDPOINT + request.endpoint,
                    "#epe": _ENDPOINT_ERRORS + request.endpoint,
                    "#lat": f"{_LATENCY}{bucket_of(request.latency_ms)}",
                },
                ExpressionAttributeValues={
                    ":one": 1,
                    ":err": is_error,
                    ":sandbox": request.sandbox_id,
                    ":ttl": expires_at,
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["requests"])

    def days(self, key_id: str, first: date, last: date) -> list[DailyUsage]:
        """The key's daily counters from ``first`` to ``last`` inclusive, oldest first."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": f"KEY#{key_id}",
                ":first": f"DAY#{first.isoformat()}",
                ":last": f"DAY#{last.isoformat()}",
            },
        }
        with translated_errors():
            while True:
                page = self._table.query(**query)
                items.extend(page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [_daily_usage(item) for item in items]


def _daily_usage(item: dict[str, Any]) -> DailyUsage:
    usage = DailyUsage(
        day=date.fromisoformat(str(item["sk"]).removeprefix("DAY#")),
        requests=int(item.get("requests", 0)),
        errors=int(item.get("errors", 0)),
    )
    for name, value in item.items():
        if name.startswith(_ENDPOINT_ERRORS):
            usage.endpoint_errors[name.removeprefix(_ENDPOINT_ERRORS)] = int(value)
        elif name.startswith(_ENDPOINT):
            usage.endpoint_requests[name.removeprefix(_ENDPOINT)] = int(value)
        elif name.startswith(_LATENCY):
            usage.latency_buckets[int(name.removeprefix(_LATENCY))] = int(value)
    return usage
