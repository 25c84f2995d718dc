"""Persistent configs in DynamoDB, one item per sandbox (partition key ``sandboxId``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sandbox_common.manager.models import PendingCharge, StoredConfig
from sandbox_common.storage.dynamo import transact_write, translated_errors

# Present only while the config is enabled, so the sparse index ``by_enabled`` holds exactly
# the enabled configs and the hourly job queries them instead of scanning the table.
ENABLED_KEY = "enabledKey"
ENABLED = "enabled"
ENABLED_INDEX = "by_enabled"


@dataclass(frozen=True)
class UnreadableConfig:
    """An enabled config whose item does not parse: the job counts it as failed and goes on
    with the others (one bad item must not stop every run)."""

    sandbox_id: str
    error: str


def _item(record: StoredConfig) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sandboxId": record.sandbox_id,
        "customerId": record.customer_id,
        "userEmail": record.user_email,
        # Python mode keeps amounts as Decimal, which is what boto3 stores as a number.
        "config": record.config.model_dump(by_alias=True, exclude_none=True),
        "version": record.version,
        "updatedAt": record.updated_at.isoformat(),
    }
    if record.config.enabled:
        item[ENABLED_KEY] = ENABLED
    for name, value in (
        ("enabledAtMs", record.enabled_at_ms),
        ("billedUntilMs", record.billed_until_ms),
    ):
        if value is not None:
            item[name] = value
    if record.pending_charge is not None:
        item["pendingCharge"] = record.pending_charge.model_dump()
    return item


def _record(item: dict[str, Any]) -> StoredConfig:
    return StoredConfig(
        sandbox_id=item["sandboxId"],
        customer_id=item["customerId"],
        user_email=item["userEmail"],
        config=item["config"],
        version=int(item["version"]),
        updated_at=item["updatedAt"],
        enabled_at_ms=int(item["enabledAtMs"]) if "enabledAtMs" in item else None,
        billed_until_ms=int(item["billedUntilMs"]) if "billedUntilMs" in item else None,
        pending_charge=PendingCharge.model_validate(item["pendingCharge"])
        if "pendingCharge" in item
        else None,
    )


def _readable(item: dict[str, Any]) -> StoredConfig | UnreadableConfig:
    try:
        return _record(item)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        return UnreadableConfig(sandbox_id=str(item.get("sandboxId")), error=str(exc))


class PersistentConfigsRepository:
    """Persistent configs by sandbox id."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, sandbox_id: str) -> StoredConfig | None:
        """The sandbox's config, or None."""
        with translated_errors():
            item = self._table.get_item(Key={"sandboxId": sandbox_id}, ConsistentRead=True).get(
                "Item"
            )
        return _record(item) if item else None

    def create(self, record: StoredConfig) -> None:
        """Store a first config; Conflict if the sandbox already has one."""
        with translated_errors("The configuration was created concurrently; try again"):
            self._table.put_item(
                Item=_item(record), ConditionExpression="attribute_not_exists(sandboxId)"
            )

    def replace(self, record: StoredConfig, *, read: StoredConfig) -> None:
        """Replace the config ``read`` was, if it still is (same owner, same version).

        Conflict otherwise: a concurrent update got there first and nothing is overwritten.
        """
        with translated_errors("The configuration changed concurrently; try again"):
            self._table.put_item(
                Item=_item(record),
                ConditionExpression="userEmail = :email AND version = :version",
                ExpressionAttributeValues={":email": read.user_email, ":version": read.version},
            )

    def enabled_page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[StoredConfig | UnreadableConfig], dict[str, Any] | None]:
        """One page of the enabled configs (the sparse index), and where the next starts.

        The index is eventually consistent: a config read here may be a write behind, which
        every write made from it detects (they are conditional on its version). An item that
        does not parse is answered as an UnreadableConfig, in its place.
        """
        arguments: dict[str, Any] = {
            "IndexName": ENABLED_INDEX,
            "KeyConditionExpression": "#enabled = :enabled",
            "ExpressionAttributeNames": {"#enabled": ENABLED_KEY},
            "ExpressionAttributeValues": {":enabled": ENABLED},
            "Limit": limit,
        }
        if start_key:
            arguments["ExclusiveStartKey"] = start_key
        with translated_errors():
            page = self._table.query(**arguments)
        return [_readable(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    def save(
        self, record: StoredConfig, *, read: StoredConfig, also: Sequence[dict[str, Any]] = ()
    ) -> None:
        """Write ``record`` if the config is still the version ``read`` was, together with
        ``also`` (transaction items, e.g. the charge it records) or not at all.

        Conflict otherwise: another run or a client's update moved the config first.
        """
        put = {
            "TableName": self._table.name,
            "Item": _item(record),
            "ConditionExpression": "version = :version",
            "ExpressionAttributeValues": {":version": read.version},
        }
        with translated_errors("The configuration changed concurrently"):
            if also:
                transact_write(self._table.meta.client, [{"Put": put}, *also])
            else:
                self._table.put_item(
                    Item=put["Item"],
                    ConditionExpression=put["ConditionExpression"],
                    ExpressionAttributeValues=put["ExpressionAttributeValues"],
                )
