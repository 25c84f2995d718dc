"""Sandbox keys in DynamoDB, addressed by the SHA-256 of the clear key.

The hash is the partition key so the authorizer's lookup is one strongly consistent read:
a revocation is seen by the very next request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import NotFound
from sandbox_common.keys.models import ApiKeyRecord, KeyStatus
from sandbox_common.pagination import RawPage
from sandbox_common.storage.dynamo import transact_write, translated_errors

_ACTIVE = {":active": KeyStatus.ACTIVE.value}


class KeysRepository:
    """Keys by hash, with indexes by key id and by sandbox."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def add(self, record: ApiKeyRecord) -> None:
        """Store a new key; Conflict if its hash is already stored."""
        with translated_errors("This key already exists"):
            self._table.put_item(
                Item=_item(record), ConditionExpression="attribute_not_exists(key_hash)"
            )

    def by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        """The key with this hash (strongly consistent), or None."""
        with translated_errors():
            item = self._table.get_item(Key={"key_hash": key_hash}, ConsistentRead=True).get("Item")
        return ApiKeyRecord.model_validate(item) if item else None

    def by_id(self, key_id: str) -> ApiKeyRecord:
        """The key with this public id; NotFound if there is none."""
        with translated_errors():
            found = self._table.query(
                IndexName="by_key_id",
                KeyConditionExpression="key_id = :id",
                ExpressionAttributeValues={":id": key_id},
            ).get("Items", [])
        record = self.by_hash(str(found[0]["key_hash"])) if found else None
        if record is None:
            raise NotFound(f"Key {key_id} not found")
        return record

    def revoke(self, record: ApiKeyRecord, at: datetime) -> ApiKeyRecord:
        """Mark an active key revoked; Conflict if it no longer is active."""
        with translated_errors("The key is already revoked"):
            self._table.update_item(
                Key={"key_hash": record.key_hash},
                UpdateExpression="SET #status = :revoked, revoked_at = :at",
                ConditionExpression="#status = :active",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":revoked": KeyStatus.REVOKED.value,
                    ":at": at.isoformat(),
                    **_ACTIVE,
                },
            )
        return record.model_copy(update={"status": KeyStatus.REVOKED, "revoked_at": at})

    def replace(self, old: ApiKeyRecord, new: ApiKeyRecord, at: datetime) -> None:
        """Store ``new`` and revoke ``old`` atomically (rotation); Conflict if old is not active."""
        # The resource's client serializes plain Python values, as the Table methods do.
        client = self._table.meta.client
        with translated_errors("The key is no longer active"):
            transact_write(
                client,
                [
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": _item(new),
                            "ConditionExpression": "attribute_not_exists(key_hash)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table.name,
                            "Key": {"key_hash": old.key_hash},
                            "UpdateExpression": (
                                "SET #status = :revoked, revoked_at = :at, replaced_by = :new"
                            ),
                            "ConditionExpression": "#status = :active",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":revoked": KeyStatus.REVOKED.value,
                                ":at": at.isoformat(),
                                ":new": new.key_id,
                                **_ACTIVE,
                            },
                        }
                    },
                ],
            )

    def record_use(self, record: ApiKeyRecord, at: datetime) -> None:
        """Stamp the key as used at ``at``; Conflict if it is gone or holds a later use.

        The stamp only moves forward, so of two concurrent requests the later one's stays.
        """
        with translated_errors("The key holds a later use"):
            self._table.update_item(
                Key={"key_hash": record.key_hash},
                UpdateExpression="SET last_used_at = :at",
                # Fixed-width UTC text: compared as strings, it orders as instants do.
                ConditionExpression=(
                    "attribute_exists(key_hash) "
                    "AND (attribute_not_exists(last_used_at) OR last_used_at < :at)"
                ),
                ExpressionAttributeValues={":at": isoformat(at)},
            )

    def set_tier(self, record: ApiKeyRecord, tier: str) -> ApiKeyRecord:
        """Record an active key's new tier; Conflict if it is no longer active."""
        with translated_errors("The key is no longer active"):
            self._table.update_item(
                Key={"key_hash": record.key_hash},
                UpdateExpression="SET tier = :tier",
                ConditionExpression="#status = :active",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":tier": tier, **_ACTIVE},
            )
        return record.model_copy(update={"tier": tier})

    def delete(self, record: ApiKeyRecord) -> None:
        """Remove a key record (used only to undo a half-made creation)."""
        with translated_errors():
            self._table.delete_item(Key={"key_hash": record.key_hash})

    def in_sandbox(self, sandbox_id: str, *, limit: int, start: dict[str, Any] | None) -> RawPage:
        """One page of a sandbox's keys, newest first."""
        query: dict[str, Any] = {
            "IndexName": "by_sandbox",
            "KeyConditionExpression": "sandbox_id = :sandbox",
            "ExpressionAttributeValues": {":sandbox": sandbox_id},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = start
        with translated_errors():
            page = self._table.query(**query)
        return _page(page)

    def everywhere(self, *, limit: int, start: dict[str, Any] | None) -> RawPage:
        """One page of every key (admin listing; order is the table's)."""
        scan: dict[str, Any] = {"Limit": limit}
        if start:
            scan["ExclusiveStartKey"] = start
        with translated_errors():
            page = self._table.scan(**scan)
        return _page(page)

    def count_in_sandbox(self, sandbox_id: str) -> dict[str, int]:
        """How many keys a sandbox has, by status."""
        counts = {status.value: 0 for status in KeyStatus}
        query: dict[str, Any] = {
            "IndexName": "by_sandbox",
            "KeyConditionExpression": "sandbox_id = :sandbox",
            "ExpressionAttributeValues": {":sandbox": sandbox_id},
            "ProjectionExpression": "#status",
            "ExpressionAttributeNames": {"#status": "status"},
        }
        with translated_errors():
            while True:
                page = self._table.query(**query)
                for item in page.get("Items", []):
                    counts[str(item["status"])] = counts.get(str(item["status"]), 0) + 1
                if "LastEvaluatedKey" not in page:
                    return counts
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _item(record: ApiKeyRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


def _page(page: dict[str, Any]) -> RawPage:
    items = [ApiKeyRecord.model_validate(item) for item in page.get("Items", [])]
    return RawPage(items=items, last_key=page.get("LastEvaluatedKey"))
