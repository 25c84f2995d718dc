"""A sandbox's own messaging rule set: one record, replaced whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.sandbox_items import DataScope, Kind, from_item, to_item
from sandbox_common.storage.sandboxes_repository import count_update

if TYPE_CHECKING:
    from sandbox_common.messaging.rule_sets import StoredRuleSet

CURRENT = "current"


class RuleSetsRepository:
    """The rule set a sandbox stored (absent: the default rules apply)."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def get(self, scope: DataScope) -> StoredRuleSet | None:
        """The sandbox's stored rule set, or None."""
        from sandbox_common.messaging.rule_sets import StoredRuleSet

        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.RULE_SET), "sk": CURRENT}, ConsistentRead=True
            ).get("Item")
        return from_item(StoredRuleSet, item) if item else None

    def replace(
        self,
        scope: DataScope,
        rule_set: StoredRuleSet,
        audit: dict[str, Any],
        *,
        expires_at: int,
        expected_version: int | None,
    ) -> None:
        """Store ``rule_set`` with its audit entry, if the stored one is still at
        ``expected_version`` (None: none stored yet); Conflict otherwise."""
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(sk)"}
        else:
            condition = {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": expected_version},
            }
        item = to_item(
            rule_set,
            live=frozenset({"version"}),
            pk=scope.pk(Kind.RULE_SET),
            sk=CURRENT,
            ts=CURRENT,
            expires_at=expires_at,
        )
        with translated_errors("The rules changed concurrently; read them and try again"):
            transact_write(
                self._table.meta.client,
                [
                    {"Put": {"TableName": self._table.name, "Item": item, **condition}},
                    audit,
                    # No count moves; the update refuses a write that raced a reset.
                    count_update(
                        self._sandboxes_table,
                        scope.sandbox_id,
                        scope.generation,
                        {Kind.RULE_SET: 0},
                    ),
                ],
            )
