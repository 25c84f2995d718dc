"""Persistent configs in DynamoDB, one item per sandbox (partition key ``sandboxId``)."""

from __future__ import annotations

from typing import Any

from sandbox_common.manager.models import StoredConfig
from sandbox_common.storage.dynamo import translated_errors

# Present only while the config is enabled, so the sparse index ``by_enabled`` holds exactly
# the enabled configs and the hourly job queries them instead of scanning the table.
ENABLED_KEY = "enabledKey"
ENABLED = "enabled"
ENABLED_INDEX = "by_enabled"


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
    return item


def _record(item: dict[str, Any]) -> StoredConfig:
    return StoredConfig(
        sandbox_id=item["sandboxId"],
        customer_id=item["customerId"],
        user_email=item["userEmail"],
        config=item["config"],
        version=int(item["version"]),
        updated_at=item["updatedAt"],
    )


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
