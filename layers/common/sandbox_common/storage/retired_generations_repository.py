"""Retired data generations in the ledger table: the sweep's queue, and deleting their items.

A marker lives in one queue partition of the ledger table, beside the items it stands for, so
that the switch to a new generation and the marker are one transaction (both tables' items
are written together or not at all). Its partition key starts with ``#``, which no sandbox's
partition (``<sandbox>#<generation>#<kind>``, sandbox ids being letters, digits, ``_`` and
``-``) can. The sort key starts with the retirement time, so the queue reads oldest first. One
partition is enough: it takes one write per initialize or reset, far below what a DynamoDB
partition absorbs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.storage import marker_leases
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.sandbox_items import DataScope, Kind
from sandbox_common.sweeper.models import RetiredGeneration

QUEUE_PARTITION = "#retired-generations"


def marker_item(retired: RetiredGeneration, *, expires_at: int) -> dict[str, Any]:
    """The queue item of ``retired``.

    ``expires_at`` is the data's TTL at retirement: every item of the generation was written
    before, so expires no later; where DynamoDB honours TTL the marker goes with them.
    """
    return {
        "pk": QUEUE_PARTITION,
        "sk": _sort_key(retired),
        "sandbox_id": retired.sandbox_id,
        "generation": retired.generation,
        "retired_at": isoformat(retired.retired_at),
        "expires_at": expires_at,
    }


def retirement_put(
    table_name: str, retired: RetiredGeneration, *, expires_at: int
) -> dict[str, Any]:
    """A transaction item queueing ``retired`` (for the write that switches generations)."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": marker_item(retired, expires_at=expires_at),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


class RetiredGenerationsRepository:
    """The queue of retired generations and the deletion of their items (one ledger table)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def add(self, retired: RetiredGeneration, *, expires_at: int) -> None:
        """Queue a generation on its own (one that was loaded but never went live)."""
        with translated_errors():
            self._table.put_item(Item=marker_item(retired, expires_at=expires_at))

    def retired_before(self, cutoff: datetime, *, limit: int) -> list[RetiredGeneration]:
        """Up to ``limit`` markers retired before ``cutoff``, oldest first."""
        with translated_errors():
            page = self._table.query(
                KeyConditionExpression="pk = :queue AND sk < :cutoff",
                ExpressionAttributeValues={":queue": QUEUE_PARTITION, ":cutoff": isoformat(cutoff)},
                ConsistentRead=True,
                Limit=limit,
            )
        return [_marker(item) for item in page.get("Items", [])]

    def claim(
        self, retired: RetiredGeneration, *, owner: str, until: datetime, now: datetime
    ) -> bool:
        """Lease the marker to ``owner`` until ``until``; False if another run holds it."""
        return marker_leases.claim(self._table, _key(retired), owner=owner, until=until, now=now)

    def release(self, retired: RetiredGeneration, *, owner: str) -> None:
        """Give the lease back so the next run continues at once (no-op if it is not ours)."""
        marker_leases.release(self._table, _key(retired), owner=owner)

    def remove(self, retired: RetiredGeneration, *, owner: str) -> None:
        """Delete the marker; Conflict if ``owner`` no longer holds its lease."""
        marker_leases.remove(self._table, _key(retired), owner=owner)

    def purge(self, scope: DataScope, kind: Kind, *, limit: int) -> tuple[int, bool]:
        """Delete up to ``limit`` items of one partition: (items deleted, whether more remain).

        Each round reads the partition from its start (consistently, keys only): the items a
        round deletes are gone for the next one, so a run needs no position and a run that
        died midway loses nothing. Deleting an item another run already deleted is harmless.
        """
        with translated_errors():
            page = self._table.query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": scope.pk(kind)},
                ProjectionExpression="pk, sk",
                ConsistentRead=True,
                Limit=limit,
            )
            keys = page.get("Items", [])
            with self._table.batch_writer() as batch:
                for key in keys:
                    batch.delete_item(Key={"pk": key["pk"], "sk": key["sk"]})
        return len(keys), "LastEvaluatedKey" in page


def _sort_key(retired: RetiredGeneration) -> str:
    return f"{isoformat(retired.retired_at)}#{retired.sandbox_id}#{retired.generation}"


def _key(retired: RetiredGeneration) -> dict[str, str]:
    return {"pk": QUEUE_PARTITION, "sk": _sort_key(retired)}


def _marker(item: dict[str, Any]) -> RetiredGeneration:
    return RetiredGeneration(
        sandbox_id=item["sandbox_id"],
        generation=item["generation"],
        retired_at=datetime.fromisoformat(item["retired_at"]),
        leased_until=datetime.fromisoformat(item["leased_until"])
        if "leased_until" in item
        else None,
    )
