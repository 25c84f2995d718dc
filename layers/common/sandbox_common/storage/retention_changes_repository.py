"""Persistence switches: a sandbox's ``persistent`` flag, and the sweep's queue of the items
whose TTL must follow it.

Items carry their TTL from the moment they are written, so the items written before the flag
changed keep the old one; switching queues a retention change that the sweeper works through
(``sandbox_common.sweeper.retention``). The flag and the marker are one transaction: a switch
that fails queues nothing, and no switch is ever left without its marker. Markers live in
one queue partition of the sandbox-data table, beside the items they stand for; its key
starts with ``#``, which no sandbox's partition (``<sandbox>#<generation>#<kind>``) can. The
sort key starts with the switch time, so the queue reads oldest first.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict, NotFound
from sandbox_common.sandboxes.models import INITIAL_GENERATION, Sandbox
from sandbox_common.storage import marker_leases
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.sandbox_items import DataScope, Kind
from sandbox_common.sweeper.models import RetentionChange, RetentionPosition

QUEUE_PARTITION = "#retention-changes"
# A switch that lost a race with an initialize or reset tries again on the new generation.
_SWITCH_ATTEMPTS = 3
# Item updates sent at once by a restamp (each item is its own UpdateItem).
_RESTAMP_WORKERS = 8


def persistence_switch(
    *,
    sandboxes_table: str,
    data_table: str,
    sandbox_id: str,
    generation: str,
    keep: bool,
    at: datetime,
) -> list[dict[str, Any]]:
    """The transaction items of a switch: set the sandbox's flag to ``keep`` and queue the
    retention change of ``generation`` (switched at wall time ``at``).

    The update is conditional on the flag being the other value (so a switch to the value it
    has queues nothing) and on ``generation`` still being live (a reset or initialize that
    raced the switch would otherwise leave its fresh items with the old TTL unqueued).
    """
    live = "data_generation = :generation"
    if generation == INITIAL_GENERATION:
        live = f"(attribute_not_exists(data_generation) OR {live})"
    # A sandbox stored before the flag existed is not persistent.
    other = (
        "(attribute_not_exists(persistent) OR persistent = :was)" if keep else "persistent = :was"
    )
    change = RetentionChange(sandbox_id=sandbox_id, generation=generation, keep=keep, queued_at=at)
    return [
        {
            "Update": {
                "TableName": sandboxes_table,
                "Key": {"sandbox_id": sandbox_id},
                "UpdateExpression": "SET persistent = :keep",
                "ConditionExpression": f"attribute_exists(sandbox_id) AND {live} AND {other}",
                "ExpressionAttributeValues": {
                    ":keep": keep,
                    ":was": not keep,
                    ":generation": generation,
                },
            }
        },
        retention_marker_put(data_table, change),
    ]


def retention_marker_put(data_table: str, change: RetentionChange) -> dict[str, Any]:
    """The transaction item queueing ``change`` (for a write that sets the sandbox's
    ``persistent`` flag itself, conditional on the flag and generation it read)."""
    return {
        "Put": {
            "TableName": data_table,
            "Item": _marker_item(change),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


@dataclass(frozen=True)
class Restamped:
    """One restamp round: items read, items whose TTL it changed, where the next starts."""

    visited: int
    changed: int
    after: dict[str, str] | None


class RetentionChangesRepository:
    """The persistence flag's switch and the queue of retention changes (sandbox-data table)."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def switch(self, sandbox: Sandbox, keep: bool, at: datetime) -> bool:
        """Make ``sandbox`` persistent (``keep``) or not, queueing the restamp of its items.

        True when the flag changed and the change was queued; False when the flag already
        had that value (nothing to do: safe to call again). ``at`` is wall time. NotFound if
        the sandbox does not exist; Conflict if concurrent switches kept winning.
        """
        generation = sandbox.data_generation
        for _ in range(_SWITCH_ATTEMPTS):
            items = persistence_switch(
                sandboxes_table=self._sandboxes_table,
                data_table=self._table.name,
                sandbox_id=sandbox.sandbox_id,
                generation=generation,
                keep=keep,
                at=at,
            )
            try:
                with translated_errors():
                    transact_write(self._table.meta.client, items)
                return True
            except Conflict:
                stored = self._flag_and_generation(sandbox.sandbox_id)
            if stored is None:
                raise NotFound(f"Sandbox {sandbox.sandbox_id} not found")
            persistent, generation = stored
            if persistent == keep:
                return False
        raise Conflict("The sandbox's persistence changed concurrently; try again")

    def pending(self, before: datetime, *, limit: int) -> list[RetentionChange]:
        """Up to ``limit`` retention changes queued before ``before``, oldest first."""
        with translated_errors():
            page = self._table.query(
                KeyConditionExpression="pk = :queue AND sk < :cutoff",
                ExpressionAttributeValues={":queue": QUEUE_PARTITION, ":cutoff": isoformat(before)},
                ConsistentRead=True,
                Limit=limit,
            )
        return [_change(item) for item in page.get("Items", [])]

    def claim(self, change: RetentionChange, *, owner: str, until: datetime, now: datetime) -> bool:
        """Lease the marker to ``owner`` until ``until``; False if another run holds it."""
        return marker_leases.claim(self._table, _key(change), owner=owner, until=until, now=now)

    def save_position(
        self,
        change: RetentionChange,
        *,
        owner: str,
        generation: str,
        position: RetentionPosition,
    ) -> None:
        """Record where the walk stopped (on ``generation``); Conflict if the lease is lost."""
        with translated_errors("The retention change is leased by another sweep"):
            self._table.update_item(
                Key=_key(change),
                UpdateExpression="SET generation = :generation, #position = :position",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeNames={"#position": "position"},
                ExpressionAttributeValues={
                    ":generation": generation,
                    ":position": position.model_dump(),
                    ":owner": owner,
                },
            )

    def release(self, change: RetentionChange, *, owner: str) -> None:
        """Give the lease back so the next run continues at once (no-op if it is not ours)."""
        marker_leases.release(self._table, _key(change), owner=owner)

    def remove(self, change: RetentionChange, *, owner: str) -> None:
        """Delete the marker; Conflict if ``owner`` no longer holds its lease."""
        marker_leases.remove(self._table, _key(change), owner=owner)

    def restamp(
        self,
        scope: DataScope,
        kind: Kind,
        expires_at: int,
        *,
        after: dict[str, str] | None,
        limit: int,
    ) -> Restamped:
        """Set the TTL of up to ``limit`` items of one partition, from after ``after``.

        Items already at ``expires_at`` are left alone (a walk taken over after a crash
        writes only what is left). Each update is conditional on the item still existing, so
        an item deleted meanwhile is not brought back as a bare key.
        """
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": scope.pk(kind)},
            "ProjectionExpression": "pk, sk, expires_at",
            "ConsistentRead": True,
            "Limit": limit,
        }
        if after is not None:
            query["ExclusiveStartKey"] = after
        with translated_errors():
            page = self._table.query(**query)
        stale = [
            {"pk": item["pk"], "sk": item["sk"]}
            for item in page.get("Items", [])
            if item.get("expires_at") != expires_at
        ]
        with ThreadPoolExecutor(max_workers=_RESTAMP_WORKERS) as pool:
            changed = sum(pool.map(lambda key: self._set_expiry(key, expires_at), stale))
        next_key = page.get("LastEvaluatedKey")
        return Restamped(
            visited=len(page.get("Items", [])),
            changed=changed,
            after={"pk": next_key["pk"], "sk": next_key["sk"]} if next_key else None,
        )

    def _set_expiry(self, key: dict[str, str], expires_at: int) -> bool:
        try:
            with translated_errors():
                self._table.update_item(
                    Key=key,
                    UpdateExpression="SET expires_at = :expires",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":expires": expires_at},
                )
        except Conflict:
            return False  # deleted since the page was read: nothing to keep
        return True

    def _flag_and_generation(self, sandbox_id: str) -> tuple[bool, str] | None:
        """The sandbox's stored flag and live generation (None if it does not exist)."""
        # The resource's client speaks plain Python values, as the table handles do.
        with translated_errors():
            item = self._table.meta.client.get_item(
                TableName=self._sandboxes_table,
                Key={"sandbox_id": sandbox_id},
                ProjectionExpression="persistent, data_generation",
                ConsistentRead=True,
            ).get("Item")
        if item is None:
            return None
        return bool(item.get("persistent", False)), str(
            item.get("data_generation", INITIAL_GENERATION)
        )


def _marker_item(change: RetentionChange) -> dict[str, Any]:
    return {
        **_key(change),
        "sandbox_id": change.sandbox_id,
        "generation": change.generation,
        "keep": change.keep,
        "queued_at": isoformat(change.queued_at),
    }


def _key(change: RetentionChange) -> dict[str, str]:
    # The direction is part of the key: a switch and its undo in the same millisecond (the
    # job's disable and the owner's re-enable) are two markers, not one refused write.
    direction = "keep" if change.keep else "release"
    sort_key = f"{isoformat(change.queued_at)}#{change.sandbox_id}#{direction}"
    return {"pk": QUEUE_PARTITION, "sk": sort_key}


def _change(item: dict[str, Any]) -> RetentionChange:
    position = item.get("position")
    return RetentionChange(
        sandbox_id=item["sandbox_id"],
        generation=item["generation"],
        keep=bool(item["keep"]),
        queued_at=datetime.fromisoformat(item["queued_at"]),
        position=RetentionPosition.model_validate(position) if position else None,
        leased_until=datetime.fromisoformat(item["leased_until"])
        if "leased_until" in item
        else None,
    )
