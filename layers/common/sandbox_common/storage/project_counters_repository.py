"""The project's daily counters across sandboxes (one item per UTC day and shard).

Items: ``pk = PROJECT#<shard>``, ``sk = DAY#<yyyy-mm-dd>``, in the usage table beside the
per-key counters (``KEY#…``), expiring by the same TTL. Every write is one ``ADD``, so
concurrent requests never lose an increment and never need a read first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox_common.errors import Conflict
from sandbox_common.platform_usage.counters import SHARDS, ProjectDay, shard_of
from sandbox_common.storage.dynamo import translated_errors

if TYPE_CHECKING:
    # Only the request side passes one; the business events' writers need no pydantic.
    from sandbox_common.usage.models import RequestRecord

# Attribute prefixes of one day's item (a counter per name after the prefix).
GROUP = "grp#"
GROUP_ERRORS = "grpe#"
ENDPOINT = "ep#"
ENDPOINT_ERRORS = "epe#"
ACTIVE_KEYS = "keys#"
ACTIVE_SANDBOXES = "sbx#"
EVENT = "evt#"

_BATCH_GET_LIMIT = 100
# A sandbox's "active that day" marker only answers during its own day; two more days of
# life cover clock skew between functions and the end-of-day requests.
_MARKER_LIFETIME = timedelta(days=2)


def project_key(shard: int, day: date) -> dict[str, str]:
    return {"pk": f"PROJECT#{shard}", "sk": f"DAY#{day.isoformat()}"}


class ProjectCountersRepository:
    """Adds to and reads the project's daily counters."""

    def __init__(self, table: Any, *, retention_days: int = 400) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)

    def add_events(self, at: datetime, identity: str, amounts: Mapping[str, Decimal | int]) -> None:
        """Add business-event amounts (``event_counter`` names) to ``at``'s day, in the shard
        of ``identity`` (the sandbox or key the event belongs to)."""
        if not amounts:
            return
        names = {f"#e{i}": EVENT + name for i, name in enumerate(amounts)}
        values: dict[str, Any] = {
            f":e{i}": Decimal(str(amount)) for i, amount in enumerate(amounts.values())
        }
        values[":ttl"] = int((at + self._retention).timestamp())
        adds = ", ".join(f"#e{i} :e{i}" for i in range(len(amounts)))
        with translated_errors():
            self._table.update_item(
                Key=project_key(shard_of(identity), at.date()),
                UpdateExpression=f"ADD {adds} SET expires_at = if_not_exists(expires_at, :ttl)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def record_request(
        self, request: RequestRecord, *, group: str, tier: str, first_of_day_for_key: bool
    ) -> None:
        """Count one request in its day's item, in the shard of its key: requests and errors,
        by group (the function's service name) and by endpoint.

        ``first_of_day_for_key`` (the key's own counter came back 1) also counts the key
        active that day by its tier, and then, if the key's sandbox had made no request yet
        that day, the sandbox too: at most two writes, one for every later request.
        """
        day = request.at.date()
        is_error = 1 if request.status >= 400 else 0
        names = {
            "#grp": GROUP + group,
            "#grpe": GROUP_ERRORS + group,
            "#ep": ENDPOINT + request.endpoint,
            "#epe": ENDPOINT_ERRORS + request.endpoint,
        }
        adds = ["requests :one", "errors :err", "#grp :one", "#grpe :err", "#ep :one", "#epe :err"]
        if first_of_day_for_key:
            names["#keys"] = ACTIVE_KEYS + tier
            adds.append("#keys :one")
            if self._first_of_day_for_sandbox(request.sandbox_id, request.at):
                names["#sbx"] = ACTIVE_SANDBOXES + tier
                adds.append("#sbx :one")
        with translated_errors():
            self._table.update_item(
                Key=project_key(shard_of(request.key_id), day),
                UpdateExpression=(
                    f"ADD {', '.join(adds)} SET expires_at = if_not_exists(expires_at, :ttl)"
                ),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":one": 1,
                    ":err": is_error,
                    ":ttl": int((request.at + self._retention).timestamp()),
                },
            )

    def _first_of_day_for_sandbox(self, sandbox_id: str, at: datetime) -> bool:
        """Put the sandbox's marker for ``at``'s day; False when it was there already.

        The conditional put is what makes concurrent first requests of two keys of one
        sandbox count it once. A crash between it and the counters' write leaves that
        sandbox uncounted for the day (an undercount, never a double count).
        """
        day = at.date()
        expires_at = datetime.combine(day, datetime.min.time(), at.tzinfo) + _MARKER_LIFETIME
        try:
            with translated_errors():
                self._table.put_item(
                    Item={
                        "pk": f"SANDBOXDAY#{sandbox_id}",
                        "sk": f"DAY#{day.isoformat()}",
                        "expires_at": int(expires_at.timestamp()),
                    },
                    ConditionExpression="attribute_not_exists(pk)",
                )
        except Conflict:
            return False
        return True

    def days(self, first: date, last: date) -> list[ProjectDay]:
        """Every shard's item of each day from ``first`` to ``last`` inclusive (days with no
        counters are absent), unmerged: ``merged_by_day`` folds them."""
        keys = [
            project_key(shard, first + timedelta(days=offset))
            for offset in range((last - first).days + 1)
            for shard in range(SHARDS)
        ]
        items: list[dict[str, Any]] = []
        resource = self._table.meta.client
        with translated_errors():
            for start in range(0, len(keys), _BATCH_GET_LIMIT):
                request: dict[str, Any] = {
                    self._table.name: {"Keys": keys[start : start + _BATCH_GET_LIMIT]}
                }
                while request:
                    page = resource.batch_get_item(RequestItems=request)
                    items.extend(page["Responses"].get(self._table.name, []))
                    request = page.get("UnprocessedKeys") or {}
        return [_shard_day(item) for item in items]


def _shard_day(item: Mapping[str, Any]) -> ProjectDay:
    day = ProjectDay(
        day=date.fromisoformat(str(item["sk"]).removeprefix("DAY#")),
        requests=int(item.get("requests", 0)),
        errors=int(item.get("errors", 0)),
    )
    # Longest prefixes first: "epe#" before "ep#", "grpe#" before "grp#".
    counters = (
        (GROUP_ERRORS, day.group_errors),
        (GROUP, day.group_requests),
        (ENDPOINT_ERRORS, day.endpoint_errors),
        (ENDPOINT, day.endpoint_requests),
        (ACTIVE_KEYS, day.active_keys),
        (ACTIVE_SANDBOXES, day.active_sandboxes),
    )
    for name, value in item.items():
        if name.startswith(EVENT):
            day.events[name.removeprefix(EVENT)] = Decimal(value)
            continue
        for prefix, counter in counters:
            if name.startswith(prefix):
                counter[name.removeprefix(prefix)] = int(value)
                break
    return day
